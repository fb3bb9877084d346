// Byte vocabulary: owning Bytes, non-owning ByteView, and small helpers for big-endian integers
// and hex (hex is for tests, logs and key files; multibase lives in wire/).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipfsa {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Bytes to_bytes(std::string_view s) { return {s.begin(), s.end()}; }
inline std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

inline void append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

// Lowercase hex of `b`.
std::string hex_encode(ByteView b);
// Accepts upper or lower case; nullopt on odd length or a non-hex character.
std::optional<Bytes> hex_decode(std::string_view s);

inline void store_be16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace ipfsa
