#include "crypto/x25519.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"

namespace ipfsa::crypto {
namespace {

SecretBytes secret(std::string_view hex) { return SecretBytes(hex_decode(hex).value()); }

// RFC 7748 section 6.1.
constexpr const char* kAlicePrivate =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr const char* kAlicePublic =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr const char* kBobPrivate =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr const char* kBobPublic =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
constexpr const char* kShared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

TEST(X25519, Rfc7748Section61) {
  auto alice_pub = x25519_public(secret(kAlicePrivate));
  auto bob_pub = x25519_public(secret(kBobPrivate));
  ASSERT_TRUE(alice_pub && bob_pub);
  EXPECT_EQ(hex_encode(*alice_pub), kAlicePublic);
  EXPECT_EQ(hex_encode(*bob_pub), kBobPublic);
  auto k1 = x25519(secret(kAlicePrivate), *bob_pub);
  auto k2 = x25519(secret(kBobPrivate), *alice_pub);
  ASSERT_TRUE(k1 && k2);
  EXPECT_EQ(hex_encode(k1->view()), kShared);
  EXPECT_EQ(hex_encode(k2->view()), kShared);
}

TEST(X25519, RandomKeysAgree) {
  SecretBytes a = random_secret(32), b = random_secret(32);
  auto k1 = x25519(a, x25519_public(b).value());
  auto k2 = x25519(b, x25519_public(a).value());
  ASSERT_TRUE(k1 && k2);
  EXPECT_EQ(hex_encode(k1->view()), hex_encode(k2->view()));
}

TEST(X25519, RejectsLowOrderPointsWithAllZeroResult) {
  // Points of small order (the identity u = 0 and u = 1, and the order-8 point from the
  // libsodium/curve25519 blacklist) give an all-zero shared secret for every scalar.
  const char* low_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  SecretBytes ours = secret(kAlicePrivate);
  for (const char* p : low_order) {
    auto k = x25519(ours, hex_decode(p).value());
    ASSERT_FALSE(k) << p;
    EXPECT_EQ(k.error(), Error::invalid_key) << p;
  }
}

TEST(X25519, RejectsWrongSizes) {
  Bytes pub(32, 9);
  EXPECT_EQ(x25519(SecretBytes(Bytes(31, 1)), pub).error(), Error::invalid_key);
  EXPECT_EQ(x25519(secret(kAlicePrivate), Bytes(33, 9)).error(), Error::invalid_key);
  EXPECT_EQ(x25519(secret(kAlicePrivate), Bytes{}).error(), Error::invalid_key);
  EXPECT_EQ(x25519_public(SecretBytes{}).error(), Error::invalid_key);
}

}  // namespace
}  // namespace ipfsa::crypto
