// Noise SymmetricState (Noise spec rev 34, section 5.2) for SHA256 + ChaChaPoly: the chaining key
// ck, the handshake hash h and the CipherState that MixKey keys.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "proto/noise/cipher_state.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::size_t kHashSize = 32;  // HASHLEN for SHA256
using HandshakeHash = std::array<std::uint8_t, kHashSize>;

class SymmetricState {
 public:
  // InitializeSymmetric(protocol_name): h = name zero-padded to HASHLEN when it fits in HASHLEN
  // bytes, HASH(name) otherwise; ck = h; no key.
  explicit SymmetricState(std::string_view protocol_name);

  // h = HASH(h || data).
  void mix_hash(ByteView data);
  // ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k).
  void mix_key(ByteView input_key_material);
  // Appends EncryptWithAd(h, plaintext) to `out`, then MixHash(that ciphertext).
  Result<void> encrypt_and_hash(ByteView plaintext, Bytes& out);
  // Appends DecryptWithAd(h, ciphertext) to `out`, then MixHash(ciphertext). h is unchanged on
  // failure. Errors: as CipherState::decrypt_with_ad.
  Result<void> decrypt_and_hash(ByteView ciphertext, Bytes& out);
  // Split(): (c1, c2) = HKDF(ck, "", 2) as CipherStates; c1 carries initiator -> responder.
  std::pair<CipherState, CipherState> split() const;

  bool has_key() const noexcept { return cipher_.has_key(); }
  const HandshakeHash& handshake_hash() const noexcept { return h_; }

 private:
  SecretBytes ck_;
  HandshakeHash h_{};
  CipherState cipher_;
};

}  // namespace ipfsa::proto::noise
