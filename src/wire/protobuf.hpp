// Minimal protobuf (proto2/proto3 wire format) glue for the handful of small messages libp2p uses
// (PublicKey, Noise payload, identify, gossipsub RPC). Hand-written so the pure layers stay free of
// libprotobuf and fuzzable. Only wire types 0 (varint) and 2 (length-delimited) are produced;
// 1 (fixed64) and 5 (fixed32) are skipped on read; groups (3, 4) are malformed.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::wire::pb {

enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, len = 2, fixed32 = 5 };

// Writer: appends fields in the order called (callers emit fields in field-number order, which
// makes the encoding deterministic, as the peer-id spec requires for PublicKey).
class Writer {
 public:
  void varint(std::uint32_t field, std::uint64_t value);
  void bytes(std::uint32_t field, ByteView value);
  void string(std::uint32_t field, std::string_view value) { bytes(field, as_bytes(value)); }
  const Bytes& data() const& noexcept { return out_; }
  Bytes take() && noexcept { return std::move(out_); }

 private:
  Bytes out_;
};

struct Field {
  std::uint32_t number;
  WireType type;
  std::uint64_t varint;  // for WireType::varint (and the raw value of fixed32/fixed64)
  ByteView bytes;        // for WireType::len
};

// Iterates over the fields of one message. next() returns false at the clean end of input; an
// error (truncated, malformed, too_large) ends iteration: check error() after the loop.
//   pb::Reader r(msg);
//   pb::Field f;
//   while (r.next(f)) { switch (f.number) { ... } }
//   if (r.error()) return r.error();
class Reader {
 public:
  explicit Reader(ByteView in) noexcept : in_(in) {}
  bool next(Field& out) noexcept;
  boost::system::error_code error() const noexcept { return error_; }

 private:
  ByteView in_;
  boost::system::error_code error_;
};

// A 10-byte protobuf varint (non-minimal forms accepted, as protobuf does).
Result<std::uint64_t> read_varint(ByteView& in) noexcept;

}  // namespace ipfsa::wire::pb
