// Peer IDs: peer-ids spec "Peer Ids" and "String representation"; RFC 0001 (text peer ID as CID).
#include "wire/peer_id.hpp"

#include <string_view>

#include "wire/cid.hpp"
#include "wire/multibase.hpp"
#include "wire/multihash.hpp"

namespace ipfsa::wire {

PeerId PeerId::from_public_key(const crypto::PublicKey& key) {
  const Bytes encoded = crypto::encode_public_key(key);
  // peer-ids spec: <= 42 bytes are inlined with the identity multihash, longer ones hashed.
  if (encoded.size() <= kMaxInlineKeySize) return PeerId(identity_multihash(encoded));
  return PeerId(sha256_multihash(encoded));
}

Result<PeerId> PeerId::from_bytes(ByteView multihash) {
  if (multihash.size() > kMaxPeerIdSize) return Error::too_large;
  auto mh = decode_multihash(multihash);
  if (!mh) return mh.error();
  // An identity digest longer than 42 bytes is a key the spec says must be hashed: no conforming
  // implementation produces it, and accepting it would give one key two peer IDs.
  if (mh->code == HashCode::identity && mh->digest.size() > kMaxInlineKeySize) {
    return Error::malformed;
  }
  // An inline key must be a key (js-libp2p checks this too): a peer ID that embeds garbage could
  // never authenticate, and public_key() would have nothing to return.
  if (mh->code == HashCode::identity && !crypto::decode_public_key(mh->digest)) {
    return Error::malformed;
  }
  return PeerId(Bytes(multihash.begin(), multihash.end()));
}

Result<PeerId> PeerId::parse(std::string_view text) {
  // RFC 0001 / peer-ids spec "Decoding": "1..." or "Qm..." is a bare base58btc multihash;
  // anything else must be a multibase CIDv1 with the libp2p-key codec.
  if (text.empty()) return Error::malformed;
  // Base58 of kMaxPeerIdSize bytes is at most 1.37x as long; bound before decoding.
  if (text.size() > kMaxPeerIdSize * 2) return Error::too_large;
  if (text.starts_with("1") || text.starts_with("Qm")) {
    auto bytes = base58btc_decode(text);
    if (!bytes) return bytes.error();
    return from_bytes(*bytes);
  }
  auto cid = Cid::parse(text);
  if (!cid) return cid.error();
  if (cid->version() != 1 || cid->codec() != Codec::libp2p_key) return Error::malformed;
  return from_bytes(cid->multihash());
}

std::string PeerId::to_base58() const { return base58btc_encode(multihash_); }

std::string PeerId::to_cid_string() const {
  return Cid::v1(Codec::libp2p_key, multihash_).to_string();
}

std::optional<crypto::PublicKey> PeerId::public_key() const {
  auto mh = decode_multihash(multihash_);
  if (!mh || mh->code != HashCode::identity) return std::nullopt;
  auto key = crypto::decode_public_key(mh->digest);
  if (!key) return std::nullopt;
  return *key;
}

bool PeerId::matches(const crypto::PublicKey& key) const { return from_public_key(key) == *this; }

}  // namespace ipfsa::wire

std::size_t std::hash<ipfsa::wire::PeerId>::operator()(
    const ipfsa::wire::PeerId& p) const noexcept {
  const auto& b = p.bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}
