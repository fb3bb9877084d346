// GitHub client configuration from the environment, through an injectable lookup so tests need
// no setenv. The token is a SecretBytes: never logged, printed or put in a cache key.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "base/time.hpp"

namespace ipfsa::github {

inline constexpr std::string_view kDefaultApiUrl = "https://api.github.com";
// Accept sent when a Request leaves it empty (GitHub's current media type). The recorded fixtures
// require "application/vnd.github.v3+json": callers and tests set Request::accept for that.
inline constexpr std::string_view kDefaultAccept = "application/vnd.github+json";
inline constexpr std::string_view kUserAgent = "ipfs-accelerate/0.1";
inline constexpr std::size_t kMaxResponseBytes = 32 * 1024 * 1024;
inline constexpr std::size_t kMaxUrlBytes = 8 * 1024;
inline constexpr std::size_t kMaxTokenBytes = 1024;
inline constexpr Duration kDefaultTimeout = std::chrono::seconds{30};
inline constexpr Duration kDefaultConnectTimeout = std::chrono::seconds{10};
inline constexpr Duration kGhAuthTokenDeadline = std::chrono::seconds{5};
// Idle easy handles kept for keep-alive reuse; more concurrent calls still work (extra handles
// are created and freed).
inline constexpr std::size_t kDefaultIdleHandles = 8;

enum class TokenSource { none, gh_token_env, github_token_env, gh_cli };

struct ClientConfig {
  std::string api_url{kDefaultApiUrl};  // no trailing '/'
  std::string graphql_url;              // default api_url + "/graphql"
  SecretBytes token;                    // empty = anonymous
  TokenSource token_source = TokenSource::none;
  std::string default_accept{kDefaultAccept};
  std::string user_agent{kUserAgent};
  std::string ca_bundle;  // CURLOPT_CAINFO when non-empty (CURL_CA_BUNDLE, else SSL_CERT_FILE)
  std::string ca_path;    // CURLOPT_CAPATH when non-empty (SSL_CERT_DIR)
  Duration timeout = kDefaultTimeout;                 // total, per call
  Duration connect_timeout = kDefaultConnectTimeout;  // per call
  std::size_t max_response_bytes = kMaxResponseBytes;
  std::size_t idle_handles = kDefaultIdleHandles;
  // The clock rate-limit blocks are measured against (Reset and Retry-After are calendar times);
  // empty = WallClock::now. Tests inject one to cross a block without sleeping.
  WallClockFn wall_clock;
};

// Produces the `gh auth token` output, nullopt if gh is absent, fails or times out.
using GhTokenCommand = std::function<std::optional<SecretBytes>()>;

// Reads GITHUB_API_URL, GITHUB_GRAPHQL_URL, GH_TOKEN, GITHUB_TOKEN, CURL_CA_BUNDLE, SSL_CERT_FILE,
// SSL_CERT_DIR; empty values count as unset. Token precedence: GH_TOKEN, GITHUB_TOKEN, then `gh`
// (called only when both are unset). Errors: Error::malformed (a URL that is not http(s)://host...,
// or a token with whitespace/control characters inside), Error::too_large (URL or token over
// kMaxUrlBytes / kMaxTokenBytes).
Result<ClientConfig> config_from_env(const EnvLookup& env, const GhTokenCommand& gh);

// Runs `<gh_path> auth token` (no shell) with `deadline`; trims the trailing newline. nullopt if
// gh is absent, exits non-zero, prints nothing, or times out.
std::optional<SecretBytes> run_gh_auth_token(const std::string& gh_path = "gh",
                                             Duration deadline = kGhAuthTokenDeadline);

// config_from_env(process_env, run_gh_auth_token).
Result<ClientConfig> config_from_process_env();

// "scheme://host[:port]" of an absolute http(s) URL, lower-cased; nullopt otherwise.
std::optional<std::string> url_origin(std::string_view url);

}  // namespace ipfsa::github
