#include "wire/protobuf.hpp"

#include "wire/varint.hpp"

namespace ipfsa::wire::pb {

void Writer::varint(std::uint32_t field, std::uint64_t value) {
  append_uvarint(out_, (std::uint64_t{field} << 3) | 0);
  // Protobuf varints may carry full 64-bit values (10 bytes).
  while (value >= 0x80) {
    out_.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<std::uint8_t>(value));
}

void Writer::bytes(std::uint32_t field, ByteView value) {
  append_uvarint(out_, (std::uint64_t{field} << 3) | 2);
  append_uvarint(out_, value.size());
  append(out_, value);
}

Result<std::uint64_t> read_varint(ByteView& in) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < in.size() && i < 10; ++i) {
    const std::uint8_t b = in[i];
    if (i == 9 && b > 1) return Error::malformed;  // would overflow 64 bits
    value |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      in = in.subspan(i + 1);
      return value;
    }
  }
  return in.size() >= 10 ? Result<std::uint64_t>(Error::malformed)
                         : Result<std::uint64_t>(Error::truncated);
}

bool Reader::next(Field& out) noexcept {
  if (error_ || in_.empty()) return false;
  auto fail = [&](Error e) {
    error_ = e;
    return false;
  };
  auto key = read_varint(in_);
  if (!key) return fail(key.error() == Error::truncated ? Error::truncated : Error::malformed);
  const std::uint64_t number = *key >> 3;
  if (number == 0 || number > 0x1fffffff) return fail(Error::malformed);
  out = Field{static_cast<std::uint32_t>(number), WireType::varint, 0, {}};
  switch (*key & 7) {
    case 0: {
      auto v = read_varint(in_);
      if (!v) return fail(v.error() == Error::truncated ? Error::truncated : Error::malformed);
      out.varint = *v;
      return true;
    }
    case 1:
    case 5: {
      const std::size_t n = (*key & 7) == 1 ? 8 : 4;
      if (in_.size() < n) return fail(Error::truncated);
      out.type = n == 8 ? WireType::fixed64 : WireType::fixed32;
      for (std::size_t i = 0; i < n; ++i) out.varint |= std::uint64_t{in_[i]} << (8 * i);
      in_ = in_.subspan(n);
      return true;
    }
    case 2: {
      auto len = read_varint(in_);
      if (!len) return fail(len.error() == Error::truncated ? Error::truncated : Error::malformed);
      if (*len > in_.size()) return fail(Error::truncated);
      out.type = WireType::len;
      out.bytes = in_.first(static_cast<std::size_t>(*len));
      in_ = in_.subspan(static_cast<std::size_t>(*len));
      return true;
    }
    default:
      return fail(Error::malformed);
  }
}

}  // namespace ipfsa::wire::pb
