#include "wire/multihash.hpp"

#include "crypto/sha256.hpp"

namespace ipfsa::wire {

Result<Multihash> read_multihash(Reader& reader) noexcept {
  Reader r = reader;  // commit only on success
  auto code = r.uvarint();
  if (!code) return code.error();
  // multihash spec: the length is a uvarint; bound it before looking at the digest.
  auto digest = r.length_prefixed(kMaxMultihashDigestSize);
  if (!digest) return digest.error();
  switch (*code) {
    case static_cast<std::uint64_t>(HashCode::identity):
      break;
    case static_cast<std::uint64_t>(HashCode::sha2_256):
      // A truncated sha2-256 digest is legal in general multihash but never in libp2p or CIDs.
      if (digest->size() != kSha256DigestSize) return Error::malformed;
      break;
    default:
      return Error::unsupported;
  }
  reader = r;
  return Multihash{static_cast<HashCode>(*code), *digest};
}

Result<Multihash> decode_multihash(ByteView in) noexcept {
  Reader r(in);
  auto mh = read_multihash(r);
  if (!mh) return mh.error();
  if (!r.empty()) return Error::malformed;
  return mh;
}

Bytes encode_multihash(HashCode code, ByteView digest) {
  Bytes out;
  out.reserve(2 + uvarint_size(digest.size()) + digest.size());
  append_uvarint(out, static_cast<std::uint64_t>(code));
  append_uvarint(out, digest.size());
  append(out, digest);
  return out;
}

Bytes sha256_multihash(ByteView data) {
  const auto digest = crypto::sha256(data);
  return encode_multihash(HashCode::sha2_256, digest);
}

Bytes identity_multihash(ByteView data) { return encode_multihash(HashCode::identity, data); }

}  // namespace ipfsa::wire
