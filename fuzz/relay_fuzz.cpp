// Circuit relay v2 decoders on arbitrary bytes: decode_hop, decode_stop and open_voucher never
// crash and respect their bounds, and a message either decoder accepts re-encodes to something
// no larger that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/relay/relay.hpp"
#include "proto/relay/voucher.hpp"

namespace relay = ipfsa::proto::relay;

namespace {

void check_peer(const std::optional<relay::Peer>& peer) {
  if (peer && peer->addrs.size() > relay::kMaxAddrsPerPeer) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ipfsa::ByteView in(data, size);

  if (auto hop = relay::decode_hop(in)) {
    check_peer(hop->peer);
    if (hop->reservation && hop->reservation->addrs.size() > relay::kMaxReservationAddrs) {
      std::abort();
    }
    const ipfsa::Bytes again = relay::encode_hop(*hop);
    if (again.size() > size) std::abort();  // dropping unknown/duplicate fields never grows it
    auto back = relay::decode_hop(again);
    if (!back || !(*back == *hop)) std::abort();
    if (hop->reservation && hop->reservation->voucher) {
      (void)relay::open_voucher(*hop->reservation->voucher);
    }
    if (hop->peer) (void)relay::parse_addrs(hop->peer->addrs);
  }

  if (auto stop = relay::decode_stop(in)) {
    check_peer(stop->peer);
    const ipfsa::Bytes again = relay::encode_stop(*stop);
    if (again.size() > size) std::abort();
    auto back = relay::decode_stop(again);
    if (!back || !(*back == *stop)) std::abort();
  }

  (void)relay::open_voucher(in);
  return 0;
}
