// The connection upgrade, read top to bottom like the spec (connections/README.md):
//   [pnet: exchange 24-byte nonces, XSalsa20 from here on]
//   multistream-select "/noise" -> Noise XX handshake (peer IDs proven)
//   multistream-select "/yamux/1.0.0" -> hand the secured socket to a Connection.
// Every step (each negotiation read, each handshake message) has its own deadline.
#pragma once

#include <optional>

#include "base/secret.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "io/asio.hpp"
#include "p2p/connection.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

inline constexpr std::string_view kYamuxProtocolId = "/yamux/1.0.0";

struct UpgradeConfig {
  const crypto::Ed25519KeyPair* identity;
  const SecretBytes* psk;  // nullptr: no private network
  Duration step_timeout;
  bool inline_muxer = true;  // offer Yamux in the Noise extensions (saves a round trip)
};

struct Upgraded {
  SecuredSocket secured;
  wire::PeerId remote_peer;
};

// Dialer side. `expected` is the peer ID we dialled, if known: a different proven identity fails
// with peer_id_mismatch.
io::Task<Result<Upgraded>> upgrade_outbound(io::tcp::socket socket, UpgradeConfig config,
                                            std::optional<wire::PeerId> expected);
// Listener side.
io::Task<Result<Upgraded>> upgrade_inbound(io::tcp::socket socket, UpgradeConfig config);

}  // namespace ipfsa::p2p
