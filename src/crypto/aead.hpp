// ChaCha20-Poly1305 (RFC 8439, OpenSSL EVP) with a context reused across calls: the Noise transport
// cipher. The Noise nonce (4 zero bytes || 64-bit little-endian counter) is built by the caller.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::crypto {

inline constexpr std::size_t kAeadTagSize = 16;
inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadNonceSize = 12;

using AeadNonce = std::array<std::uint8_t, kAeadNonceSize>;

class ChaChaPoly {
 public:
  // REQUIRES: key.size() == 32.
  explicit ChaChaPoly(ByteView key);
  ~ChaChaPoly();
  ChaChaPoly(ChaChaPoly&&) noexcept;
  ChaChaPoly& operator=(ChaChaPoly&&) noexcept;

  // Appends ciphertext || 16-byte tag of `plaintext` to `out`.
  // REQUIRES (seal and open): `plaintext`/`ciphertext` and `ad` do not point into `out` (it may
  // reallocate); the object has not been moved from. Thread-compatible, not thread-safe.
  void seal(std::uint64_t nonce, ByteView ad, ByteView plaintext, Bytes& out);
  // Appends the plaintext to `out`; decrypt_failed when the tag does not verify (out unchanged).
  Result<void> open(std::uint64_t nonce, ByteView ad, ByteView ciphertext, Bytes& out);

  // The same with a raw RFC 8439 96-bit nonce; the uint64_t forms use Noise's nonce
  // (4 zero bytes || little-endian counter, Noise spec section 12.3).
  void seal(const AeadNonce& nonce, ByteView ad, ByteView plaintext, Bytes& out);
  Result<void> open(const AeadNonce& nonce, ByteView ad, ByteView ciphertext, Bytes& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ipfsa::crypto
