// The libp2p private-network layer (pnet/Private-Networks-PSK-V1.md, "Algorithm"), without I/O.
// It runs on the raw connection before multistream-select and Noise:
//
//   1. write local_nonce() (24 random bytes drawn by the caller) before anything else;
//   2. feed the peer's first bytes to receive_nonce() until has_remote_nonce(); bytes past the
//      returned count are already ciphertext: decrypt() them;
//   3. encrypt() everything written after the nonce, decrypt() everything read after theirs.
//
// Each direction is one XSalsa20(psk, nonce) keystream, so encrypt()/decrypt() may be called
// with any chunking. A peer with a different key is not detected here: its bytes decrypt to
// garbage. check_first_plaintext() lets the I/O shell fail fast with a clear reason when the
// first decrypted bytes are not the multistream-select header every libp2p peer sends next.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "crypto/xsalsa20.hpp"
#include "proto/pnet/swarm_key.hpp"

namespace ipfsa::proto::pnet {

inline constexpr std::size_t kNonceSize = 24;

class Protector {
 public:
  // REQUIRES: psk.size() == kPskSize, our_nonce.size() == kNonceSize (aborts otherwise).
  // `our_nonce` must be fresh random bytes for every connection.
  Protector(const SecretBytes& psk, ByteView our_nonce);

  // The 24 bytes to send first, unencrypted.
  ByteView local_nonce() const noexcept { return local_nonce_; }

  // Consumes bytes of the peer's nonce from the front of `in`; returns how many (0 once
  // complete). Errors: protocol_violation when the completed nonce equals ours (our own bytes
  // reflected back: both directions would share one keystream).
  Result<std::size_t> receive_nonce(ByteView in);
  bool has_remote_nonce() const noexcept { return remote_.has_value(); }

  // XOR our outgoing keystream into `data` in place.
  void encrypt(std::span<std::uint8_t> data) noexcept { local_.apply(data); }
  // XOR the peer's keystream into `data` in place. REQUIRES: has_remote_nonce() (aborts).
  void decrypt(std::span<std::uint8_t> data);

 private:
  SecretBytes psk_;
  std::array<std::uint8_t, kNonceSize> local_nonce_{};
  crypto::XSalsa20Stream local_;
  std::array<std::uint8_t, kNonceSize> remote_nonce_{};
  std::size_t remote_nonce_have_ = 0;
  std::optional<crypto::XSalsa20Stream> remote_;
};

// What every libp2p connection sends first after pnet: uvarint(19) "/multistream/1.0.0\n"
// (connections/README.md, protocol negotiation).
inline constexpr std::string_view kExpectedFirstPlaintext = "\x13/multistream/1.0.0\n";

// Ok while `first` (the first decrypted bytes from the peer, any length) is a prefix of
// kExpectedFirstPlaintext or starts with it; protocol_violation otherwise, which almost always
// means the peer uses a different swarm key (or none).
Result<void> check_first_plaintext(ByteView first) noexcept;

}  // namespace ipfsa::proto::pnet
