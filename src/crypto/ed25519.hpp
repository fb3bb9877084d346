// Ed25519 keys (OpenSSL derives the public key; libsodium signs): the node identity and libp2p
// signatures.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "crypto/public_key.hpp"

namespace ipfsa::crypto {

class Ed25519KeyPair {
 public:
  // The 32-byte seed (RFC 8032 private key). Errors: invalid_key (wrong size).
  static Result<Ed25519KeyPair> from_seed(ByteView seed);
  // Fresh key from the OS RNG.
  static Ed25519KeyPair generate();

  const std::array<std::uint8_t, 32>& public_bytes() const noexcept { return public_; }
  PublicKey public_key() const { return {KeyType::ed25519, Bytes(public_.begin(), public_.end())}; }
  const SecretBytes& seed() const noexcept { return seed_; }
  // 64-byte signature.
  Bytes sign(ByteView message) const;

 private:
  Ed25519KeyPair(SecretBytes seed, std::array<std::uint8_t, 32> pub)
      : seed_(std::move(seed)), public_(pub) {}
  SecretBytes seed_;
  std::array<std::uint8_t, 32> public_{};
};

}  // namespace ipfsa::crypto
