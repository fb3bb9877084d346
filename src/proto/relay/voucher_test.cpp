#include "proto/relay/voucher.hpp"

#include <gtest/gtest.h>

#include "crypto/public_key.hpp"
#include "proto/relay/test_vectors.hpp"
#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::relay {
namespace {

using testing::hex;

crypto::Ed25519KeyPair key(std::uint8_t fill) {
  return *crypto::Ed25519KeyPair::from_seed(testing::seed(fill));
}
wire::PeerId id_of(const crypto::Ed25519KeyPair& k) {
  return wire::PeerId::from_public_key(k.public_key());
}

// An envelope built field by field, so each test can break one thing and sign the rest properly.
struct Parts {
  Bytes public_key;
  Bytes payload_type{kVoucherPayloadType.begin(), kVoucherPayloadType.end()};
  Bytes payload;
  std::string domain{kVoucherDomain};
  const crypto::Ed25519KeyPair* signer = nullptr;
};

Bytes payload(const wire::PeerId& relay, const wire::PeerId& peer, std::uint64_t expiration) {
  wire::pb::Writer w;
  w.bytes(1, relay.bytes());
  w.bytes(2, peer.bytes());
  w.varint(3, expiration);
  return std::move(w).take();
}

Bytes seal(const Parts& p) {
  Bytes to_sign;
  wire::append_uvarint(to_sign, p.domain.size());
  append(to_sign, as_bytes(p.domain));
  wire::append_uvarint(to_sign, p.payload_type.size());
  append(to_sign, p.payload_type);
  wire::append_uvarint(to_sign, p.payload.size());
  append(to_sign, p.payload);
  wire::pb::Writer w;
  w.bytes(1, p.public_key);
  w.bytes(2, p.payload_type);
  w.bytes(3, p.payload);
  w.bytes(5, p.signer->sign(to_sign));
  return std::move(w).take();
}

// A properly signed voucher of `relay` for `peer`, as Parts to modify.
Parts good_parts(const crypto::Ed25519KeyPair& relay, const wire::PeerId& peer) {
  Parts p;
  p.public_key = crypto::encode_public_key(relay.public_key());
  p.payload = payload(id_of(relay), peer, testing::kVoucherExpiration);
  p.signer = &relay;
  return p;
}

TEST(Voucher, MakesTheBytesJsMakes) {
  // Ed25519 signatures are deterministic: same key, same payload, same envelope as js's.
  const auto relay = key(1);
  EXPECT_EQ(make_voucher(relay, id_of(key(2)), testing::kVoucherExpiration),
            hex(testing::kVoucher));
}

TEST(Voucher, OpensTheJsVoucher) {
  auto v = open_voucher(hex(testing::kVoucher));
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->relay, *wire::PeerId::from_bytes(hex(testing::kRelayId)));
  EXPECT_EQ(v->peer, *wire::PeerId::from_bytes(hex(testing::kPeerId)));
  EXPECT_EQ(v->expiration, testing::kVoucherExpiration);
}

TEST(Voucher, RoundTrips) {
  const auto relay = key(7);
  const auto peer = id_of(key(8));
  for (std::uint64_t expiration : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0} >> 1}) {
    auto v = open_voucher(make_voucher(relay, peer, expiration));
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, (Voucher{id_of(relay), peer, expiration}));
  }
}

TEST(Voucher, TheHandBuiltEnvelopeOpens) {
  // The test's own sealing is right, so the rejections below are due to the one broken part.
  const auto relay = key(1);
  EXPECT_EQ(seal(good_parts(relay, id_of(key(2)))), hex(testing::kVoucher));
}

TEST(Voucher, RejectsATamperedPayload) {
  Bytes v = hex(testing::kVoucher);
  // The last byte of the payload (the expiration's top byte) sits just before the signature
  // field's tag 0x2a 0x40.
  const std::size_t sig_tag = v.size() - 64 - 2;
  ASSERT_EQ(v[sig_tag], 0x2a);
  v[sig_tag - 1] ^= 0x01;
  EXPECT_EQ(open_voucher(v).error(), Error::invalid_signature);
}

TEST(Voucher, RejectsATamperedSignature) {
  Bytes v = hex(testing::kVoucher);
  v.back() ^= 0x80;
  EXPECT_EQ(open_voucher(v).error(), Error::invalid_signature);
}

TEST(Voucher, RejectsAVoucherSignedByAnotherKeyThanTheRelays) {
  // Signed (validly) by key 3, claiming to be relay 1's voucher.
  const auto relay = key(1);
  const auto other = key(3);
  Parts p = good_parts(relay, id_of(key(2)));
  p.public_key = crypto::encode_public_key(other.public_key());
  p.signer = &other;
  EXPECT_EQ(open_voucher(seal(p)).error(), Error::peer_id_mismatch);
  // The relay's key in the envelope but another's signature.
  Parts q = good_parts(relay, id_of(key(2)));
  q.signer = &other;
  EXPECT_EQ(open_voucher(seal(q)).error(), Error::invalid_signature);
}

TEST(Voucher, RejectsAnotherDomainOrPayloadType) {
  const auto relay = key(1);
  Parts domain = good_parts(relay, id_of(key(2)));
  domain.domain = "libp2p-peer-record";
  EXPECT_EQ(open_voucher(seal(domain)).error(), Error::invalid_signature);

  Parts type = good_parts(relay, id_of(key(2)));
  type.payload_type = {0x03, 0x01};  // a peer record, properly signed
  EXPECT_EQ(open_voucher(seal(type)).error(), Error::unsupported);
  type.payload_type = wire::encode_uvarint(0x0302);  // 82 06: the codec as a uvarint is not it
  EXPECT_EQ(open_voucher(seal(type)).error(), Error::unsupported);
}

TEST(Voucher, RejectsBadPayloads) {
  const auto relay = key(1);
  const auto peer = id_of(key(2));
  auto with_payload = [&](Bytes body) {
    Parts p = good_parts(relay, peer);
    p.payload = std::move(body);
    return open_voucher(seal(p));
  };
  wire::pb::Writer no_expiration;
  no_expiration.bytes(1, id_of(relay).bytes());
  no_expiration.bytes(2, peer.bytes());
  EXPECT_EQ(with_payload(no_expiration.data()).error(), Error::malformed);
  wire::pb::Writer bad_peer;
  bad_peer.bytes(1, id_of(relay).bytes());
  bad_peer.bytes(2, hex("0002aabb"));
  bad_peer.varint(3, 1);
  EXPECT_EQ(with_payload(bad_peer.data()).error(), Error::malformed);
  EXPECT_EQ(with_payload(hex("0a")).error(), Error::truncated);
  EXPECT_EQ(with_payload(hex("0801")).error(), Error::malformed);  // relay as a varint
}

TEST(Voucher, RejectsBadEnvelopes) {
  const Bytes v = hex(testing::kVoucher);
  EXPECT_EQ(open_voucher({}).error(), Error::malformed);  // every field missing
  EXPECT_EQ(open_voucher(ByteView(v).first(v.size() - 1)).error(), Error::truncated);
  Bytes big(kMaxVoucherSize + 1, 0);
  EXPECT_EQ(open_voucher(big).error(), Error::too_large);
  EXPECT_EQ(open_voucher(hex("0801")).error(), Error::malformed);  // public key as a varint

  // The signature field missing.
  wire::pb::Writer w;
  w.bytes(1, crypto::encode_public_key(key(1).public_key()));
  w.bytes(2, kVoucherPayloadType);
  w.bytes(3, payload(id_of(key(1)), id_of(key(2)), 1));
  EXPECT_EQ(open_voucher(w.data()).error(), Error::malformed);

  // A key that is not one.
  const auto relay = key(1);
  Parts p = good_parts(relay, id_of(key(2)));
  p.public_key = hex("08011203aabbcc");  // Ed25519 with 3 bytes of data
  EXPECT_EQ(open_voucher(seal(p)).error(), Error::invalid_key);
}

}  // namespace
}  // namespace ipfsa::proto::relay
