#include "wire/ip_text.hpp"

#include <algorithm>

namespace ipfsa::wire {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `part` (no "::" inside) into 16-bit groups; `allow_ip4` lets the last piece be a dotted
// IPv4 address (two groups). Returns the number of groups written, or -1.
int parse_groups(std::string_view part, bool allow_ip4, std::uint16_t* out, int max) noexcept {
  if (part.empty()) return 0;
  int count = 0;
  while (true) {
    const std::size_t colon = part.find(':');
    const std::string_view piece = part.substr(0, colon);
    const bool last = colon == std::string_view::npos;
    if (last && allow_ip4 && piece.find('.') != std::string_view::npos) {
      auto ip4 = parse_ip4(piece);
      if (!ip4 || count + 2 > max) return -1;
      out[count++] = static_cast<std::uint16_t>(((*ip4)[0] << 8) | (*ip4)[1]);
      out[count++] = static_cast<std::uint16_t>(((*ip4)[2] << 8) | (*ip4)[3]);
      return count;
    }
    if (piece.empty() || piece.size() > 4 || count + 1 > max) return -1;
    std::uint16_t group = 0;
    for (char c : piece) {
      const int v = hex_value(c);
      if (v < 0) return -1;
      group = static_cast<std::uint16_t>((group << 4) | v);
    }
    out[count++] = group;
    if (last) return count;
    part = part.substr(colon + 1);
  }
}

}  // namespace

std::optional<Ip4Bytes> parse_ip4(std::string_view text) noexcept {
  Ip4Bytes out{};
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = text.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;  // exactly 3 dots
    const std::string_view part = text.substr(0, dot);
    if (part.empty() || part.size() > 3) return std::nullopt;
    if (part.size() > 1 && part[0] == '0') return std::nullopt;  // no octal-looking parts
    unsigned value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 255) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(value);
    text = i < 3 ? text.substr(dot + 1) : std::string_view{};
  }
  return out;
}

std::optional<Ip6Bytes> parse_ip6(std::string_view text) noexcept {
  if (text.size() < 2 || text.size() > kMaxIp6TextSize) return std::nullopt;
  std::uint16_t head[8] = {};
  std::uint16_t tail[8] = {};
  int head_count = 0;
  int tail_count = 0;
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    head_count = parse_groups(text, true, head, 8);
    if (head_count != 8) return std::nullopt;
  } else {
    const std::string_view left = text.substr(0, gap);
    const std::string_view right = text.substr(gap + 2);
    if (right.find("::") != std::string_view::npos) return std::nullopt;
    head_count = parse_groups(left, false, head, 7);
    if (head_count < 0) return std::nullopt;
    tail_count = parse_groups(right, true, tail, 7 - head_count);
    // "::" stands for at least one zero group (RFC 4291 section 2.2, item 2).
    if (tail_count < 0 || head_count + tail_count > 7) return std::nullopt;
  }
  std::uint16_t groups[8] = {};
  std::copy(head, head + head_count, groups);
  std::copy(tail, tail + tail_count, groups + 8 - tail_count);
  Ip6Bytes out{};
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(groups[i]);
  }
  return out;
}

std::string format_ip4(const Ip4Bytes& ip) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if (i) out.push_back('.');
    out += std::to_string(ip[i]);
  }
  return out;
}

std::string format_ip6(const Ip6Bytes& ip) {
  // RFC 5952 section 5: IPv4-mapped addresses keep their dotted tail.
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix, kMappedPrefix + 12, ip.begin())) {
    return "::ffff:" + format_ip4({ip[12], ip[13], ip[14], ip[15]});
  }
  std::uint16_t groups[8];
  for (int i = 0; i < 8; ++i)
    groups[i] = static_cast<std::uint16_t>((ip[2 * i] << 8) | ip[2 * i + 1]);
  // RFC 5952 section 4.2: compress the longest run of >= 2 zero groups, the first one on a tie.
  int best_start = -1;
  int best_len = 1;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int nibble = (groups[i] >> shift) & 0xf;
      if (nibble || started || shift == 0) {
        out.push_back(kHex[nibble]);
        started = true;
      }
    }
  }
  return out;
}

}  // namespace ipfsa::wire
