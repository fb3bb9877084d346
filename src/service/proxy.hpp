// The GitHub-compatible proxy (docs/service.md, "GitHub-compatible proxy"): pure translation
// between HTTP requests/responses and the gateway's RestCall / GraphqlCall / Answer.
//
//   /api/v3/<path>[?query]  GET/HEAD through the cache; other methods pass through upstream
//   /api/graphql            POST {"query", "variables", "operationName"} (queries cached)
// Answers carry GitHub's status, the kept headers (content-type, etag, last-modified, link,
// x-github-media-type) with Link URLs rewritten to the proxy, and X-Cache-Status. Gateway errors
// become GitHub-style JSON: 504 (timeout), 400 (malformed request, credentials in the URL),
// 429 (rate limited by our client's limiter), 502 (anything else).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/secret.hpp"
#include "node/github_gateway.hpp"
#include "service/http_message.hpp"

namespace ipfsa::service {

inline constexpr std::string_view kRestPrefix = "/api/v3";
inline constexpr std::string_view kGraphqlPath = "/api/graphql";
inline constexpr std::string_view kDocumentationUrl = "https://docs.github.com/rest";

// Rewrites every <URL> in a Link header that starts with `upstream_base` (the client's api_url,
// no trailing '/') so that it starts with `proxy_base` instead. Other URLs are left alone.
std::string rewrite_link_header(std::string_view link, std::string_view upstream_base,
                                std::string_view proxy_base);

// The Accept header to send upstream: the client's, except curl's "*/*" which means GitHub's
// default media type ("").
std::string_view upstream_accept(const HttpRequest& request) noexcept;

// The call for a proxied REST request; `path` is what follows /api/v3 ("/repos/o/r?x=1"). HEAD
// becomes GET (the server sends the headers only).
node::RestCall rest_call(const HttpRequest& request, std::string_view path,
                         std::optional<SecretBytes> token);

// The call for a POST /api/graphql body. Errors: malformed (not a JSON object with a string
// "query"; variables not an object or null), too_large (over the cache's GraphQL limits).
Result<node::GraphqlCall> graphql_call(const HttpRequest& request,
                                       std::optional<SecretBytes> token);

// The HTTP answer for a gateway answer: the entry's headers (Link rewritten to the proxy) and
// X-Cache-Status as header_lines. A GET whose If-None-Match equals the entry's ETag gets 304
// with no body.
HttpResponse answer_response(const HttpRequest& request, const node::Answer& answer,
                             std::string_view upstream_base, std::string_view proxy_base);

// GitHub-style JSON error for a gateway error. Error::rate_limited is a 429 with Retry-After:
// `retry_after` (the client's wait for the token's limit; at least 1 s).
HttpResponse gateway_error(boost::system::error_code error,
                           std::chrono::seconds retry_after = std::chrono::seconds{0});
HttpResponse github_error(int status, std::string_view message);

}  // namespace ipfsa::service
