// StrictSign signing and verification (libp2p pubsub spec, "Message Signing").
#include "proto/gossipsub/message.hpp"

#include "crypto/public_key.hpp"

namespace ipfsa::proto::gossipsub {

Bytes signing_input(const Message& message) {
  Message unsigned_message = message;
  unsigned_message.signature.reset();
  unsigned_message.key.reset();
  Bytes out = to_bytes(kSignPrefix);
  append(out, encode_message(unsigned_message));
  return out;
}

Message sign_message(const crypto::Ed25519KeyPair& key, std::string topic, Bytes data,
                     std::uint64_t seqno) {
  Message m;
  m.from = wire::PeerId::from_public_key(key.public_key()).bytes();
  m.data = std::move(data);
  Bytes seq(kSeqnoSize);
  store_be32(seq.data(), static_cast<std::uint32_t>(seqno >> 32));
  store_be32(seq.data() + 4, static_cast<std::uint32_t>(seqno));
  m.seqno = std::move(seq);
  m.topic = std::move(topic);
  m.signature = key.sign(signing_input(m));
  return m;
}

Bytes message_id(const crypto::PublicKey& author_key, ByteView seqno) {
  Bytes id = crypto::encode_public_key(author_key);
  append(id, seqno);
  return id;
}

Result<MessageIdentity> identify_message(const Message& message) {
  if (!message.from || !message.seqno || message.seqno->size() != kSeqnoSize ||
      !message.signature) {
    return make_error_code(Error::malformed);
  }
  auto author = wire::PeerId::from_bytes(*message.from);
  if (!author) return make_error_code(Error::malformed);
  crypto::PublicKey key;
  if (message.key) {
    auto decoded = crypto::decode_public_key(*message.key);
    if (!decoded) return make_error_code(Error::invalid_key);
    if (!author->matches(*decoded)) return make_error_code(Error::peer_id_mismatch);
    key = std::move(*decoded);
  } else {
    auto inlined = author->public_key();
    if (!inlined) return make_error_code(Error::invalid_key);
    key = std::move(*inlined);
  }
  Bytes id = message_id(key, *message.seqno);
  return MessageIdentity{std::move(*author), std::move(key), std::move(id)};
}

Result<void> check_signature(const Message& message, const crypto::PublicKey& key) {
  if (!message.signature) return make_error_code(Error::invalid_signature);
  if (auto ok = crypto::verify(key, signing_input(message), *message.signature); !ok) {
    return make_error_code(Error::invalid_signature);
  }
  return {};
}

Result<VerifiedMessage> verify_message(const Message& message) {
  auto identity = identify_message(message);
  if (!identity) return identity.error();
  if (auto ok = check_signature(message, identity->key); !ok) return ok.error();
  return VerifiedMessage{std::move(identity->author), std::move(identity->id)};
}

}  // namespace ipfsa::proto::gossipsub
