#include "service/security.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "base/ascii.hpp"
#include "crypto/sha256.hpp"
#include "service/config.hpp"

namespace ipfsa::service {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::string> host_name(std::string_view host) {
  if (host.empty() || host.size() > 255) return std::nullopt;
  std::string_view name;
  std::string_view rest;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    name = host.substr(1, close - 1);
    rest = host.substr(close + 1);
  } else {
    auto colon = host.find(':');
    name = host.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return std::nullopt;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != ':' && c != '_') return std::nullopt;
  }
  return ascii_lower(name);
}

bool is_local_host_header(std::string_view host_header) {
  auto name = host_name(host_header);
  if (!name) return false;
  if (*name == "localhost" || ends_with(*name, ".localhost")) return true;
  return is_loopback_address(*name);
}

bool is_same_origin(std::string_view origin, std::string_view host_header) {
  constexpr std::string_view kScheme = "http://";
  if (origin.size() <= kScheme.size() ||
      !ascii_iequals(origin.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  return ascii_iequals(origin.substr(kScheme.size()), host_header);
}

std::optional<std::string_view> authorization_credential(std::string_view value) {
  auto space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto scheme = value.substr(0, space);
  if (!ascii_iequals(scheme, "bearer") && !ascii_iequals(scheme, "token")) return std::nullopt;
  auto credential = value.substr(space + 1);
  while (!credential.empty() && credential.front() == ' ') credential.remove_prefix(1);
  while (!credential.empty() && credential.back() == ' ') credential.remove_suffix(1);
  if (credential.empty()) return std::nullopt;
  return credential;
}

bool token_matches(std::string_view presented, const SecretBytes& token) {
  // Hashing both sides first makes the comparison independent of both lengths.
  auto a = crypto::sha256(
      std::span(reinterpret_cast<const std::uint8_t*>(presented.data()), presented.size()));
  auto b = crypto::sha256(token.view());
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0 && !token.empty();
}

}  // namespace ipfsa::service
