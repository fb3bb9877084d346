// Incremental reader for uvarint-length-prefixed messages (multistream-select lines, identify,
// gossipsub RPCs): `uvarint(length) || length bytes`, the uvarint per multiformats/unsigned-varint
// (minimal, at most 9 bytes). The reader consumes input only up to the end of the current message,
// so bytes that follow a message stay with the caller (multistream hands them to the negotiated
// protocol). A declared length above the reader's maximum is rejected as soon as the varint is
// complete, before anything is buffered; a varint that already needs more bytes than the maximum
// could take is rejected too.
//
//   wire::LengthPrefixedReader reader(kMaxMessageSize);
//   while (!input.empty()) {
//     auto message = reader.read(input);        // advances `input`
//     if (!message) return message.error();     // fatal: drop the stream
//     if (!*message) break;                     // all of `input` consumed, message incomplete
//     handle(**message);
//   }
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/varint.hpp"

namespace ipfsa::wire {

class LengthPrefixedReader {
 public:
  // `max_message_size` bounds the declared length (the prefix itself is not counted).
  explicit LengthPrefixedReader(std::size_t max_message_size) noexcept;

  // Consumes bytes from the front of `in` (advancing it) until one whole message is available or
  // `in` is exhausted. Returns the message (possibly empty: a zero length is legal on the wire) or
  // nullopt when more input is needed. Errors are fatal (the reader then refuses further input
  // with invalid_state): too_large (declared length above the maximum), non_canonical (a
  // non-minimal varint), malformed (a varint longer than 9 bytes).
  Result<std::optional<Bytes>> read(ByteView& in);

  // True when no partial prefix or body is buffered: an end of stream here is clean.
  bool at_boundary() const noexcept { return header_size_ == 0 && !body_expected_; }
  std::size_t max_message_size() const noexcept { return max_; }

 private:
  std::size_t max_;
  std::size_t max_header_size_;  // bytes of uvarint needed to express max_
  std::array<std::uint8_t, kMaxUvarintBytes> header_{};
  std::size_t header_size_ = 0;
  bool body_expected_ = false;  // the prefix is complete; body_ is being filled up to length_
  std::size_t length_ = 0;
  Bytes body_;
  bool failed_ = false;
};

}  // namespace ipfsa::wire
