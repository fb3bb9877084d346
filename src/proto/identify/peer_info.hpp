// Typed view of an Identify message: what the host stores about a peer after checking it against
// the connection, and what it sends about itself. Kept apart from identify.hpp so the codec stays
// free of key parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/public_key.hpp"
#include "proto/identify/identify.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::identify {

// identify answers a query and must carry the public key (js-libp2p rejects it otherwise);
// identify/push is a partial update where every field is optional.
enum class Exchange { identify, push };

struct PeerInfo {
  std::string protocol_version;
  std::string agent_version;
  std::optional<crypto::PublicKey> public_key;  // hashes to the connection's remote peer ID
  std::vector<wire::Multiaddr> listen_addrs;    // parseable, non-empty, no foreign /p2p
  std::size_t dropped_listen_addrs = 0;         // entries we could not use (for logs)
  std::vector<std::string> protocols;
  std::optional<wire::Multiaddr> observed_addr;  // how the peer sees us; nullopt if unusable
  std::optional<Bytes> signed_peer_record;       // still unverified (RFC 0002 envelope)
};

// Checks `message` against the peer authenticated by the secure channel and turns its raw fields
// into typed values. Addresses that do not parse, are empty, or name another peer in /p2p are
// dropped (as js-libp2p does), never an error. Errors: protocol_violation (Exchange::identify
// without a public key), the errors of crypto::decode_public_key (too_large, unsupported,
// invalid_key, malformed, truncated), peer_id_mismatch (the key is not `remote`'s).
Result<PeerInfo> interpret(Identify message, const wire::PeerId& remote, Exchange exchange);

// The message describing ourselves. Listen addresses go out without /p2p (js-libp2p strips it too);
// `observed` is the remote address of the connection the message is sent on, if known.
Identify describe(const PeerInfo& self, const std::optional<wire::Multiaddr>& observed);

}  // namespace ipfsa::proto::identify
