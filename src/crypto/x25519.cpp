#include "crypto/x25519.hpp"

#include <sodium.h>

namespace ipfsa::crypto {
namespace {

constexpr std::size_t kKeySize = 32;

// libsodium's scalar multiplication takes raw bytes: no key-object import per call, which costs
// OpenSSL about half of each Diffie-Hellman here (bench/p2p_bench, docs/performance.md P3).
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<X25519Public> x25519_public(const SecretBytes& private_key) {
  if (private_key.size() != kKeySize) return Error::invalid_key;
  if (!sodium_ready()) return Error::crypto_failure;
  // RFC 7748 section 5: the scalar is clamped by the implementation.
  X25519Public pub{};
  if (crypto_scalarmult_base(pub.data(), private_key.view().data()) != 0) {
    return Error::crypto_failure;
  }
  return pub;
}

Result<SecretBytes> x25519(const SecretBytes& private_key, ByteView peer_public) {
  if (private_key.size() != kKeySize || peer_public.size() != kKeySize) return Error::invalid_key;
  if (!sodium_ready()) return Error::crypto_failure;
  SecretBytes shared(kKeySize);
  // crypto_scalarmult fails on an all-zero result (a low-order peer point: RFC 7748 section 6.1,
  // "check ... is not all zero"); the explicit check below does not rely on it.
  if (crypto_scalarmult(shared.mutable_view().data(), private_key.view().data(),
                        peer_public.data()) != 0) {
    return Error::invalid_key;
  }
  static constexpr std::uint8_t kZero[kKeySize] = {};
  if (sodium_memcmp(shared.view().data(), kZero, kKeySize) == 0) return Error::invalid_key;
  return shared;
}

}  // namespace ipfsa::crypto
