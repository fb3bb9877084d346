// Signed pubsub messages under the StrictSign policy (pubsub spec, "Message Signing"):
//   signature = Sign(author key, "libp2p-pubsub:" || protobuf(Message without signature and key))
// `from` is the author's peer id (multihash bytes) and `seqno` 8 bytes, big-endian, increasing.
// `key` (the protobuf PublicKey) is sent only when the peer id does not inline the key (RSA,
// ECDSA); for Ed25519 authors it is omitted, as go-libp2p and js-libp2p do.
//
// Message id: what js-libp2p's gossipsub computes by default for StrictSign (msgIdFnStrictSign):
//   id = protobuf PublicKey of the author || seqno (8 bytes)
// so IHAVE/IWANT/IDONTWANT ids agree with js. (go-libp2p's default is from || seqno: a mixed
// go/js/ours mesh still delivers, but gossip ids only match within one convention.)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/ed25519.hpp"
#include "proto/gossipsub/rpc.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::gossipsub {

inline constexpr std::string_view kSignPrefix = "libp2p-pubsub:";
inline constexpr std::size_t kSeqnoSize = 8;

// The bytes that are signed: prefix || Message{from, data, seqno, topic} (presence kept).
Bytes signing_input(const Message& message);

// A message authored and signed by `key`.
Message sign_message(const crypto::Ed25519KeyPair& key, std::string topic, Bytes data,
                     std::uint64_t seqno);

struct VerifiedMessage {
  wire::PeerId author;
  Bytes id;
};

// The author, key and id of a message, with every StrictSign check but the signature (cheap: the
// router drops duplicates before paying for a signature check). Errors: malformed (no from, no
// seqno or seqno not 8 bytes, no signature, `from` not a peer id), invalid_key (`key` does not
// parse, or `from` hashes its key and no `key` was sent), peer_id_mismatch (`key` is not the key
// of `from`).
struct MessageIdentity {
  wire::PeerId author;
  crypto::PublicKey key;
  Bytes id;
};
Result<MessageIdentity> identify_message(const Message& message);

// Errors: invalid_signature.
Result<void> check_signature(const Message& message, const crypto::PublicKey& key);

// Full StrictSign validation: identify_message, then check_signature.
Result<VerifiedMessage> verify_message(const Message& message);

// id = encode_public_key(author key) || seqno.
Bytes message_id(const crypto::PublicKey& author_key, ByteView seqno);

}  // namespace ipfsa::proto::gossipsub
