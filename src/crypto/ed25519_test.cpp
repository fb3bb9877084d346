#include "crypto/ed25519.hpp"

#include <gtest/gtest.h>

namespace ipfsa::crypto {
namespace {

Bytes unhex(std::string_view s) { return hex_decode(s).value(); }

struct Rfc8032Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, TEST 1 to TEST 3.
const Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46b"
     "d25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c"
     "387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "659"
     "4a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032Vectors) {
  for (const auto& v : kVectors) {
    auto pair = Ed25519KeyPair::from_seed(unhex(v.seed));
    ASSERT_TRUE(pair) << v.seed;
    EXPECT_EQ(hex_encode(pair->public_bytes()), v.public_key);
    EXPECT_EQ(hex_encode(pair->sign(unhex(v.message))), v.signature);
    EXPECT_EQ(hex_encode(pair->seed().view()), v.seed);
    EXPECT_EQ(pair->public_key().type, KeyType::ed25519);
    EXPECT_EQ(hex_encode(pair->public_key().data), v.public_key);
  }
}

TEST(Ed25519, RejectsWrongSeedSize) {
  for (std::size_t n : {0u, 31u, 33u, 64u}) {
    Bytes seed(n, 7);
    auto pair = Ed25519KeyPair::from_seed(seed);
    ASSERT_FALSE(pair) << n;
    EXPECT_EQ(pair.error(), Error::invalid_key);
  }
}

TEST(Ed25519, GenerateGivesDistinctConsistentKeys) {
  auto a = Ed25519KeyPair::generate();
  auto b = Ed25519KeyPair::generate();
  EXPECT_NE(a.public_bytes(), b.public_bytes());
  auto again = Ed25519KeyPair::from_seed(a.seed().view());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_bytes(), a.public_bytes());
  // Ed25519 is deterministic: the same key signs a message identically.
  EXPECT_EQ(again->sign(as_bytes("hello")), a.sign(as_bytes("hello")));
  EXPECT_NE(a.sign(as_bytes("hello")), b.sign(as_bytes("hello")));
}

}  // namespace
}  // namespace ipfsa::crypto
