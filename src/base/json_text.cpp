#include "base/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <system_error>

namespace ipfsa {

std::string plain_json_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[i + 1];  // an escaped character never ends the string
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      out += c;
      ++i;
      continue;
    }
    // A number token: up to the next structural character or space.
    std::size_t end = i;
    bool exponent = false;
    while (end < text.size() && text[end] != ',' && text[end] != '}' && text[end] != ']' &&
           text[end] != ' ' && text[end] != '\n' && text[end] != '\t' && text[end] != '\r') {
      exponent = exponent || text[end] == 'e' || text[end] == 'E';
      ++end;
    }
    const std::string_view token = text.substr(i, end - i);
    double value = 0;
    char buffer[32];
    if (exponent &&
        std::from_chars(token.data(), token.data() + token.size(), value).ec == std::errc{} &&
        std::isfinite(value)) {
      // Shortest round trip, fixed or scientific, whichever is shorter (as Python's repr).
      const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
      out.append(buffer, written.ptr);
    } else {
      out.append(token);
    }
    i = end;
  }
  return out;
}

std::string json_text(const boost::json::value& v) {
  return plain_json_numbers(boost::json::serialize(v));
}

}  // namespace ipfsa
