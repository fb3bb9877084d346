// Noise CipherState (Noise spec rev 34, section 5.1) for ChaChaPoly: a key (or none) and a 64-bit
// nonce. The AEAD nonce is 4 zero bytes || the counter in little-endian (section 12.3), built by
// crypto::ChaChaPoly from the counter we hand it.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/aead.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::size_t kMaxMessageSize = 65535;  // one Noise message (section 3)
inline constexpr std::size_t kTagSize = crypto::kAeadTagSize;
inline constexpr std::size_t kKeySize = crypto::kAeadKeySize;
// Section 5.1: nonce 2^64-1 is reserved; reaching it means the cipher is exhausted.
inline constexpr std::uint64_t kReservedNonce = std::numeric_limits<std::uint64_t>::max();

class CipherState {
 public:
  // No key: encrypt/decrypt pass the bytes through unchanged (handshake before the first MixKey).
  CipherState() = default;
  // InitializeKey(key) with n = 0. REQUIRES: key.size() == kKeySize.
  explicit CipherState(ByteView key) : aead_(std::in_place, key) {}

  bool has_key() const noexcept { return aead_.has_value(); }
  std::uint64_t nonce() const noexcept { return n_; }
  // SetNonce (section 5.1): for tests of nonce exhaustion and for the test vectors.
  void set_nonce(std::uint64_t n) noexcept { n_ = n; }
  // True when no further message can be encrypted or decrypted (n == 2^64-1).
  bool exhausted() const noexcept { return has_key() && n_ == kReservedNonce; }

  // EncryptWithAd: appends ciphertext || tag (or the plaintext when there is no key) to `out`.
  // Errors: limit_exceeded when the nonce is exhausted (out unchanged).
  Result<void> encrypt_with_ad(ByteView ad, ByteView plaintext, Bytes& out);
  // DecryptWithAd: appends the plaintext to `out`. The nonce advances only on success.
  // Errors: decrypt_failed (bad tag, or shorter than a tag), limit_exceeded (nonce exhausted).
  Result<void> decrypt_with_ad(ByteView ad, ByteView ciphertext, Bytes& out);

 private:
  std::optional<crypto::ChaChaPoly> aead_;
  std::uint64_t n_ = 0;
};

}  // namespace ipfsa::proto::noise
