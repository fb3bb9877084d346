#include "github/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/ascii.hpp"
#include "github/process.hpp"

namespace ipfsa::github {
namespace {

std::optional<std::string> non_empty(const EnvLookup& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

Result<std::string> check_url(std::string url) {
  if (url.size() > kMaxUrlBytes) return Error::too_large;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url_origin(url)) return Error::malformed;
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c >= 0x7f; })) {
    return Error::malformed;
  }
  return url;
}

// Trims surrounding whitespace; any whitespace or control byte inside is rejected (it would
// split or inject an HTTP header).
Result<SecretBytes> check_token(std::span<const std::uint8_t> raw) {
  std::size_t b = 0, e = raw.size();
  while (b < e && std::isspace(raw[b])) ++b;
  while (e > b && std::isspace(raw[e - 1])) --e;
  auto t = raw.subspan(b, e - b);
  if (t.size() > kMaxTokenBytes) return Error::too_large;
  if (std::any_of(t.begin(), t.end(), [](std::uint8_t c) { return c <= ' ' || c >= 0x7f; })) {
    return Error::malformed;
  }
  return SecretBytes{t};
}

Result<SecretBytes> token_from_string(std::string& s) {
  auto r = check_token({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  secure_wipe(s.data(), s.size());
  return r;
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
  const std::string lower = ascii_lower(url.substr(0, std::min<std::size_t>(url.size(), kMaxUrlBytes)));
  std::size_t scheme_end;
  if (lower.starts_with("https://")) {
    scheme_end = 8;
  } else if (lower.starts_with("http://")) {
    scheme_end = 7;
  } else {
    return std::nullopt;
  }
  std::size_t host_end = lower.find_first_of("/?#", scheme_end);
  if (host_end == std::string::npos) host_end = lower.size();
  if (host_end == scheme_end) return std::nullopt;
  std::string_view authority = std::string_view(lower).substr(scheme_end, host_end - scheme_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  return lower.substr(0, host_end);
}

Result<ClientConfig> config_from_env(const EnvLookup& env, const GhTokenCommand& gh) {
  ClientConfig cfg;
  if (auto v = non_empty(env, "GITHUB_API_URL")) {
    auto url = check_url(std::move(*v));
    if (!url) return url.error();
    cfg.api_url = std::move(*url);
  }
  if (auto v = non_empty(env, "GITHUB_GRAPHQL_URL")) {
    auto url = check_url(std::move(*v));
    if (!url) return url.error();
    cfg.graphql_url = std::move(*url);
  } else {
    cfg.graphql_url = cfg.api_url + "/graphql";
  }
  if (auto v = non_empty(env, "GH_TOKEN")) {
    auto t = token_from_string(*v);
    if (!t) return t.error();
    cfg.token = std::move(*t);
    cfg.token_source = TokenSource::gh_token_env;
  } else if (auto w = non_empty(env, "GITHUB_TOKEN")) {
    auto t = token_from_string(*w);
    if (!t) return t.error();
    cfg.token = std::move(*t);
    cfg.token_source = TokenSource::github_token_env;
  } else if (gh) {
    if (auto out = gh()) {
      // A broken gh output is treated like no gh at all: anonymous, not an error.
      if (auto t = check_token(out->view()); t && !t->empty()) {
        cfg.token = std::move(*t);
        cfg.token_source = TokenSource::gh_cli;
      }
    }
  }
  // libcurl itself ignores CURL_CA_BUNDLE (only the curl tool reads it) and, with OpenSSL, sets
  // its compiled-in CA file, so SSL_CERT_FILE would be ignored too: pass them explicitly.
  if (auto v = non_empty(env, "CURL_CA_BUNDLE")) {
    cfg.ca_bundle = std::move(*v);
  } else if (auto w = non_empty(env, "SSL_CERT_FILE")) {
    cfg.ca_bundle = std::move(*w);
  }
  if (auto v = non_empty(env, "SSL_CERT_DIR")) cfg.ca_path = std::move(*v);
  return cfg;
}

std::optional<SecretBytes> run_gh_auth_token(const std::string& gh_path, Duration deadline) {
  auto r = run_capture({gh_path, "auth", "token"}, deadline, kMaxTokenBytes + 64);
  if (!r || r->exit_status != 0 || r->output.empty()) return std::nullopt;
  return std::move(r->output);
}

Result<ClientConfig> config_from_process_env() {
  return config_from_env(process_env(), [] { return run_gh_auth_token(); });
}

}  // namespace ipfsa::github
