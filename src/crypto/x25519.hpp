// X25519 Diffie-Hellman (libsodium crypto_scalarmult: no per-call key import), for Noise.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"

namespace ipfsa::crypto {

using X25519Public = std::array<std::uint8_t, 32>;

// Public key of a 32-byte private scalar. Errors: invalid_key (wrong size).
Result<X25519Public> x25519_public(const SecretBytes& private_key);
// Shared secret. Errors: invalid_key (wrong sizes, or an all-zero result from a low-order point).
Result<SecretBytes> x25519(const SecretBytes& private_key, ByteView peer_public);

}  // namespace ipfsa::crypto
