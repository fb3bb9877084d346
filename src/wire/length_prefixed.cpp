#include "wire/length_prefixed.hpp"

#include <algorithm>

namespace ipfsa::wire {

LengthPrefixedReader::LengthPrefixedReader(std::size_t max_message_size) noexcept
    : max_(max_message_size),
      max_header_size_(std::min(uvarint_size(max_message_size), kMaxUvarintBytes)) {}

Result<std::optional<Bytes>> LengthPrefixedReader::read(ByteView& in) {
  if (failed_) return Error::invalid_state;
  auto fail = [this](Error e) -> Result<std::optional<Bytes>> {
    failed_ = true;
    return e;
  };

  if (!body_expected_) {
    // The prefix may be split across reads: collect it byte by byte, never taking a byte that
    // belongs to the body.
    while (!in.empty()) {
      const std::uint8_t b = in.front();
      in = in.subspan(1);
      header_[header_size_++] = b;
      if (b & 0x80) {
        // More prefix bytes follow. A prefix already as long as the longest one the limit allows
        // can only end above the limit (or be non-minimal): refuse it before reading on.
        if (header_size_ == kMaxUvarintBytes) return fail(Error::malformed);
        if (header_size_ >= max_header_size_) return fail(Error::too_large);
        continue;
      }
      auto length = decode_uvarint(ByteView(header_.data(), header_size_));
      header_size_ = 0;
      if (!length) {
        return fail(length.error() == Error::non_canonical ? Error::non_canonical
                                                           : Error::malformed);
      }
      if (length->value > max_) return fail(Error::too_large);
      length_ = static_cast<std::size_t>(length->value);
      body_.clear();
      body_expected_ = true;
      break;
    }
    if (!body_expected_) return std::optional<Bytes>{};
  }

  // The body grows with what arrived, never by the declared length alone.
  const std::size_t take = std::min(length_ - body_.size(), in.size());
  body_.insert(body_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
  in = in.subspan(take);
  if (body_.size() < length_) return std::optional<Bytes>{};
  body_expected_ = false;
  Bytes message = std::move(body_);
  body_ = Bytes{};
  return std::optional<Bytes>(std::move(message));
}

}  // namespace ipfsa::wire
