// IP address literals for multiaddr text: parsing and canonical printing without any socket
// library (so the pure layers stay fuzzable and locale-free).
//   IPv4: exactly four decimal parts 0..255, no leading zeros ("010" is rejected: inet_aton would
//         read it as octal), no other forms.
//   IPv6: RFC 4291 section 2.2 text: eight groups of 1-4 hex digits, one "::" for one or more zero
//         groups, an optional trailing dotted IPv4 part. No zone ("%eth0"): multiaddr carries zones
//         in a separate ip6zone component, which we do not support.
// Output follows RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of two
// or more zero groups as "::", and IPv4-mapped addresses as "::ffff:a.b.c.d" (section 5).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipfsa::wire {

using Ip4Bytes = std::array<std::uint8_t, 4>;
using Ip6Bytes = std::array<std::uint8_t, 16>;

// Longest IPv6 text we read ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").
inline constexpr std::size_t kMaxIp6TextSize = 45;

std::optional<Ip4Bytes> parse_ip4(std::string_view text) noexcept;
std::optional<Ip6Bytes> parse_ip6(std::string_view text) noexcept;
std::string format_ip4(const Ip4Bytes& ip);
std::string format_ip6(const Ip6Bytes& ip);

}  // namespace ipfsa::wire
