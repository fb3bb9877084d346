// Kademlia: kad::decode on arbitrary bytes (bounds hold, whatever decodes re-encodes to the same
// value), then what our server does with it as a request from two senders (the answer fits the
// message bound and decodes back), and a lookup fed it as an answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/kad/handler.hpp"
#include "proto/kad/lookup.hpp"
#include "proto/kad/message.hpp"
#include "wire/multihash.hpp"

namespace {

using namespace ipfsa;
namespace kad = ipfsa::proto::kad;

wire::PeerId peer(std::uint32_t n) {
  const std::string seed = "kad fuzz peer " + std::to_string(n);
  return *wire::PeerId::from_bytes(wire::sha256_multihash(as_bytes(seed)));
}

Bytes addr(std::uint16_t port) {
  Bytes a = *hex_decode("047f00000106");
  a.push_back(static_cast<std::uint8_t>(port >> 8));
  a.push_back(static_cast<std::uint8_t>(port));
  return a;
}

struct Fixture {
  Fixture() {
    for (std::uint32_t n = 1; n <= 64; ++n) {
      table.try_add(peer(n), std::vector<Bytes>{addr(static_cast<std::uint16_t>(n))}, now);
    }
  }
  kad::RoutingTable table{peer(0)};
  kad::ProviderStore providers;
  std::vector<Bytes> self_addrs = {addr(9000)};
  kad::Server server{table, providers, self_addrs};
  TimePoint now{};
};

void check_bounds(const kad::Message& m) {
  if (m.closer_peers.size() > kad::kMaxCloserPeers) std::abort();
  if (m.provider_peers.size() > kad::kMaxProviderPeers) std::abort();
  if (m.key.size() > kad::kMaxKeySize) std::abort();
  for (const auto* list : {&m.closer_peers, &m.provider_peers}) {
    for (const kad::Peer& p : *list) {
      if (p.addrs.size() > kad::kMaxAddrsPerPeer) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  f.now += std::chrono::hours(1);  // records added by earlier inputs expire as time goes by

  auto m = kad::decode(ByteView(data, size));
  if (!m) return 0;
  check_bounds(*m);
  kad::Message plain = *m;
  plain.dropped_peers = 0;
  // (Re-encoding can only grow by a negative clusterLevel sent in 5 bytes instead of 10.)
  if (size + 5 <= kad::kMaxMessageSize) {
    auto back = kad::decode(kad::encode(*m));
    if (!back || !(*back == plain)) std::abort();
  }

  // As a request, from a peer we know and from one we do not (who may name itself a provider).
  for (const wire::PeerId& sender :
       {peer(1), m->provider_peers.empty() ? peer(999) : m->provider_peers[0].id}) {
    auto answer = kad::handle_request(f.server, *m, sender, f.now);
    if (!answer || !*answer) continue;
    const Bytes body = kad::encode(**answer);
    if (body.size() > kad::kMaxMessageSize) std::abort();
    auto again = kad::decode(body);
    if (!again || !(*again == **answer)) std::abort();
  }
  if (f.providers.key_count() > kad::kMaxProviderKeys) std::abort();
  if (f.providers.size() > kad::kMaxProviderKeys * kad::kMaxProvidersPerKey) std::abort();

  // As an answer to a lookup.
  kad::Lookup lookup(m->key, kad::LookupKind::get_providers, peer(0),
                     f.table.closest(kad::key_of(m->key), kad::kBucketSize));
  for (int round = 0; round < 4 && !lookup.done(); ++round) {
    for (const kad::Peer& p : lookup.next()) lookup.on_response(p.id, *m);
  }
  if (lookup.candidate_count() > kad::kMaxLookupCandidates) std::abort();
  if (lookup.in_flight() > kad::kAlpha) std::abort();
  auto r = lookup.result();
  if (r.closest.size() > kad::kBucketSize || r.providers.size() > kad::kMaxLookupProviders) {
    std::abort();
  }
  return 0;
}
