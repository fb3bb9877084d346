// Multihash (multiformats/multihash): uvarint(code) ‖ uvarint(digest length) ‖ digest.
// Supported hash functions: identity (0x00, the digest is the data itself; libp2p inlines short
// public keys this way) and sha2-256 (0x12, digest exactly 32 bytes). Anything else: unsupported.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/varint.hpp"

namespace ipfsa::wire {

// Largest digest we accept (identity digests carry whole public keys; 128 covers every inline
// key and matches kMaxPeerIdSize).
inline constexpr std::size_t kMaxMultihashDigestSize = 128;
inline constexpr std::size_t kSha256DigestSize = 32;

enum class HashCode : std::uint64_t { identity = 0x00, sha2_256 = 0x12 };

struct Multihash {
  HashCode code;
  ByteView digest;  // points into the decoded input
};

// Exactly one multihash filling `in`. Errors: truncated (input ends early), malformed (bad varint,
// trailing bytes, sha2-256 digest not 32 bytes), non_canonical (non-minimal varint), too_large
// (digest above kMaxMultihashDigestSize), unsupported (another hash function).
Result<Multihash> decode_multihash(ByteView in) noexcept;
// One multihash at the reader's position (inside a CID or a multiaddr); same errors, except that
// trailing bytes are left in the reader. The reader advances only on success.
Result<Multihash> read_multihash(Reader& reader) noexcept;

// REQUIRES: digest.size() <= kMaxMultihashDigestSize; 32 bytes for sha2_256.
Bytes encode_multihash(HashCode code, ByteView digest);
// sha2-256 multihash of `data` (hashes it).
Bytes sha256_multihash(ByteView data);
// identity multihash of `data`. REQUIRES: data.size() <= kMaxMultihashDigestSize.
Bytes identity_multihash(ByteView data);

}  // namespace ipfsa::wire
