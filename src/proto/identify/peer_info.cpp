#include "proto/identify/peer_info.hpp"

#include <utility>

namespace ipfsa::proto::identify {
namespace {

// js-libp2p getCleanMultiaddr(): malformed or zero-length addresses are ignored, not fatal.
std::optional<wire::Multiaddr> usable_addr(ByteView bytes) {
  if (bytes.empty()) return std::nullopt;
  auto addr = wire::Multiaddr::from_bytes(bytes);
  if (!addr || addr->empty()) return std::nullopt;
  return std::move(*addr);
}

}  // namespace

Result<PeerInfo> interpret(Identify message, const wire::PeerId& remote, Exchange exchange) {
  PeerInfo info;
  // Identify spec, "publicKey": the peer's key in the peer-ids encoding. It must be the key of the
  // peer the secure channel authenticated; anything else is an impersonation attempt.
  if (message.public_key) {
    auto key = crypto::decode_public_key(*message.public_key);
    if (!key) return key.error();
    if (!remote.matches(*key)) return Error::peer_id_mismatch;
    info.public_key = std::move(*key);
  } else if (exchange == Exchange::identify) {
    return Error::protocol_violation;
  }

  for (const Bytes& bytes : message.listen_addrs) {
    auto addr = usable_addr(bytes);
    if (addr) {
      auto id = addr->peer_id();
      if (!id || *id == remote) {
        info.listen_addrs.push_back(std::move(*addr));
        continue;
      }
    }
    ++info.dropped_listen_addrs;
  }
  if (message.observed_addr) info.observed_addr = usable_addr(*message.observed_addr);

  info.protocol_version = std::move(message.protocol_version);
  info.agent_version = std::move(message.agent_version);
  info.protocols = std::move(message.protocols);
  info.signed_peer_record = std::move(message.signed_peer_record);
  return info;
}

Identify describe(const PeerInfo& self, const std::optional<wire::Multiaddr>& observed) {
  Identify message;
  message.protocol_version = self.protocol_version;
  message.agent_version = self.agent_version;
  if (self.public_key) message.public_key = crypto::encode_public_key(*self.public_key);
  for (const wire::Multiaddr& addr : self.listen_addrs) {
    message.listen_addrs.push_back(addr.without_peer_id().bytes());
  }
  message.protocols = self.protocols;
  if (observed) message.observed_addr = observed->bytes();
  message.signed_peer_record = self.signed_peer_record;
  return message;
}

}  // namespace ipfsa::proto::identify
