// HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) through OpenSSL EVP_MAC / EVP_KDF.
// Noise's HKDF(chaining_key, input_key_material, n) (Noise spec section 4.3) is exactly
// hkdf_sha256(chaining_key, ikm, {}, 32 * n): output i is bytes [32 * (i - 1), 32 * i).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"
#include "base/secret.hpp"

namespace ipfsa::crypto {

inline constexpr std::size_t kHmacSha256Size = 32;
// RFC 5869 section 2.3: L <= 255 * HashLen.
inline constexpr std::size_t kMaxHkdfSha256Output = 255 * kHmacSha256Size;

// Any key length (empty included). Aborts only if OpenSSL itself fails (out of memory).
std::array<std::uint8_t, kHmacSha256Size> hmac_sha256(ByteView key, ByteView data);

// Extract-then-expand. `salt`, `ikm` and `info` may be empty (an empty salt means HashLen zero
// bytes, RFC 5869 section 2.2). REQUIRES: 0 < out_len <= kMaxHkdfSha256Output.
SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t out_len);

}  // namespace ipfsa::crypto
