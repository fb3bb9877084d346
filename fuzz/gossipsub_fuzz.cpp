// Gossipsub: the RPC decoder (round trip of whatever decodes) and the router's receive path
// (subscriptions, messages, control) from two peers, with heartbeats and drained outputs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/gossipsub/router.hpp"
#include "proto/gossipsub/rpc.hpp"

namespace {

using namespace ipfsa;
namespace gs = ipfsa::proto::gossipsub;

crypto::Ed25519KeyPair key(std::uint8_t fill) {
  return *crypto::Ed25519KeyPair::from_seed(Bytes(32, fill));
}

struct Fixture {
  Fixture() : router(key(1), gs::RouterConfig{}, 42, 1, TimePoint{}) {
    router.subscribe("t");
    router.subscribe("ipfs-accelerate/announce");
    (void)router.add_peer(a, gs::Protocol::v1_2, true);
    (void)router.add_peer(b, gs::Protocol::v1_1, false);
  }
  wire::PeerId a = wire::PeerId::from_public_key(key(2).public_key());
  wire::PeerId b = wire::PeerId::from_public_key(key(3).public_key());
  gs::Router router;
  TimePoint now{};
  std::uint64_t runs = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  auto rpc = gs::decode_rpc(in);
  if (rpc) {
    auto again = gs::decode_rpc(gs::encode_rpc(*rpc));
    if (!again || !(*again == *rpc)) std::abort();
  }

  static Fixture f;
  f.now += std::chrono::milliseconds(100);
  const bool from_a = size == 0 || (data[0] & 1) == 0;
  (void)f.router.handle_input(from_a ? f.a : f.b, in, f.now);
  while (auto m = f.router.poll()) {
    f.router.report_validation(m->id, static_cast<gs::Validation>(m->data.size() % 3));
  }
  f.router.handle_timeout(f.now);  // a heartbeat every 10 inputs (100 ms each)
  for (Bytes rpc; auto t = f.router.poll_transmit(rpc); rpc.clear()) {
    if (t->size != rpc.size() || rpc.size() > gs::kMaxRpcBytes || !gs::decode_rpc(rpc)) {
      std::abort();
    }
  }
  return 0;
}
