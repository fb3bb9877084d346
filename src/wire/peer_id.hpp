// libp2p peer IDs (peer-ids spec, RFC 0001): the multihash of the deterministic protobuf encoding
// of the public key: identity multihash when that encoding is <= 42 bytes (Ed25519 ->
// "12D3KooW...", secp256k1 -> "16Uiu2..."), sha2-256 otherwise (RSA, ECDSA -> "Qm..."). Text forms:
// legacy base58btc of the multihash, or a CIDv1 with codec libp2p-key (0x72) in any multibase.
#pragma once

#include <compare>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/public_key.hpp"

namespace ipfsa::wire {

inline constexpr std::size_t kMaxInlineKeySize = 42;
inline constexpr std::size_t kMaxPeerIdSize = 128;  // bytes of multihash we accept

class PeerId {
 public:
  static PeerId from_public_key(const crypto::PublicKey& key);
  // From the multihash bytes (as in multiaddr /p2p/ and identify). Errors: truncated, malformed
  // (also: an identity digest above kMaxInlineKeySize or that is not a valid PublicKey), too_large,
  // unsupported (a hash other than identity or sha2-256).
  static Result<PeerId> from_bytes(ByteView multihash);
  // Either text form. Errors as from_bytes, plus malformed for bad characters.
  static Result<PeerId> parse(std::string_view text);

  const Bytes& bytes() const noexcept { return multihash_; }
  std::string to_base58() const;      // "12D3KooW..." / "Qm..."
  std::string to_cid_string() const;  // "bafzaa..." (CIDv1, libp2p-key, base32)
  std::string to_string() const { return to_base58(); }
  // The public key, for identity-multihash peer IDs; nullopt for hashed ones.
  std::optional<crypto::PublicKey> public_key() const;
  // True when `key` hashes to this peer ID.
  bool matches(const crypto::PublicKey& key) const;

  friend auto operator<=>(const PeerId&, const PeerId&) = default;
  friend bool operator==(const PeerId&, const PeerId&) = default;

 private:
  explicit PeerId(Bytes mh) : multihash_(std::move(mh)) {}
  Bytes multihash_;
};

}  // namespace ipfsa::wire

template <>
struct std::hash<ipfsa::wire::PeerId> {
  std::size_t operator()(const ipfsa::wire::PeerId& p) const noexcept;
};
