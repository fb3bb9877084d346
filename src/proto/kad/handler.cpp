#include "proto/kad/handler.hpp"

namespace ipfsa::proto::kad {
namespace {

// Worst case of what we answer: k closer peers plus kMaxProvidersPerKey providers (plus
// ourselves), each a peer ID and kMaxStoredAddrs addresses of kMaxStoredAddrSize bytes, with
// room for tags and lengths. It must fit what every peer accepts.
constexpr std::size_t kMaxPeerEncoding =
    wire::kMaxPeerIdSize + 8 + kMaxStoredAddrs * (kMaxStoredAddrSize + 8);
static_assert((kBucketSize + 1 + kMaxProvidersPerKey) * kMaxPeerEncoding + kMaxKeySize + 64 <=
                  kMaxMessageSize,
              "our largest answer fits our own (and js's, go's) message bound");

std::vector<Peer> closer_peers(const Server& server, const Message& request,
                               const wire::PeerId& sender) {
  RoutingTable::ClosestOptions options;
  options.exclude = &sender;  // never tell a peer about itself (js does the same)
  options.with_addrs_only = true;
  return server.table.closest(key_of(request.key), kBucketSize, options);
}

Message answer_to(const Message& request) {
  Message out;
  out.type = request.type;
  out.cluster_level = request.cluster_level;
  out.key = request.key;
  return out;
}

}  // namespace

Result<std::optional<Message>> handle_request(const Server& server, const Message& request,
                                              const wire::PeerId& sender, TimePoint now) {
  switch (request.type) {
    case MessageType::find_node: {
      if (request.key.empty()) return Error::protocol_violation;
      Message out = answer_to(request);
      out.key.clear();  // js answers FIND_NODE without the key
      out.closer_peers = closer_peers(server, request, sender);
      const auto& self = server.table.self();
      if (request.key == self.bytes() && sender != self) {
        out.closer_peers.push_back(Peer{self, bounded_addrs(server.self_addrs), {}});
      }
      return std::optional<Message>(std::move(out));
    }
    case MessageType::get_providers: {
      if (request.key.empty()) return Error::protocol_violation;
      Message out = answer_to(request);
      for (Peer& p : server.providers.get(request.key, now)) {
        if (!p.addrs.empty()) out.provider_peers.push_back(std::move(p));
      }
      out.closer_peers = closer_peers(server, request, sender);
      return std::optional<Message>(std::move(out));
    }
    case MessageType::add_provider: {
      auto added = apply_add_provider(request, sender, server.providers, now);
      if (!added) return added.error();
      return std::optional<Message>();
    }
    case MessageType::ping:
      // js echoes the whole request; type, clusterLevel and key are what a PING carries, and
      // leaving peers out keeps the answer small whatever the request held.
      return std::optional<Message>(answer_to(request));
    case MessageType::get_value: {
      if (request.key.empty()) return Error::protocol_violation;
      Message out = answer_to(request);
      out.closer_peers = closer_peers(server, request, sender);
      return std::optional<Message>(std::move(out));
    }
    case MessageType::put_value:
      return Error::unsupported;
  }
  return Error::unsupported;
}

}  // namespace ipfsa::proto::kad
