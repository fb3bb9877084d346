// Fuzzes the sharing layer's decoders: gossip announcements, cache-protocol requests and responses
// as they arrive from peers, and entry signature checks. Invariants: no crash; anything accepted
// re-encodes to a message that decodes to the same value.
#include <cstdint>
#include <cstdlib>

#include "share/announcement.hpp"
#include "share/cache_protocol.hpp"
#include "share/signed_entry.hpp"

using namespace ipfsa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      if (auto a = share::decode_announcement(in)) {
        auto again = share::decode_announcement(share::encode_announcement(*a));
        if (!again || !(*again == *a)) std::abort();
      }
      break;
    case 1:
      if (auto q = share::decode_request(in)) {
        auto again = share::decode_request(share::encode_request(*q));
        if (!again || !(*again == *q)) std::abort();
        (void)share::recipe_key(q->recipe);
      }
      break;
    case 2:
      if (auto p = share::decode_response(in)) {
        auto again = share::decode_response(share::encode_response(*p));
        if (!again || again->meta != p->meta || again->status != p->status) std::abort();
      }
      break;
    default: {
      // Meta from a peer with the rest of the input as its body, checked as a received entry.
      const std::size_t split = in.empty() ? 0 : in[0] % (in.size());
      auto body = std::make_shared<const std::string>(in.begin() + split, in.end());
      if (auto e = cache::decode_meta(in.first(split), body)) {
        (void)share::verify_entry(*e, std::string(64, '0'));
      }
      break;
    }
  }
  return 0;
}
