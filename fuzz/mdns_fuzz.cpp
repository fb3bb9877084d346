// The mDNS packet decoder and the libp2p response/query logic on arbitrary bytes: never crashes,
// respects its bounds, re-encodes what it accepts to something that decodes to the same message,
// and turns any peers it finds into a response that parses back to them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>
#include <vector>

#include "proto/mdns/discovery.hpp"
#include "proto/mdns/dns_message.hpp"

namespace mdns = ipfsa::proto::mdns;

namespace {

const ipfsa::wire::PeerId& self() {
  static const auto id =
      *ipfsa::wire::PeerId::parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  return id;
}

void check_bounds(const mdns::Message& m) {
  const std::size_t total =
      m.questions.size() + m.answers.size() + m.authorities.size() + m.additionals.size();
  if (total > mdns::kMaxRecords) std::abort();
  for (const auto* section : {&m.answers, &m.authorities, &m.additionals}) {
    for (const auto& r : *section) {
      if (r.name.size() > mdns::kMaxNameLength) std::abort();
      if (const auto* txt = std::get_if<mdns::TxtData>(&r.data);
          txt && txt->strings.size() > mdns::kMaxTxtStrings)
        std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = mdns::decode(ipfsa::ByteView(data, size));
  if (!m) return 0;
  if (size > mdns::kMaxMdnsPacketBytes) std::abort();
  check_bounds(*m);

  // Decompressed names can make the re-encoding larger than the packet; only that may fail.
  auto again = mdns::encode(*m);
  if (!again) {
    if (again.error() != ipfsa::Error::too_large) std::abort();
  } else {
    auto back = mdns::decode(*again);
    if (!back || !(*back == *m)) std::abort();
  }

  if (mdns::match_service_query(*m)) {
    static const std::vector<ipfsa::wire::Multiaddr> ours = {
        *ipfsa::wire::Multiaddr::parse("/ip4/192.168.1.2/tcp/4001")};
    auto reply = mdns::build_legacy_response(*m, "fuzz", self(), ours);
    if (!reply) std::abort();
    auto decoded = mdns::decode(*reply);
    if (!decoded || decoded->id != m->id || decoded->questions.size() != 1) std::abort();
  }
  for (const auto& peer : mdns::parse_response(*m, self())) {
    if (peer.id == self() || peer.addrs.empty() || peer.addrs.size() > mdns::kMaxAddrsPerPeer)
      std::abort();
    auto response = mdns::build_response("fuzz", peer.id, peer.addrs);
    if (!response) continue;  // every address too long for a TXT string
    auto decoded = mdns::decode(*response);
    if (!decoded) std::abort();
    auto found = mdns::parse_response(*decoded, self());
    if (found.size() != 1 || found[0].id != peer.id) std::abort();
  }
  return 0;
}
