// Noise HandshakeState (Noise spec rev 34, sections 5.3 and 7.5) for one protocol only:
// Noise_XX_25519_ChaChaPoly_SHA256.
//   XX:  -> e
//        <- e, ee, s, es
//        -> s, se
// Keys, prologue and payloads are inputs: no I/O, no RNG. The libp2p Handshake (handshake.hpp) is
// built on this; the cacophony test vectors exercise it with their own prologue and payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "crypto/x25519.hpp"
#include "proto/noise/cipher_state.hpp"
#include "proto/noise/symmetric_state.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::string_view kProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";
inline constexpr std::size_t kDhSize = 32;  // DHLEN for 25519
inline constexpr int kXXMessageCount = 3;
// Smallest valid message i (empty payload): e | e, enc(s), tag | enc(s), tag.
inline constexpr std::size_t kMinMessageSize[kXXMessageCount] = {
    kDhSize, kDhSize + kDhSize + kTagSize + kTagSize, kDhSize + kTagSize + kTagSize};

enum class Role { initiator, responder };

class HandshakeState {
 public:
  // Initialize(XX, role, prologue, s, e). Errors: invalid_key (a private key is not 32 bytes).
  static Result<HandshakeState> create(Role role, ByteView prologue, SecretBytes static_private,
                                       SecretBytes ephemeral_private);

  Role role() const noexcept { return role_; }
  // True when the next message is ours to write (never after completion or failure).
  bool is_my_turn() const noexcept;
  bool is_done() const noexcept { return step_ == kXXMessageCount && !failed_; }
  bool has_failed() const noexcept { return failed_; }
  // Index (0, 1, 2) of the next message to write or read; kXXMessageCount when done.
  int message_index() const noexcept { return step_; }

  // WriteMessage(payload): appends the next handshake message to `out`.
  // Errors: invalid_state (not our turn, done, or failed), too_large (the message would exceed
  // kMaxMessageSize; nothing appended), invalid_key / crypto_failure from DH or HKDF.
  Result<void> write_message(ByteView payload, Bytes& out);
  // ReadMessage(message): appends the decrypted payload to `payload_out`. Any error is fatal:
  // every later call fails with invalid_state.
  // Errors: invalid_state (not the peer's turn), too_large (> kMaxMessageSize), truncated
  // (shorter than the message's tokens and tags), decrypt_failed, invalid_key (a low-order point).
  Result<void> read_message(ByteView message, Bytes& payload_out);

  const crypto::X25519Public& local_static() const noexcept { return s_pub_; }
  // The peer's static key, known after the message that carries it was read.
  const std::optional<crypto::X25519Public>& remote_static() const noexcept { return rs_; }
  // h: the channel-binding handshake hash (final once is_done()).
  const HandshakeHash& handshake_hash() const noexcept { return ss_.handshake_hash(); }
  // Split(): (c1, c2), c1 encrypts initiator -> responder. Errors: invalid_state unless is_done().
  Result<std::pair<CipherState, CipherState>> split() const;

 private:
  HandshakeState(Role role, SecretBytes s, crypto::X25519Public s_pub, SecretBytes e,
                 crypto::X25519Public e_pub);
  Result<void> write_steps(ByteView payload, Bytes& out);
  Result<void> read_steps(ByteView message, Bytes& payload_out);
  Result<void> mix_dh(const SecretBytes& ours, const crypto::X25519Public& theirs);
  Result<void> read_public(ByteView& message, bool encrypted, crypto::X25519Public& key);

  Role role_;
  SymmetricState ss_{kProtocolName};
  SecretBytes s_;
  crypto::X25519Public s_pub_{};
  SecretBytes e_;
  crypto::X25519Public e_pub_{};
  std::optional<crypto::X25519Public> rs_;
  std::optional<crypto::X25519Public> re_;
  int step_ = 0;  // index of the next message (0, 1, 2); 3 when done
  bool failed_ = false;
};

}  // namespace ipfsa::proto::noise
