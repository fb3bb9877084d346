#include "discovery/registry/comment.hpp"

#include <boost/json.hpp>
#include <cstdio>

namespace ipfsa::registry {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string_view lstrip(std::string_view s) {
  auto p = s.find_first_not_of(kWhitespace);
  return p == std::string_view::npos ? std::string_view{} : s.substr(p);
}

std::string_view strip(std::string_view s) {
  s = lstrip(s);
  auto p = s.find_last_not_of(kWhitespace);
  return p == std::string_view::npos ? std::string_view{} : s.substr(0, p + 1);
}

// Decodes one UTF-8 scalar value at s[i]; advances i. nullopt for invalid UTF-8 (overlong forms,
// surrogates, values above U+10FFFF, truncated sequences).
std::optional<char32_t> next_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (s.size() - i < len) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (!next_utf8(s, i)) return false;
  }
  return true;
}

void append_u16(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

// Python json.dumps(ensure_ascii=True) string escaping: printable ASCII as is, the short escapes
// for " \ \n \r \t \b \f, everything else as lower-case \uXXXX (surrogate pairs above U+FFFF).
bool append_py_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto cp = next_utf8(s, i);
    if (!cp) return false;
    switch (*cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (*cp >= 0x20 && *cp <= 0x7E) {
      out += static_cast<char>(*cp);
    } else if (*cp <= 0xFFFF) {
      append_u16(out, static_cast<unsigned>(*cp));
    } else {
      const char32_t v = *cp - 0x10000;
      append_u16(out, static_cast<unsigned>(0xD800 + (v >> 10)));
      append_u16(out, static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
    }
  }
  out += '"';
  return true;
}

bool parse_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (s.size() - i < n) return false;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

std::optional<std::string> string_field(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  const auto& s = it->value().get_string();
  return std::string(s.data(), s.size());
}

}  // namespace

std::string marker_for(std::string_view runner_name) {
  std::string m(kMarkerPrefix);
  m += runner_name;
  m += kMarkerSuffix;
  return m;
}

bool is_registry_comment(std::string_view body) { return lstrip(body).starts_with(kMarkerPrefix); }

bool is_comment_of(std::string_view body, std::string_view runner_name) {
  return lstrip(body).starts_with(marker_for(runner_name));
}

std::string format_last_seen(WallTime t) {
  using namespace std::chrono;
  const auto us = floor<microseconds>(t);
  const auto day = floor<days>(us);
  const year_month_day ymd{day};
  const hh_mm_ss hms{us - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string out = buf;
  if (const auto frac = hms.subseconds().count(); frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += "+00:00";
  return out;
}

std::optional<WallTime> parse_last_seen(std::string_view s) {
  using namespace std::chrono;
  std::size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!parse_digits(s, i, 4, y) || !expect(s, i, '-') || !parse_digits(s, i, 2, mo) ||
      !expect(s, i, '-') || !parse_digits(s, i, 2, d)) {
    return std::nullopt;
  }
  if (i >= s.size() || (s[i] != 'T' && s[i] != ' ')) return std::nullopt;
  ++i;
  if (!parse_digits(s, i, 2, h) || !expect(s, i, ':') || !parse_digits(s, i, 2, mi)) {
    return std::nullopt;
  }
  nanoseconds frac{0};
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!parse_digits(s, i, 2, sec)) return std::nullopt;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      std::int64_t v = 0;
      std::size_t n = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (n == 9) return std::nullopt;
        v = v * 10 + (s[i++] - '0');
        ++n;
      }
      if (n == 0) return std::nullopt;
      for (std::size_t k = n; k < 9; ++k) v *= 10;
      frac = nanoseconds{v};
    }
  }
  seconds offset{0};
  if (i < s.size()) {
    const char sign = s[i++];
    if (sign == 'Z') {
      if (i != s.size()) return std::nullopt;
    } else if (sign == '+' || sign == '-') {
      int oh = 0, om = 0, os = 0;
      if (!parse_digits(s, i, 2, oh) || !expect(s, i, ':') || !parse_digits(s, i, 2, om)) {
        return std::nullopt;
      }
      if (i < s.size() && (!expect(s, i, ':') || !parse_digits(s, i, 2, os))) return std::nullopt;
      if (i != s.size() || oh > 23 || om > 59 || os > 59) return std::nullopt;
      offset = hours{oh} + minutes{om} + seconds{os};
      if (sign == '-') offset = -offset;
    } else {
      return std::nullopt;
    }
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  // In seconds first: any year 0000-9999 fits there, and only the checked range is converted to
  // WallTime's nanoseconds (which would overflow outside 1677-2262).
  const sys_seconds utc = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} - offset;
  if (utc < sys_days{year{kMinLastSeenYear} / January / 1} ||
      utc >= sys_days{year{kMaxLastSeenYear + 1} / January / 1}) {
    return std::nullopt;
  }
  return time_point_cast<WallClock::duration>(utc) + duration_cast<WallClock::duration>(frac);
}

Result<std::string> build_comment_body(const PeerRecord& r) {
  if (r.runner_name.empty() || r.runner_name.find("-->") != std::string::npos) {
    return Error::malformed;
  }
  for (char c : r.runner_name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return Error::malformed;
  }
  if (r.metadata.size() > kMaxMetadataEntries) return Error::too_large;
  for (std::string_view f : {std::string_view(r.runner_name), std::string_view(r.peer_id),
                             std::string_view(r.multiaddr)}) {
    if (f.size() > kMaxFieldBytes) return Error::too_large;
  }
  if (r.public_ip && r.public_ip->size() > kMaxFieldBytes) return Error::too_large;
  for (const auto& [k, v] : r.metadata) {
    if (k.size() > kMaxFieldBytes || v.size() > kMaxFieldBytes) return Error::too_large;
  }

  std::string json = "{\n  \"last_seen\": ";
  append_py_string(json, format_last_seen(r.last_seen));
  json += ",\n  \"listen_port\": " + std::to_string(r.listen_port);
  json += ",\n  \"metadata\": ";
  if (r.metadata.empty()) {
    json += "{}";
  } else {
    json += "{";
    bool first = true;
    for (const auto& [k, v] : r.metadata) {  // std::map: byte order = code point order
      json += first ? "\n    " : ",\n    ";
      first = false;
      if (!append_py_string(json, k)) return Error::malformed;
      json += ": ";
      if (!append_py_string(json, v)) return Error::malformed;
    }
    json += "\n  }";
  }
  json += ",\n  \"multiaddr\": ";
  if (!append_py_string(json, r.multiaddr)) return Error::malformed;
  json += ",\n  \"peer_id\": ";
  if (!append_py_string(json, r.peer_id)) return Error::malformed;
  json += ",\n  \"public_ip\": ";
  if (r.public_ip) {
    if (!append_py_string(json, *r.public_ip)) return Error::malformed;
  } else {
    json += "null";
  }
  json += ",\n  \"runner_name\": ";
  if (!append_py_string(json, r.runner_name)) return Error::malformed;
  json += "\n}";

  std::string body = marker_for(r.runner_name);
  body += "\n```json\n";
  body += json;
  body += "\n```\n";
  if (body.size() > kMaxCommentBytes) return Error::too_large;
  return body;
}

Result<PeerRecord> parse_comment_body(std::string_view body) {
  if (!is_registry_comment(body)) return Error::not_found;
  if (body.size() > kMaxCommentBytes) return Error::too_large;
  const std::string_view text = lstrip(body);
  const auto close = text.find("-->", kMarkerPrefix.size());
  if (close == std::string_view::npos) return Error::malformed;
  const std::string_view marker_name =
      strip(text.substr(kMarkerPrefix.size(), close - kMarkerPrefix.size()));

  const auto fence = text.find("```json", close);
  if (fence == std::string_view::npos) return Error::malformed;
  const auto line_end = text.find('\n', fence);
  if (line_end == std::string_view::npos) return Error::malformed;
  const auto start = line_end + 1;
  const auto end = text.rfind("```");
  if (end == std::string_view::npos || end < start) return Error::malformed;
  const std::string_view payload = text.substr(start, end - start);

  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  boost::json::value v;
  try {
    v = boost::json::parse(payload, ec, {}, options);
  } catch (const std::exception&) {  // allocation failure only: parse() reports errors in ec
    return Error::malformed;
  }
  if (ec || !v.is_object()) return Error::malformed;
  const auto& o = v.get_object();

  PeerRecord r;
  auto peer_id = string_field(o, "peer_id");
  auto multiaddr = string_field(o, "multiaddr");
  auto last_seen = string_field(o, "last_seen");
  if (!peer_id || !multiaddr || !last_seen) return Error::malformed;
  if (peer_id->size() > kMaxFieldBytes || multiaddr->size() > kMaxFieldBytes ||
      last_seen->size() > kMaxFieldBytes) {
    return Error::too_large;
  }
  auto seen = parse_last_seen(*last_seen);
  if (!seen) return Error::malformed;
  r.peer_id = std::move(*peer_id);
  r.multiaddr = std::move(*multiaddr);
  r.last_seen = *seen;

  if (auto it = o.find("listen_port"); it != o.end() && !it->value().is_null()) {
    // Python's json writes ints; bool is a distinct JSON type and rejected here.
    const auto& p = it->value();
    std::int64_t port = -1;
    if (p.is_int64()) port = p.get_int64();
    if (p.is_uint64() && p.get_uint64() <= 65535) port = static_cast<std::int64_t>(p.get_uint64());
    if (port < 0 || port > 65535) return Error::malformed;
    r.listen_port = static_cast<std::uint16_t>(port);
  }
  if (auto it = o.find("public_ip"); it != o.end() && !it->value().is_null()) {
    auto ip = string_field(o, "public_ip");
    if (!ip) return Error::malformed;
    if (ip->size() > kMaxFieldBytes) return Error::too_large;
    if (!ip->empty()) r.public_ip = std::move(*ip);
  }
  if (auto name = string_field(o, "runner_name")) {
    if (name->size() > kMaxFieldBytes) return Error::too_large;
    r.runner_name = std::move(*name);
  }
  if (r.runner_name.empty()) {
    if (marker_name.size() > kMaxFieldBytes) return Error::too_large;
    // The JSON's strings are UTF-8 by construction; the marker is raw bytes.
    if (!is_utf8(marker_name)) return Error::malformed;
    r.runner_name = std::string(marker_name);
  }
  if (auto it = o.find("metadata"); it != o.end() && it->value().is_object()) {
    const auto& m = it->value().get_object();
    if (m.size() > kMaxMetadataEntries) return Error::too_large;
    for (const auto& kv : m) {
      std::string value = kv.value().is_string() ? std::string(kv.value().get_string())
                                                 : boost::json::serialize(kv.value());
      if (kv.key().size() > kMaxFieldBytes || value.size() > kMaxFieldBytes) {
        return Error::too_large;
      }
      r.metadata[std::string(kv.key())] = std::move(value);
    }
  }
  return r;
}

}  // namespace ipfsa::registry
