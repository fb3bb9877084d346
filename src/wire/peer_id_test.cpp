#include "wire/peer_id.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

#include "wire/cid.hpp"
#include "wire/multihash.hpp"

namespace ipfsa::wire {
namespace {

Bytes H(std::string_view hex) { return *hex_decode(hex); }

// peer-ids spec, "Test vectors": encoded public keys. Expected peer IDs: the Ed25519 and RSA ones
// are published by rust-libp2p's identity tests; all four were recomputed independently (Python
// hashlib + base58) when these tests were written.
struct KeyVector {
  std::string_view encoded_hex;
  std::string_view peer_id;
  std::string_view cid;
  bool inline_key;
};
const KeyVector kSpecKeys[] = {
    {"080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
     "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
     "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6", true},
    {"08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99",
     "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY",
     "bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte", true},
    {"0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83"
     "abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9"
     "f77c409e62",
     "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk",
     "bafzbeidigywdclqvl5hxfefwp5onbffcfife7pza57mmfb4tiqmtkdjw64", false},
};

// peer-ids spec RSA public key vector (4096-bit); rust-libp2p: QmaeANgBs1DTSxWSrPPtobgQuxW8XTfs...
constexpr std::string_view kRsaSpecKey =
    "080012a60430820222300d06092a864886f70d01010105000382020f003082020a0282020100e1beab071d08200b"
    "de24eef00d049449b07770ff9910257b2d7d5dda242ce8f0e2f12e1af4b32d9efd2c090f66b0f29986dbb645dae9"
    "880089704a94e5066d594162ae6ee8892e6ec70701db0a6c445c04778eb3de1293aa1a23c3825b85c6620a2bc3f8"
    "2f9b0c309bc0ab3aeb1873282bebd3da03c33e76c21e9beb172fd44c9e43be32e2c99827033cf8d0f0c606f45793"
    "26c930eb4e854395ad941256542c793902185153c474bed109d6ff5141ebf9cd256cf58893a37f83729f97e7cb43"
    "5ec679d2e33901d27bb35aa0d7e20561da08885ef0abbf8e2fb48d6a5487047a9ecb1ad41fa7ed84f6e3e8ecd5d9"
    "8b3982d2a901b4454991766da295ab78822add5612a2df83bcee814cf50973e80d7ef38111b1bd87da2ae92438a2"
    "c8cbcc70b31ee319939a3b9c761dbc13b5c086d6b64bf7ae7dacc14622375d92a8ff9af7eb962162bbddebf90acb"
    "32adb5e4e4029f1c96019949ecfbfeffd7ac1e3fbcc6b6168c34be3d5a2e5999fcbb39bba7adbca78eab09b9bc39"
    "f7fa4b93411f4cc175e70c0a083e96bfaefb04a9580b4753c1738a6a760ae1afd851a1a4bdad231cf56e9284d832"
    "483df215a46c1c21bdf0c6cfe951c18f1ee4078c79c13d63edb6e14feaeffabc90ad317e4875fe648101b0864097"
    "e998f0ca3025ef9638cd2b0caecd3770ab54a1d9c6ca959b0f5dcbc90caeefc4135baca6fd475224269bbe1b0203"
    "010001";
constexpr std::string_view kRsaSpecPeerId = "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG";

TEST(PeerId, SpecKeyVectors) {
  for (const auto& v : kSpecKeys) {
    SCOPED_TRACE(std::string(v.peer_id));
    auto key = crypto::decode_public_key(H(v.encoded_hex));
    ASSERT_TRUE(key);
    EXPECT_EQ(hex_encode(crypto::encode_public_key(*key)), v.encoded_hex);
    const PeerId id = PeerId::from_public_key(*key);
    EXPECT_EQ(id.to_base58(), v.peer_id);
    EXPECT_EQ(id.to_string(), v.peer_id);
    EXPECT_EQ(id.to_cid_string(), v.cid);
    EXPECT_TRUE(id.matches(*key));
    auto parsed = PeerId::parse(v.peer_id);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, id);
    auto from_cid = PeerId::parse(v.cid);
    ASSERT_TRUE(from_cid);
    EXPECT_EQ(*from_cid, id);
    // Inline keys come back out of the peer ID; hashed ones cannot.
    EXPECT_EQ(id.public_key().has_value(), v.inline_key);
    if (v.inline_key) {
      EXPECT_EQ(*id.public_key(), *key);
    }
  }
}

TEST(PeerId, RsaSpecVector) {
  auto key = crypto::decode_public_key(H(kRsaSpecKey));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type, crypto::KeyType::rsa);
  const PeerId id = PeerId::from_public_key(*key);
  EXPECT_EQ(id.to_base58(), kRsaSpecPeerId);
  EXPECT_FALSE(id.public_key());
  EXPECT_TRUE(id.matches(*key));
}

TEST(PeerId, Rfc0001Example) {
  auto a = PeerId::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  auto b = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->to_cid_string(), "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  EXPECT_EQ(a->to_base58(), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
}

TEST(PeerId, Ed25519IdentityBoundary) {
  // 32-byte Ed25519 key: 36-byte encoding, inlined. 42 bytes is the largest inlined encoding.
  const crypto::PublicKey ed{crypto::KeyType::ed25519, Bytes(32, 0x11)};
  const PeerId id = PeerId::from_public_key(ed);
  EXPECT_EQ(id.bytes()[0], 0x00);
  EXPECT_EQ(id.bytes()[1], 36);
  EXPECT_TRUE(id.to_base58().starts_with("12D3KooW"));
  // from_public_key does not validate: it hashes whatever key it is given, so the boundary can
  // be probed with synthetic data lengths.
  const crypto::PublicKey at42{crypto::KeyType::ed25519, Bytes(38, 1)};  // 4 + 38 = 42
  const crypto::PublicKey at43{crypto::KeyType::ed25519, Bytes(39, 1)};  // 43
  EXPECT_EQ(PeerId::from_public_key(at42).bytes()[0], 0x00);
  EXPECT_EQ(PeerId::from_public_key(at43).bytes()[0], 0x12);
}

TEST(PeerId, FromBytesErrors) {
  EXPECT_EQ(PeerId::from_bytes({}).error(), Error::truncated);
  EXPECT_EQ(PeerId::from_bytes(Bytes(kMaxPeerIdSize + 1, 0)).error(), Error::too_large);
  // Identity digest longer than 42 bytes (checked before the key is even parsed): never produced by
  // a conforming implementation.
  EXPECT_EQ(PeerId::from_bytes(identity_multihash(Bytes(43, 1))).error(), Error::malformed);
  Bytes sha512 = {0x13, 0x40};
  sha512.resize(66);
  EXPECT_EQ(PeerId::from_bytes(sha512).error(), Error::unsupported);
  const Bytes good =
      *hex_decode("1220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b");
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(PeerId::from_bytes(ByteView(good).first(n))) << n;
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(PeerId::from_bytes(trailing).error(), Error::malformed);
}

TEST(PeerId, ParseErrors) {
  EXPECT_EQ(PeerId::parse("").error(), Error::malformed);
  EXPECT_EQ(PeerId::parse("Qm0").error(), Error::malformed);  // '0' not in base58
  EXPECT_EQ(PeerId::parse("12D3KooW!").error(), Error::malformed);
  EXPECT_EQ(PeerId::parse(std::string(kMaxPeerIdSize * 2 + 1, 'Q')).error(), Error::too_large);
  // A CID with a codec other than libp2p-key is not a peer ID.
  EXPECT_EQ(PeerId::parse(Cid::sha256_raw(as_bytes("x")).to_string()).error(), Error::malformed);
  // Truncated base58 text decodes to a truncated multihash.
  const std::string id(kSpecKeys[0].peer_id);
  for (std::size_t n = 1; n < id.size(); ++n) {
    EXPECT_FALSE(PeerId::parse(std::string_view(id).substr(0, n))) << n;
  }
}

TEST(PeerId, IdentityDigestMustBeAValidKey) {
  EXPECT_EQ(PeerId::from_bytes(identity_multihash(as_bytes("not a key"))).error(),
            Error::malformed);
  // Well-formed protobuf, but 31 bytes is no Ed25519 key.
  const Bytes short_key = crypto::encode_public_key({crypto::KeyType::ed25519, Bytes(31, 1)});
  EXPECT_EQ(PeerId::from_bytes(identity_multihash(short_key)).error(), Error::malformed);
}

TEST(PeerId, OrderingAndHash) {
  const PeerId a = PeerId::from_public_key({crypto::KeyType::ed25519, Bytes(32, 1)});
  const PeerId b = PeerId::from_public_key({crypto::KeyType::ed25519, Bytes(32, 2)});
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  std::unordered_set<PeerId> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_FALSE(a.matches({crypto::KeyType::ed25519, Bytes(32, 2)}));
}

}  // namespace
}  // namespace ipfsa::wire
