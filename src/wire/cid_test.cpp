#include "wire/cid.hpp"

#include <gtest/gtest.h>

namespace ipfsa::wire {
namespace {

// The well-known CIDv1 (raw, sha2-256) of the bytes "hello world".
constexpr std::string_view kHelloWorldRaw =
    "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
// RFC 0001 (libp2p/specs): one sha2-256 peer ID as CIDv1 libp2p-key and as legacy base58.
constexpr std::string_view kPeerCid = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
constexpr std::string_view kPeerBase58 = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

TEST(Cid, Sha256RawOfHelloWorld) {
  const Cid cid = Cid::sha256_raw(as_bytes("hello world"));
  EXPECT_EQ(cid.version(), 1);
  EXPECT_EQ(cid.codec(), Codec::raw);
  EXPECT_EQ(cid.to_string(), kHelloWorldRaw);
  auto parsed = Cid::parse(kHelloWorldRaw);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, cid);
}

TEST(Cid, Rfc0001PeerIdCid) {
  auto cid = Cid::parse(kPeerCid);
  ASSERT_TRUE(cid);
  EXPECT_EQ(cid->codec(), Codec::libp2p_key);
  EXPECT_EQ(base58btc_encode(cid->multihash()), kPeerBase58);
  EXPECT_EQ(cid->to_string(), kPeerCid);
}

TEST(Cid, V0ParsesAndUpgrades) {
  auto v0 = Cid::parse(kPeerBase58);  // any sha2-256 multihash in base58 is a valid CIDv0
  ASSERT_TRUE(v0);
  EXPECT_EQ(v0->version(), 0);
  EXPECT_EQ(v0->codec(), Codec::dag_pb);
  EXPECT_EQ(v0->to_string(), kPeerBase58);
  EXPECT_EQ(v0->bytes(), v0->multihash());
  const Cid v1 = v0->to_v1();
  EXPECT_EQ(v1.version(), 1);
  auto reparsed = Cid::parse(v1.to_string());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, v1);
  EXPECT_TRUE(v1.to_string().starts_with("bafybei"));  // dag-pb sha2-256 base32 prefix
}

TEST(Cid, AnyMultibaseParses) {
  const Cid cid = Cid::sha256_raw(as_bytes("x"));
  for (Multibase base :
       {Multibase::base58btc, Multibase::base32, Multibase::base16, Multibase::base64url}) {
    const std::string text = cid.to_string(base);
    EXPECT_EQ(text[0], static_cast<char>(base));
    auto parsed = Cid::parse(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(*parsed, cid);
  }
}

TEST(Cid, BinaryRoundTripAndEveryTruncatedPrefix) {
  for (Codec codec : {Codec::raw, Codec::dag_pb, Codec::libp2p_key, Codec::json, Codec::dag_json}) {
    const Cid cid = Cid::v1(codec, sha256_multihash(as_bytes("body")));
    const Bytes bytes = cid.bytes();
    auto back = Cid::from_bytes(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, cid);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(Cid::from_bytes(ByteView(bytes).first(n))) << n;
    }
  }
  // json is the two-byte varint 0x80 0x04.
  EXPECT_EQ(hex_encode(ByteView(Cid::v1(Codec::json, identity_multihash({})).bytes())),
            "0180040000");
}

TEST(Cid, Malformed) {
  const Bytes mh = sha256_multihash(as_bytes("a"));
  Bytes unknown_codec = {0x01, 0x56};
  append(unknown_codec, mh);
  EXPECT_EQ(Cid::from_bytes(unknown_codec).error(), Error::unknown_code);
  Bytes v2 = {0x02, 0x55};
  append(v2, mh);
  EXPECT_EQ(Cid::from_bytes(v2).error(), Error::unsupported);
  Bytes trailing = Cid::v1(Codec::raw, mh).bytes();
  trailing.push_back(0);
  EXPECT_EQ(Cid::from_bytes(trailing).error(), Error::malformed);
  // A CIDv0 must not hide inside a multibase.
  EXPECT_EQ(Cid::parse(multibase_encode(Multibase::base32, mh)).error(), Error::malformed);
  EXPECT_EQ(Cid::parse("").error(), Error::malformed);
  EXPECT_EQ(Cid::parse("Qm").error(), Error::unsupported);  // not 46 chars: not a CIDv0
  EXPECT_FALSE(Cid::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5O"));  // 'O' not base58
  EXPECT_EQ(Cid::from_bytes(Bytes(kMaxCidSize + 1, 1)).error(), Error::too_large);
}

}  // namespace
}  // namespace ipfsa::wire
