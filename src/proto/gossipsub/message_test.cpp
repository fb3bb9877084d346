#include "proto/gossipsub/message.hpp"

#include <gtest/gtest.h>

#include "crypto/public_key.hpp"

namespace ipfsa::proto::gossipsub {
namespace {

crypto::Ed25519KeyPair fixed_key(std::uint8_t fill) {
  return *crypto::Ed25519KeyPair::from_seed(Bytes(32, fill));
}

TEST(GossipsubMessage, SignedMessageVerifiesAndHasTheJsMessageId) {
  const auto key = fixed_key(1);
  const Message m = sign_message(key, "topic", to_bytes("data"), 0x0102030405060708ULL);
  EXPECT_EQ(*m.seqno, (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_FALSE(m.key.has_value());  // Ed25519: the peer id inlines the key
  auto v = verify_message(m);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->author, wire::PeerId::from_public_key(key.public_key()));
  // js msgIdFnStrictSign: protobuf PublicKey (08 01 12 20 <32 bytes>) || seqno.
  Bytes expected{0x08, 0x01, 0x12, 0x20};
  append(expected, key.public_bytes());
  append(expected, Bytes{1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(v->id, expected);
}

TEST(GossipsubMessage, SigningInputIsPrefixAndMessageWithoutSignatureAndKey) {
  const auto key = fixed_key(2);
  Message m = sign_message(key, "t", Bytes{0xff}, 1);
  m.key = crypto::encode_public_key(key.public_key());
  const Bytes input = signing_input(m);
  Message bare = m;
  bare.signature.reset();
  bare.key.reset();
  Bytes expected = to_bytes("libp2p-pubsub:");
  append(expected, encode_message(bare));
  EXPECT_EQ(input, expected);
  EXPECT_TRUE(verify_message(m));  // with a matching explicit key
}

TEST(GossipsubMessage, RejectsTamperedAndIncompleteMessages) {
  const auto key = fixed_key(3);
  const Message good = sign_message(key, "t", to_bytes("payload"), 9);
  ASSERT_TRUE(verify_message(good));

  Message m = good;
  (*m.data)[0] ^= 1;
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::invalid_signature));
  m = good;
  m.topic = "other";
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::invalid_signature));
  m = good;
  (*m.seqno)[7] ^= 1;
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::invalid_signature));
  m = good;
  m.signature.reset();
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::malformed));
  m = good;
  m.seqno = Bytes(7, 0);
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::malformed));
  m = good;
  m.from.reset();
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::malformed));
  m = good;
  m.from = Bytes{0x00, 0x01};
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::malformed));
  m = good;
  m.key = Bytes{0x01, 0x02};
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::invalid_key));
  m = good;
  m.key = crypto::encode_public_key(fixed_key(4).public_key());
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::peer_id_mismatch));
  // Signed by another key under our `from`.
  m = sign_message(fixed_key(5), "t", to_bytes("payload"), 9);
  m.from = good.from;
  EXPECT_EQ(verify_message(m).error(), make_error_code(Error::invalid_signature));
}

// Captured from an interop run: published by js-libp2p (@libp2p/gossipsub 17.1.1) with the
// Ed25519 key from seed 01 x 32, received by a second js peer (gossip_peer.mjs prints it).
TEST(GossipsubMessage, VerifiesAMessageSignedByJsLibp2p) {
  const auto author = wire::PeerId::parse("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5");
  ASSERT_TRUE(author);
  EXPECT_EQ(*author, wire::PeerId::from_public_key(fixed_key(1).public_key()));
  Message m;
  m.from = author->bytes();
  m.data = to_bytes("signed by js-libp2p");
  m.seqno = *hex_decode("18eb93a19f5d8a81");
  m.topic = "ipfs-accelerate/announce";
  m.signature = *hex_decode(
      "a3ef24e8a8c2b931c2dd3a93b697ea71677ec66833488349533dbc8e663a89a3"
      "96d5530bdd5d84cbb850468ab3165b01ffafa0a09815fd4e83cc22653a34ab0c");
  auto v = verify_message(m);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->author, *author);
  EXPECT_EQ(hex_encode(v->id),
            "080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
            "18eb93a19f5d8a81");
  // Our signature over the same fields is the same (Ed25519 is deterministic): our encoding of
  // the signed bytes is js's.
  const Message ours = sign_message(fixed_key(1), m.topic, *m.data, 0x18eb93a19f5d8a81ULL);
  EXPECT_EQ(ours.signature, m.signature);
  // With the key field js would send for a non-inlined key, it still verifies.
  m.key = *hex_decode("080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
  EXPECT_TRUE(verify_message(m));
}

}  // namespace
}  // namespace ipfsa::proto::gossipsub
