#include "github/link.hpp"

#include "base/ascii.hpp"

namespace ipfsa::github {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t'; }

void skip_ws(std::string_view s, std::size_t& i) {
  while (i < s.size() && is_ws(s[i])) ++i;
}

// Reads a parameter value: a quoted-string (with \-escapes) or a token, up to ';' or ','.
Result<std::string> read_value(std::string_view s, std::size_t& i) {
  std::string out;
  if (i < s.size() && s[i] == '"') {
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i++]);
    }
    if (i >= s.size()) return Error::malformed;  // unterminated quoted-string
    ++i;
    return out;
  }
  while (i < s.size() && s[i] != ';' && s[i] != ',' && !is_ws(s[i])) out.push_back(s[i++]);
  return out;
}

}  // namespace

// RFC 8288 §3: Link = #link-value; link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
Result<std::vector<Link>> parse_link_header(std::string_view s) {
  if (s.size() > kMaxLinkHeaderBytes) return Error::too_large;
  std::vector<Link> links;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && (is_ws(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    if (s[i] != '<') return Error::malformed;
    auto close = s.find('>', i + 1);
    if (close == std::string_view::npos) return Error::malformed;
    if (links.size() == kMaxLinks) return Error::too_large;
    Link link;
    link.target = std::string(s.substr(i + 1, close - i - 1));
    i = close + 1;
    while (true) {
      skip_ws(s, i);
      if (i >= s.size() || s[i] == ',') break;
      if (s[i] != ';') return Error::malformed;
      ++i;
      skip_ws(s, i);
      std::size_t name_start = i;
      while (i < s.size() && s[i] != '=' && s[i] != ';' && s[i] != ',' && !is_ws(s[i])) ++i;
      std::string name = ascii_lower(s.substr(name_start, i - name_start));
      skip_ws(s, i);
      std::string value;
      if (i < s.size() && s[i] == '=') {
        ++i;
        skip_ws(s, i);
        auto v = read_value(s, i);
        if (!v) return v.error();
        value = std::move(*v);
      }
      // §3.3: rel may hold several space-separated types; only the first rel param counts.
      if (name == "rel" && link.rels.empty()) {
        std::size_t p = 0;
        while (p < value.size()) {
          while (p < value.size() && is_ws(value[p])) ++p;
          std::size_t q = p;
          while (q < value.size() && !is_ws(value[q])) ++q;
          if (q > p) link.rels.push_back(ascii_lower(std::string_view(value).substr(p, q - p)));
          p = q;
        }
      }
    }
    links.push_back(std::move(link));
  }
  return links;
}

std::optional<std::string> find_link(std::string_view header, std::string_view rel) {
  auto links = parse_link_header(header);
  if (!links) return std::nullopt;
  std::string want = ascii_lower(rel);
  for (auto& link : *links) {
    for (const auto& r : link.rels) {
      if (r == want) return std::move(link.target);
    }
  }
  return std::nullopt;
}

}  // namespace ipfsa::github
