// The libp2p Noise transport phase (libp2p specs noise/README.md, "Wire Format"): every Noise
// transport message travels as a 2-byte big-endian length followed by ChaChaPoly ciphertext || tag.
// SecureChannel turns an outgoing byte stream into such frames and an incoming byte stream of any
// chunking back into plaintext. No I/O; one instance per connection, used from one thread.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/noise/cipher_state.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::size_t kFrameHeaderSize = 2;  // big-endian noise_message_len
inline constexpr std::size_t kMaxPlaintextSize = kMaxMessageSize - kTagSize;  // 65519
inline constexpr std::size_t kMaxFrameSize = kFrameHeaderSize + kMaxMessageSize;

class SecureChannel {
 public:
  // `send` encrypts our frames, `receive` decrypts the peer's (from HandshakeState::split()).
  // REQUIRES: both have a key.
  SecureChannel(CipherState send, CipherState receive)
      : send_(std::move(send)), receive_(std::move(receive)) {}

  // Appends 2-byte-length-prefixed ciphertext frames for `plaintext` (split into pieces of at most
  // kMaxPlaintextSize) to `out`, encrypting in place at the end of `out`. Empty plaintext appends
  // nothing. REQUIRES: fewer than 2^64-1 frames sent on this channel; the Noise spec forbids nonce
  // reuse, so exhaustion (unreachable in practice: ~10^12 years at 1 GB/s) aborts the process.
  void encrypt(ByteView plaintext, Bytes& out);

  // Feed ciphertext bytes as they arrive, split anywhere; appends the plaintext of every frame
  // completed by them to `out` (frames decrypted before an error stay appended). A partial frame
  // is buffered (at most kMaxFrameSize - 1 bytes). Any error is fatal and sticky:
  // decrypt_failed (bad tag, a replayed / reordered / truncated-below-tag frame),
  // limit_exceeded (receive nonce exhausted).
  Result<void> decrypt(ByteView ciphertext, Bytes& out);

  // Bytes of an incomplete frame held back until the rest arrives.
  std::size_t buffered() const noexcept { return pending_size_; }
  bool has_failed() const noexcept { return failed_; }

  // The underlying ciphers (nonces are observable for tests and metrics).
  const CipherState& send_cipher() const noexcept { return send_; }
  const CipherState& receive_cipher() const noexcept { return receive_; }
  // For tests of nonce exhaustion only (Noise SetNonce).
  void set_nonces_for_testing(std::uint64_t send, std::uint64_t receive) noexcept {
    send_.set_nonce(send);
    receive_.set_nonce(receive);
  }

 private:
  Result<void> open_frame(ByteView body, Bytes& out);
  void stash(ByteView bytes);

  CipherState send_;
  CipherState receive_;
  Bytes pending_;  // kMaxFrameSize bytes once needed; holds one incomplete frame
  std::size_t pending_size_ = 0;
  bool failed_ = false;
};

}  // namespace ipfsa::proto::noise
