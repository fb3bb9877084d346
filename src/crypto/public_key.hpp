// libp2p public keys (peer-ids spec): the four key types, their deterministic protobuf encoding
// (PublicKey { KeyType Type = 1; bytes Data = 2; }) and signature verification.
//   Ed25519: Data = raw 32 bytes; signature raw 64 bytes.
//   secp256k1: Data = compressed 33-byte point; signature DER ECDSA over SHA-256(msg).
//   ECDSA (P-256, P-384, P-521): Data = DER SubjectPublicKeyInfo; signature DER over SHA-256(msg).
//   RSA: Data = DER SubjectPublicKeyInfo (PKIX); signature PKCS#1 v1.5 with SHA-256.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::crypto {

enum class KeyType : std::uint8_t { rsa = 0, ed25519 = 1, secp256k1 = 2, ecdsa = 3 };

// Bounds checked before any parsing: an encoded PublicKey above this is too_large.
inline constexpr std::size_t kMaxEncodedPublicKeySize = 8 * 1024;  // RSA-16384 fits
inline constexpr std::size_t kMinRsaBits = 2048;                    // smaller RSA keys: invalid_key
inline constexpr std::size_t kMaxRsaBits = 16384;                   // larger RSA keys: invalid_key

struct PublicKey {
  KeyType type;
  Bytes data;  // as carried in the protobuf's Data field
  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// Deterministic protobuf encoding (field 1 then field 2, no defaults omitted).
Bytes encode_public_key(const PublicKey& key);
// Errors: truncated/malformed protobuf, too_large, unsupported (unknown type), invalid_key (Data
// does not parse as a key of that type).
Result<PublicKey> decode_public_key(ByteView encoded);

// Ok when `signature` is a valid signature of `message` under `key`; invalid_signature otherwise;
// invalid_key when the key does not parse.
Result<void> verify(const PublicKey& key, ByteView message, ByteView signature);

}  // namespace ipfsa::crypto
