// Yamux frame header codec (libp2p/specs yamux/README.md, "Framing"). A frame is a 12-byte
// big-endian header, followed by `length` payload bytes for data frames only:
//
//   version u8 (0) | type u8 | flags u16 | stream id u32 | length u32
//
// For window updates `length` is the window increase, for pings an opaque value to echo, for
// go away the reason code. Payloads are not handled here; the Session streams them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::proto::yamux {

using StreamId = std::uint32_t;

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::uint8_t kVersion = 0;

enum class FrameType : std::uint8_t { data = 0, window_update = 1, ping = 2, go_away = 3 };

// Flag bits (spec "Flag Field").
inline constexpr std::uint16_t kFlagSyn = 0x1;
inline constexpr std::uint16_t kFlagAck = 0x2;
inline constexpr std::uint16_t kFlagFin = 0x4;
inline constexpr std::uint16_t kFlagRst = 0x8;

// Go away reason codes (spec "Session termination").
inline constexpr std::uint32_t kGoAwayNormal = 0;
inline constexpr std::uint32_t kGoAwayProtocolError = 1;
inline constexpr std::uint32_t kGoAwayInternalError = 2;

struct Header {
  FrameType type = FrameType::data;
  std::uint16_t flags = 0;
  StreamId stream = 0;
  std::uint32_t length = 0;

  bool has(std::uint16_t flag) const { return (flags & flag) != 0; }
  friend bool operator==(const Header&, const Header&) = default;
};

// Writes exactly kHeaderSize bytes at `out`.
void encode_header(const Header& header, std::uint8_t* out) noexcept;
// Appends the encoded header to `out`.
void append_header(Bytes& out, const Header& header);

// Decodes the first kHeaderSize bytes of `bytes` (extra bytes are ignored).
// Errors: truncated (fewer than 12 bytes), protocol_violation (version != 0 or type > 3). Flags are
// returned as sent, including unknown bits.
Result<Header> decode_header(ByteView bytes) noexcept;

}  // namespace ipfsa::proto::yamux
