// Entries that cross the network carry their origin's signature over their metadata, so any member
// can relay an entry and every receiver can check who fetched it from GitHub and that nothing was
// changed on the way (docs/wire/cache-protocol.md, "Signed entries"). Pure.
#pragma once

#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "cache/entry.hpp"
#include "crypto/ed25519.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::share {

// Domain separation: a signature over an entry can never be replayed as anything else.
inline constexpr std::string_view kEntrySignatureContext = "ipfs-accelerate/entry/v1:";
inline constexpr std::size_t kKeyHashHexBytes = 64;  // sha256 of the canonical key, lowercase hex

// The bytes the origin signs: the context, then a protobuf of {1 key_hash (32 bytes), 2 status,
// 3 header {1 name, 2 value} repeated, 4 cid, 5 fetched_at_ms, 6 expires_at_ms, 7 origin,
// 8 body size}. The CID binds the body.
Bytes signed_record(const cache::Entry& entry, std::string_view key_hash);

// A copy of `entry` with origin = `self` and a fresh signature. Entries we fetched ourselves have
// an empty origin in our store; they are signed when they leave.
cache::EntryPtr sign_entry(const cache::Entry& entry, std::string_view key_hash,
                           const crypto::Ed25519KeyPair& key, const wire::PeerId& self);

// Checks an entry received from a peer: the key hash is well formed, the body matches the CID,
// the origin is a peer ID with an inline public key, and the signature verifies.
// Errors: malformed (bad key hash, origin, or body/CID mismatch), unsupported (an origin whose
// key is not inline), invalid_signature.
Result<void> verify_entry(const cache::Entry& entry, std::string_view key_hash);

// 64 lowercase hex characters.
bool is_key_hash(std::string_view key_hash) noexcept;

}  // namespace ipfsa::share
