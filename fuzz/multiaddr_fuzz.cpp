// Multiaddr decoders. Input byte 0 picks the mode; the rest is the input.
//   binary: from_bytes -> bytes() must reproduce the input; to_string -> parse must give the same
//           bytes back (binary and text agree).
//   text:   parse -> to_string -> parse must be stable (same bytes, same text).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/multiaddr.hpp"

using ipfsa::ByteView;
using ipfsa::wire::Multiaddr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  if (data[0] & 1) {
    auto ma = Multiaddr::from_bytes(input);
    if (!ma) return 0;
    if (!std::equal(ma->bytes().begin(), ma->bytes().end(), input.begin(), input.end())) abort();
    auto again = Multiaddr::parse(ma->to_string());
    if (!again || again->bytes() != ma->bytes()) abort();
    (void)ma->tcp_target();
    (void)ma->peer_id();
    if (ma->without_peer_id().to_string().size() > ma->to_string().size()) abort();
  } else {
    const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    auto ma = Multiaddr::parse(text);
    if (!ma) return 0;
    const std::string printed = ma->to_string();
    auto again = Multiaddr::parse(printed);
    if (!again || again->bytes() != ma->bytes() || again->to_string() != printed) abort();
    auto decoded = Multiaddr::from_bytes(ma->bytes());
    if (!decoded || decoded->components() != ma->components()) abort();
  }
  return 0;
}
