// SHA-256 (OpenSSL EVP). Used by multihash, Noise and key derivation.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.hpp"

namespace ipfsa::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(ByteView data) noexcept;

}  // namespace ipfsa::crypto
