// XSalsa20 keystream (libsodium), applied incrementally: the libp2p private-network cipher.
// apply() XORs the next bytes of the keystream into a buffer in place; any sequence of calls of
// any sizes produces the same result as one call over the concatenated buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.hpp"
#include "base/secret.hpp"

namespace ipfsa::crypto {

inline constexpr std::size_t kXSalsa20KeySize = 32;
inline constexpr std::size_t kXSalsa20NonceSize = 24;

class XSalsa20Stream {
 public:
  // REQUIRES: key.size() == 32, nonce.size() == 24 (aborts otherwise: a caller bug).
  XSalsa20Stream(const SecretBytes& key, ByteView nonce);

  // XORs the keystream at the current position into `data` and advances by data.size().
  // REQUIRES: fewer than 2^64 bytes in total over the stream's life.
  void apply(std::span<std::uint8_t> data) noexcept;

  std::uint64_t position() const noexcept { return position_; }

 private:
  SecretBytes key_;
  std::uint8_t nonce_[kXSalsa20NonceSize] = {};
  std::uint64_t position_ = 0;  // bytes of keystream used so far
};

}  // namespace ipfsa::crypto
