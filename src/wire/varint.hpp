// Unsigned varint (multiformats/unsigned-varint): 7 bits per byte, little-endian groups, MSB set on
// all but the last byte. Multiformats rules: at most 9 bytes (63 bits) and minimal encoding only
// ("non-canonical" trailing 0x80 0x00 forms are rejected). Protobuf varints differ (10 bytes,
// non-minimal tolerated): see protobuf.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::wire {

inline constexpr std::size_t kMaxUvarintBytes = 9;

struct Uvarint {
  std::uint64_t value;
  std::size_t size;  // bytes consumed
};

// Errors: truncated (ran out of input: more bytes may complete it), malformed (longer than 9 bytes),
// non_canonical (a longer-than-necessary encoding).
Result<Uvarint> decode_uvarint(ByteView in) noexcept;

// REQUIRES: value < 2^63.
void append_uvarint(Bytes& out, std::uint64_t value);
Bytes encode_uvarint(std::uint64_t value);
std::size_t uvarint_size(std::uint64_t value) noexcept;

// A cursor over a buffer for decoders: every read checks bounds and advances only on success.
class Reader {
 public:
  explicit Reader(ByteView in) noexcept : in_(in) {}
  Result<std::uint64_t> uvarint() noexcept;
  Result<ByteView> take(std::size_t n) noexcept;
  // uvarint length followed by that many bytes; length above max_len is too_large.
  Result<ByteView> length_prefixed(std::size_t max_len) noexcept;
  ByteView rest() const noexcept { return in_; }
  bool empty() const noexcept { return in_.empty(); }
  std::size_t consumed_from(ByteView original) const noexcept {
    return original.size() - in_.size();
  }

 private:
  ByteView in_;
};

}  // namespace ipfsa::wire
