#include "cache/key.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/ascii.hpp"
#include "base/bytes.hpp"
#include "crypto/sha256.hpp"

namespace ipfsa::cache {
namespace {

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && ascii_iequals(s.substr(0, prefix.size()), prefix);
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) noexcept {  // RFC 3986 section 2.3
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_raw_allowed(unsigned char c) noexcept {  // unreserved, sub-delims, ":@/?"
  return is_unreserved(c) ||
         std::string_view("!$&'()*+,;=:@/?").find(static_cast<char>(c)) != std::string_view::npos;
}

void append_pct(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0xF]);
}

// RFC 3986 section 6.2.2: uppercase percent-encoding hex digits, decode percent-encoded
// unreserved characters, and percent-encode bytes that may not appear raw.
std::string normalize_percent(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      const auto v = static_cast<unsigned char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      if (is_unreserved(v)) {
        out.push_back(static_cast<char>(v));
      } else {
        append_pct(out, v);
      }
      i += 2;
    } else if (c != '%' && is_raw_allowed(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      append_pct(out, c);
    }
  }
  return out;
}

// Fully decoded, lowercased form of a query parameter name (for the credential check only).
std::string decoded_lower(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
        hex_value(in[i + 2]) >= 0) {
      out.push_back(
          ascii_lower(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]))));
      i += 2;
    } else {
      out.push_back(ascii_lower(in[i] == '+' ? ' ' : in[i]));
    }
  }
  return out;
}

bool is_credential_param(std::string_view name) {
  const std::string n = decoded_lower(name);
  return n == "access_token" || n == "client_secret" || n == "token" || n == "private_token";
}

bool valid_scope(std::string_view scope) noexcept {
  if (scope.size() > kMaxScopeBytes) return false;
  return std::all_of(scope.begin(), scope.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

struct Url {
  std::string authority;                                   // lowercase host[:port]
  std::string path;                                        // starts with '/', percent-normalised
  std::vector<std::pair<std::string, std::string>> query;  // (name, "=value" or "")
};

Result<std::string_view> strip_scheme(std::string_view s) {
  if (starts_with_icase(s, "https://")) return s.substr(8);
  if (starts_with_icase(s, "http://")) return s.substr(7);
  if (s.find("://") != std::string_view::npos) return Error::malformed;
  return s;
}

Result<void> set_authority(Url& url, std::string_view authority) {
  if (authority.empty()) return Error::malformed;
  if (authority.find('@') != std::string_view::npos) return Error::unsupported;  // user:pass@
  for (char c : authority) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '%' || c == '?' || c == '#') return Error::malformed;
    url.authority.push_back(ascii_lower(c));
  }
  return {};
}

// Splits "path?query#fragment" into the normalised path and the query parameters.
Result<void> set_path_and_query(Url& url, std::string_view base_path, std::string_view rest) {
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  std::string raw = std::string(base_path) + "/" + std::string(rest);
  if (!raw.empty() && raw.front() != '/') raw.insert(raw.begin(), '/');
  url.path = normalize_percent(raw);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (param.empty()) continue;
    const auto eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    if (is_credential_param(name)) return Error::unsupported;
    std::string value;
    if (eq != std::string_view::npos) {
      value.push_back('=');
      value += normalize_percent(param.substr(eq + 1));
    }
    url.query.emplace_back(normalize_percent(name), std::move(value));
  }
  // Sort by name only: a stable sort keeps repeated parameters (labels[]=a&labels[]=b) in order.
  std::stable_sort(url.query.begin(), url.query.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return {};
}

Result<Url> parse_url(std::string_view base, std::string_view target) {
  Url url;
  auto absolute = strip_scheme(target);
  if (!absolute) return absolute.error();
  if (absolute->size() != target.size()) {  // an absolute URL: its own authority
    const auto slash = absolute->find('/');
    if (auto ok = set_authority(url, absolute->substr(0, slash)); !ok) return ok.error();
    const std::string_view rest =
        slash == std::string_view::npos ? std::string_view{} : absolute->substr(slash);
    if (auto ok = set_path_and_query(url, "", rest); !ok) return ok.error();
    return url;
  }
  auto b = strip_scheme(base);
  if (!b) return b.error();
  const auto slash = b->find('/');
  if (auto ok = set_authority(url, b->substr(0, slash)); !ok) return ok.error();
  const std::string_view base_path =
      slash == std::string_view::npos ? std::string_view{} : b->substr(slash);
  // A base URL is a path prefix only: a query or fragment in it would merge with the target's
  // (and slip past the credential check on the target's parameters).
  if (base_path.find_first_of("?#") != std::string_view::npos) return Error::malformed;
  if (auto ok = set_path_and_query(url, base_path, target); !ok) return ok.error();
  return url;
}

// Lowercase, trim each comma-separated media range, drop spaces around ';'.
Result<std::string> normalize_accept(std::string_view accept) {
  if (accept.empty()) accept = kDefaultAccept;
  std::string out;
  std::string item;
  auto flush = [&] {
    if (item.empty()) return;
    if (!out.empty()) out.push_back(',');
    out += item;
    item.clear();
  };
  for (char c : accept) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ',') {
      flush();
    } else if (c == ' ' || c == '\t') {
      continue;
    } else if (u < 0x20 || u >= 0x7f) {
      return Error::malformed;
    } else {
      item.push_back(ascii_lower(c));
    }
  }
  flush();
  if (out.empty()) return Error::malformed;
  return out;
}

Result<CacheKey> finish(ApiKind kind, std::string text, std::string path, std::string_view scope) {
  if (!scope.empty()) {
    text += " scope=";
    text += scope;
  }
  if (text.size() > kMaxKeyBytes) return Error::too_large;
  return make_key(kind, std::move(text), std::move(path));
}

bool is_word_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string key_hash(std::string_view text) { return hex_encode(crypto::sha256(as_bytes(text))); }

KeyDigest key_digest(std::string_view text) noexcept { return crypto::sha256(as_bytes(text)); }

std::optional<KeyDigest> digest_from_hex(std::string_view key_hash) noexcept {
  if (key_hash.size() != 2 * KeyDigest{}.size()) return std::nullopt;
  KeyDigest d;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const char hi = key_hash[2 * i];
    const char lo = key_hash[2 * i + 1];
    if (ascii_lower(hi) != hi || ascii_lower(lo) != lo) return std::nullopt;  // lowercase only
    const int h = hex_value(hi);
    const int l = hex_value(lo);
    if (h < 0 || l < 0) return std::nullopt;
    d[i] = static_cast<std::uint8_t>(h * 16 + l);
  }
  return d;
}

CacheKey make_key(ApiKind kind, std::string text, std::string path) {
  CacheKey key;
  key.kind = kind;
  key.digest = key_digest(text);
  key.hash = hex_encode(key.digest);
  key.text = std::move(text);
  key.path = std::move(path);
  return key;
}

Result<CacheKey> rest_key(const RestRequest& request) {
  if (request.target.size() > kMaxKeyBytes || request.host.size() > kMaxKeyBytes ||
      request.accept.size() > kMaxKeyBytes) {
    return Error::too_large;
  }
  if (request.method.size() > kMaxMethodBytes) return Error::too_large;
  if (request.method.empty() || request.target.empty()) return Error::malformed;
  if (!valid_scope(request.scope)) return Error::malformed;
  std::string method;
  for (char c : request.method) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return Error::malformed;
    method.push_back(static_cast<char>(c >= 'a' ? c - 32 : c));
  }
  auto url = parse_url(request.host, request.target);
  if (!url) return url.error();
  auto accept = normalize_accept(request.accept);
  if (!accept) return accept.error();

  std::string text = method + " " + url->authority + url->path;
  for (std::size_t i = 0; i < url->query.size(); ++i) {
    text += i == 0 ? '?' : '&';
    text += url->query[i].first;
    text += url->query[i].second;
  }
  text += " accept=" + *accept;
  // The route (what TTL classes match) is the path below the API base URL: with a base such as
  // "https://ghe.example.com/api/v3" or a proxy prefix, "/repos/o/r" stays "/repos/o/r". The key
  // text keeps the full path, so different bases never share entries.
  std::string route = url->path;
  if (auto base = parse_url(request.host, "/")) {
    std::string_view base_path = base->path;
    while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
    if (!base_path.empty() && base->authority == url->authority &&
        route.size() > base_path.size() && route.starts_with(base_path) &&
        route[base_path.size()] == '/') {
      route.erase(0, base_path.size());
    }
  }
  return finish(ApiKind::rest, std::move(text), std::move(route), request.scope);
}

Result<CacheKey> graphql_key(const GraphqlRequest& request) {
  if (request.query.size() > kMaxGraphqlQueryBytes ||
      request.variables_json.size() > kMaxGraphqlVariablesBytes ||
      request.endpoint.size() > kMaxKeyBytes || request.operation_name.size() > kMaxKeyBytes) {
    return Error::too_large;
  }
  if (!valid_scope(request.scope)) return Error::malformed;
  const std::string query = normalize_graphql_query(request.query);
  if (query.empty()) return Error::malformed;
  std::string variables = "{}";
  if (request.variables_json.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    auto canonical = canonical_json(request.variables_json);
    if (!canonical) return canonical.error();
    if (*canonical != "null") {
      if (canonical->front() != '{') return Error::malformed;
      variables = std::move(*canonical);
    }
  }
  auto url = parse_url(request.endpoint, "");
  if (!url) return url.error();
  if (!url->query.empty()) return Error::malformed;
  while (url->path.size() > 1 && url->path.back() == '/') url->path.pop_back();
  // The three parts are separated by '\n', which the normalised query and canonical JSON can only
  // contain inside string literals (escaped there as "\n"), so the material is unambiguous.
  const std::string material =
      query + "\n" + std::string(request.operation_name) + "\n" + variables;
  std::string text = "POST " + url->authority + url->path + " graphql=" + key_hash(material);
  return finish(ApiKind::graphql, std::move(text), "graphql", request.scope);
}

std::string normalize_graphql_query(std::string_view q) {
  std::string out;
  out.reserve(q.size());
  bool pending_space = false;
  std::size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      pending_space = true;
      ++i;
      continue;
    }
    if (q.substr(i, 3) == "\xEF\xBB\xBF") {  // a byte order mark is ignored too
      pending_space = true;
      i += 3;
      continue;
    }
    if (c == '#') {  // comment to end of line
      while (i < q.size() && q[i] != '\n' && q[i] != '\r') ++i;
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty() && is_word_char(out.back()) && is_word_char(c)) {
      out.push_back(' ');
    }
    pending_space = false;
    if (c == '"') {
      const bool block = q.substr(i, 3) == "\"\"\"";
      const std::size_t start = i;
      i += block ? 3 : 1;
      while (i < q.size()) {
        if (block) {
          if (q.substr(i, 4) == "\\\"\"\"") {
            i += 4;
            continue;
          }
          if (q.substr(i, 3) == "\"\"\"") {
            i += 3;
            break;
          }
          ++i;
        } else {
          if (q[i] == '\\' && i + 1 < q.size()) {
            i += 2;
            continue;
          }
          if (q[i] == '"' || q[i] == '\n') {
            ++i;
            break;
          }
          ++i;
        }
      }
      out.append(q.substr(start, i - start));
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace ipfsa::cache
