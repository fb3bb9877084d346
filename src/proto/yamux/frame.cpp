#include "proto/yamux/frame.hpp"

namespace ipfsa::proto::yamux {

void encode_header(const Header& header, std::uint8_t* out) noexcept {
  out[0] = kVersion;
  out[1] = static_cast<std::uint8_t>(header.type);
  store_be16(out + 2, header.flags);
  store_be32(out + 4, header.stream);
  store_be32(out + 8, header.length);
}

void append_header(Bytes& out, const Header& header) {
  const std::size_t at = out.size();
  out.resize(at + kHeaderSize);
  encode_header(header, out.data() + at);
}

Result<Header> decode_header(ByteView bytes) noexcept {
  if (bytes.size() < kHeaderSize) return Error::truncated;
  // "Version Field": always 0; js and go treat anything else as a protocol error.
  if (bytes[0] != kVersion) return Error::protocol_violation;
  // "Type Field": 0 data, 1 window update, 2 ping, 3 go away.
  if (bytes[1] > static_cast<std::uint8_t>(FrameType::go_away)) return Error::protocol_violation;
  Header h;
  h.type = static_cast<FrameType>(bytes[1]);
  h.flags = load_be16(bytes.data() + 2);
  h.stream = load_be32(bytes.data() + 4);
  h.length = load_be32(bytes.data() + 8);
  return h;
}

}  // namespace ipfsa::proto::yamux
