#include "wire/varint.hpp"

namespace ipfsa::wire {

Result<Uvarint> decode_uvarint(ByteView in) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (i == kMaxUvarintBytes) return Error::malformed;
    const std::uint8_t b = in[i];
    value |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return Error::non_canonical;
      return Uvarint{value, i + 1};
    }
  }
  if (in.size() >= kMaxUvarintBytes) return Error::malformed;
  return Error::truncated;
}

void append_uvarint(Bytes& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

Bytes encode_uvarint(std::uint64_t value) {
  Bytes out;
  append_uvarint(out, value);
  return out;
}

std::size_t uvarint_size(std::uint64_t value) noexcept {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

Result<std::uint64_t> Reader::uvarint() noexcept {
  auto v = decode_uvarint(in_);
  if (!v) return v.error();
  in_ = in_.subspan(v->size);
  return v->value;
}

Result<ByteView> Reader::take(std::size_t n) noexcept {
  if (n > in_.size()) return Error::truncated;
  ByteView out = in_.first(n);
  in_ = in_.subspan(n);
  return out;
}

Result<ByteView> Reader::length_prefixed(std::size_t max_len) noexcept {
  auto v = decode_uvarint(in_);
  if (!v) return v.error();
  if (v->value > max_len) return Error::too_large;
  if (v->value > in_.size() - v->size) return Error::truncated;
  ByteView out = in_.subspan(v->size, static_cast<std::size_t>(v->value));
  in_ = in_.subspan(v->size + static_cast<std::size_t>(v->value));
  return out;
}

}  // namespace ipfsa::wire
