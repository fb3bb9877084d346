// The connection upgrade, read top to bottom like the spec (connections/README.md):
//   [pnet: exchange 24-byte nonces, XSalsa20 from here on]
//   multistream-select "/noise" -> Noise XX handshake (peer IDs proven)
//   multistream-select "/yamux/1.0.0" -> hand the secured pipe to a Connection.
// The pipe is a TCP socket or a relay stream (p2p/pipe.hpp): a relayed connection is upgraded
// exactly like a direct one, private network included (as js-libp2p does).
// Every step (each negotiation read, each handshake message) has its own deadline, and the
// whole upgrade has one more (UpgradeConfig::overall_timeout): a peer that trickles a byte now
// and then never misses a step deadline, but cannot hold a handshake open for longer than that.
// With a private network, a peer whose first bytes do not decrypt to multistream-select (another
// swarm key, or none) is turned away at its first bytes, not at a deadline.
#pragma once

#include <optional>
#include <string>

#include "base/secret.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "io/asio.hpp"
#include "p2p/connection.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::p2p {

inline constexpr std::string_view kYamuxProtocolId = "/yamux/1.0.0";
// The whole upgrade (pnet nonces, multistream, Noise, muxer), from the first byte to the Yamux
// session, must finish within this (docs/wire/connection.md). Three round trips and two X25519
// operations take milliseconds; the rest is room for slow links.
inline constexpr Duration kUpgradeTimeout = std::chrono::seconds(5);

struct UpgradeConfig {
  const crypto::Ed25519KeyPair* identity;
  const SecretBytes* psk;  // nullptr: no private network
  Duration step_timeout;
  bool inline_muxer = true;  // offer Yamux in the Noise extensions (saves a round trip)
  Duration overall_timeout = kUpgradeTimeout;
};

struct Upgraded {
  SecuredPipe secured;
  wire::PeerId remote_peer;
};

// Dialer side. `expected` is the peer ID we dialled, if known: a different proven identity fails
// with peer_id_mismatch. On failure, `why` (if given) is set to one line for the log: the step
// that failed and, where it is likely, the cause (e.g. "the peer probably uses another swarm
// key"). Errors: timeout (a step's or the whole upgrade's deadline), protocol_violation (with a
// private network: the peer's first bytes are not multistream-select), the engines' errors.
io::Task<Result<Upgraded>> upgrade_outbound(Pipe pipe, UpgradeConfig config,
                                            std::optional<wire::PeerId> expected,
                                            std::string* why = nullptr);
// Listener side.
io::Task<Result<Upgraded>> upgrade_inbound(Pipe pipe, UpgradeConfig config,
                                           std::string* why = nullptr);

}  // namespace ipfsa::p2p
