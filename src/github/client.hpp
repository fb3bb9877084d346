// A blocking, thread-safe GitHub REST/GraphQL client on libcurl.
//
// - Every call has a total deadline and a connect deadline (Request::timeout or
//   ClientConfig::timeout / connect_timeout); a passed deadline is Error::timeout.
// - HTTP/2 over TLS (CURL_HTTP_VERSION_2TLS), HTTP/1.1 over plain http; keep-alive through a pool
//   of idle easy handles; DNS and TLS sessions shared across handles (CURLSH).
// - Proxies: libcurl reads http_proxy / HTTPS_PROXY (https_proxy) / ALL_PROXY / NO_PROXY itself
//   (uppercase HTTP_PROXY is ignored by libcurl on purpose, CGI "httpoxy"). CAs: CURL_CA_BUNDLE /
//   SSL_CERT_FILE / SSL_CERT_DIR via ClientConfig (libcurl does not read them itself).
// - Bounded: response body <= config.max_response_bytes (Error::too_large), response headers
//   <= kMaxHeaderBytes / kMaxHeaderCount (Error::too_large), request URL <= kMaxUrlBytes, request
//   body <= kMaxRequestBodyBytes.
// - HTTP error statuses (4xx/5xx, 304) are Responses, not Errors: the caller (the cache) decides,
//   e.g. serves stale on 5xx. Errors are transport failures: Error::timeout, Error::too_large,
//   Error::truncated (connection closed before Content-Length bytes, or nothing received),
//   Error::malformed (bad URL or header, unparsable response), Error::protocol_violation (HTTP/2
//   error, pagination link to another origin), Error::rate_limited (rate limited: see below),
//   Error::io_failure (connect, TLS, socket; detail in the debug log), Error::cancelled
//   (Request::cancel was set).
// - Rate limits: responses obtained with the configured token feed a RateLimiter. While it says
//   "blocked" for the request's resource (core, search, graphql, ...) send() returns
//   Error::rate_limited WITHOUT contacting GitHub; retry_after() says for how long. Requests
//   carrying their own token (Request::token) bypass and do not feed that state.
// - The token is sent only to the origins of api_url and graphql_url, as
//   "Authorization: token <t>"; it never appears in logs. Redirects to another host drop it
//   (libcurl does not forward a custom Authorization header across hosts).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "base/time.hpp"
#include "github/config.hpp"
#include "github/rate_limit.hpp"

namespace ipfsa::github {

inline constexpr std::size_t kMaxHeaderBytes = 64 * 1024;  // all response header lines
inline constexpr std::size_t kMaxHeaderCount = 256;
inline constexpr std::size_t kMaxRequestBodyBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxPages = 1000;                       // paginate() cap
inline constexpr std::size_t kMaxPaginateBytes = 256 * 1024 * 1024;  // all pages together
inline constexpr long kMaxRedirects = 5;

struct Request {
  std::string method = "GET";  // upper-case token
  // Path relative to api_url ("/repos/o/r", query allowed) or an absolute http(s) URL.
  std::string target;
  std::vector<std::pair<std::string, std::string>> query;  // appended, percent-encoded
  Headers headers;     // extra headers; Accept, Authorization, User-Agent are set from below
  std::string accept;  // empty = ClientConfig::default_accept
  std::string body;
  std::string if_none_match;      // ETag of the cached entry -> If-None-Match
  std::string if_modified_since;  // Last-Modified of the cached entry -> If-Modified-Since
  // Per-request token (e.g. a proxied client's own). An empty SecretBytes sends no Authorization.
  std::optional<SecretBytes> token;
  std::optional<Duration> timeout;  // total deadline; default ClientConfig::timeout
  // When set, the call ends with Error::cancelled soon after *cancel becomes true (libcurl checks
  // it at least once a second, and on every transfer event), even while waiting for an answer.
  const std::atomic<bool>* cancel = nullptr;
  bool follow_redirects = true;
};

struct Response {
  int status = 0;
  Headers headers;  // lower-case names, in received order, repeated names kept
  std::string body;
  std::string url;  // effective URL after redirects

  std::optional<std::string_view> header(std::string_view lower_name) const {
    return find_header(headers, lower_name);
  }
  std::vector<std::string_view> header_values(std::string_view lower_name) const;
};

class Client {
 public:
  // Errors: Error::malformed if api_url / graphql_url are not absolute http(s) URLs,
  // Error::io_failure if libcurl cannot initialise.
  static Result<std::unique_ptr<Client>> create(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Blocking; safe to call from many threads at once.
  Result<Response> send(const Request& request);

  // GET `path` with the default Accept.
  Result<Response> get(std::string_view path);

  // Follows `Link: <...>; rel="next"` from `first` for at most min(max_pages, kMaxPages) pages.
  // Stops early at a non-2xx page (included as the last element). A next link to another origin
  // is Error::protocol_violation; more than kMaxPaginateBytes in total is Error::too_large.
  Result<std::vector<Response>> paginate(Request first, std::size_t max_pages);
  Result<std::vector<Response>> paginate(std::string_view path, std::size_t max_pages);

  // POST {"query": query, "variables": variables} to graphql_url. `variables_json` must be a JSON
  // object (or empty for {}); only its outer braces are checked (Error::malformed).
  Result<Response> graphql(std::string_view query, std::string_view variables_json);

  // Seconds until `resource` may be called again (0 = now), for the configured token.
  std::chrono::seconds retry_after(std::string_view resource = "core") const;
  // Holds requests for `resource` with the configured token until `until` (a swarm peer using
  // the same token reported the limit): they fail with rate_limited as if we had seen it.
  void hold_off(std::string_view resource, WallTime until);
  // Last X-RateLimit-* state seen for `resource`.
  std::optional<RateLimitInfo> rate_limit(std::string_view resource = "core") const;

  const ClientConfig& config() const;

 private:
  struct State;
  explicit Client(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Escapes `s` as a JSON string literal, quotes included (RFC 8259 §7).
std::string json_quote(std::string_view s);

// A query component: RFC 3986 §2.3 unreserved characters pass, every other byte is %XX.
std::string percent_encode(std::string_view s);

}  // namespace ipfsa::github
