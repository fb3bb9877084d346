// The libp2p Noise handshake (libp2p specs noise/README.md): Noise_XX_25519_ChaChaPoly_SHA256 with
// an empty prologue, where each side proves its libp2p identity by signing its static Noise key.
//   message 1  initiator -> responder   e                  (empty payload)
//   message 2  responder -> initiator   e, ee, s, es       (responder's NoiseHandshakePayload)
//   message 3  initiator -> responder   s, se              (initiator's NoiseHandshakePayload)
// Messages are exchanged WITHOUT their 2-byte length prefix (the I/O shell frames them, at most
// kMaxMessageSize). No I/O, clock or RNG: both X25519 private keys are inputs.
//
// A proto::ConnectionEngine (proto/engine/engine.hpp) without deadlines (the shell bounds the
// upgrade as a whole); poll_transmit() hands out one message per call.
//
//   while (!hs.is_done()) {
//     if (Bytes m; hs.poll_transmit(m)) { write_frame(m); continue; }
//     if (auto ok = hs.handle_input(read_frame(kMaxMessageSize), now); !ok) fail(ok.error());
//   }
//   auto result = std::move(hs).finish();
#pragma once

#include <optional>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/public_key.hpp"
#include "proto/engine/engine.hpp"
#include "proto/noise/handshake_state.hpp"
#include "proto/noise/payload.hpp"
#include "proto/noise/secure_channel.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::string_view kProtocolId = "/noise";

// What finish() yields: the transport ciphers and the remote identity the handshake proved.
struct HandshakeResult {
  SecureChannel channel;
  wire::PeerId remote_peer;
  crypto::PublicKey remote_key;
  Extensions remote_extensions;
};

// The event of a handshake: the peer proved `remote_peer` (message 2 for the initiator, 3 for
// the responder); the handshake is done once our last message is taken.
struct Authenticated {
  wire::PeerId remote_peer;
};

class Handshake {
 public:
  using Event = Authenticated;
  using Transmit = proto::Transmit;

  // identity: our libp2p key; it signs kStaticKeySignaturePrefix || our static X25519 public key
  // (here, once). static_private, ephemeral_private: 32 random bytes each, drawn by the caller.
  // expected_remote: the peer we dialled (either role may pass one); a different proven identity
  // fails with peer_id_mismatch. ours: muxers to announce in the extensions (inlined muxer
  // negotiation). REQUIRES: 32-byte keys; ours within kMaxStreamMuxers / kMaxStreamMuxerSize.
  // A violated REQUIRES makes poll_transmit() return nullopt and handle_input() return the error
  // (invalid_key or limit_exceeded); error() tells it at once.
  Handshake(Role role, const crypto::Ed25519KeyPair& identity, SecretBytes static_private,
            SecretBytes ephemeral_private, std::optional<wire::PeerId> expected_remote,
            Extensions ours = {});

  // When it is our turn: appends the next handshake message body (no length prefix) to `out`;
  // nullopt otherwise.
  std::optional<Transmit> poll_transmit(Bytes& out);
  // A message body from the peer (no length prefix). When that makes it our turn, our reply is
  // written at once (poll_transmit() then hands it out), so its failures are reported here too.
  // Errors are fatal and sticky: invalid_state (not the peer's turn, or done), too_large,
  // truncated, decrypt_failed, invalid_key (a low-order point, or an identity key that does not
  // parse), unsupported (unknown key type), malformed / protocol_violation / limit_exceeded
  // (payload), invalid_signature, peer_id_mismatch.
  Result<void> handle_input(ByteView message, TimePoint now);
  void handle_timeout(TimePoint) {}
  std::optional<TimePoint> poll_timeout() const { return std::nullopt; }
  // Authenticated, once the peer's identity is proven.
  std::optional<Event> poll() { return std::exchange(event_, std::nullopt); }

  // True once both sides are authenticated and our last message has been taken.
  bool is_done() const noexcept;
  // The first error, if any (all later calls fail with it).
  boost::system::error_code error() const noexcept { return error_; }
  // The Noise handshake hash h (final once is_done()): usable as a channel binding.
  const HandshakeHash& handshake_hash() const;

  // REQUIRES: is_done(); otherwise invalid_state (or the stored error).
  Result<HandshakeResult> finish() &&;

 private:
  Result<void> fail(boost::system::error_code ec);
  Result<void> write_next();
  Result<void> verify_remote(ByteView payload);
  std::optional<Bytes> take_message();

  Role role_;
  std::optional<HandshakeState> state_;
  Bytes our_payload_;
  std::optional<Bytes> outgoing_;  // our next message, written as soon as it is our turn
  std::optional<wire::PeerId> expected_remote_;
  std::optional<wire::PeerId> remote_peer_;
  std::optional<crypto::PublicKey> remote_key_;
  Extensions remote_extensions_;
  std::optional<Event> event_;
  boost::system::error_code error_;
};

static_assert(ConnectionEngine<Handshake>);

}  // namespace ipfsa::proto::noise
