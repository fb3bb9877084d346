#include "crypto/hkdf.hpp"

#include <gtest/gtest.h>

namespace ipfsa::crypto {
namespace {

Bytes unhex(std::string_view s) { return hex_decode(s).value(); }

TEST(HmacSha256, Rfc4231Vectors) {
  // Test case 1.
  EXPECT_EQ(hex_encode(hmac_sha256(Bytes(20, 0x0b), as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2.
  EXPECT_EQ(hex_encode(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(
      hex_encode(hmac_sha256(Bytes(131, 0xaa),
                             as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EmptyKeyAndMessage) {
  EXPECT_EQ(hex_encode(hmac_sha256({}, {})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HkdfSha256, Rfc5869Case1) {
  auto okm = hkdf_sha256(unhex("000102030405060708090a0b0c"), Bytes(22, 0x0b),
                         unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(hex_encode(okm.view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfSha256, Rfc5869Case3EmptySaltAndInfo) {
  auto okm = hkdf_sha256({}, Bytes(22, 0x0b), {}, 42);
  EXPECT_EQ(hex_encode(okm.view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

// Noise section 4.3 HKDF written out with HMAC, including the empty-ikm case Split() uses.
Bytes noise_hkdf(ByteView ck, ByteView ikm, int outputs) {
  const auto temp = hmac_sha256(ck, ikm);
  Bytes out, prev;
  for (int i = 1; i <= outputs; ++i) {
    Bytes input = prev;
    input.push_back(static_cast<std::uint8_t>(i));
    auto t = hmac_sha256(temp, input);
    prev.assign(t.begin(), t.end());
    append(out, prev);
  }
  return out;
}

TEST(HkdfSha256, MatchesNoiseHkdf) {
  const Bytes ck = unhex("4e6f6973655f58585f32353531395f436861436861506f6c795f534841323536");
  for (std::size_t ikm_len : {0u, 1u, 32u, 100u}) {
    const Bytes ikm(ikm_len, 0x5a);
    for (int n : {2, 3}) {
      auto got = hkdf_sha256(ck, ikm, {}, 32 * static_cast<std::size_t>(n));
      EXPECT_EQ(hex_encode(got.view()), hex_encode(noise_hkdf(ck, ikm, n))) << ikm_len << " " << n;
    }
  }
}

TEST(HkdfSha256, MaximumOutputLength) {
  auto okm = hkdf_sha256(as_bytes("salt"), as_bytes("ikm"), as_bytes("info"), kMaxHkdfSha256Output);
  ASSERT_EQ(okm.size(), kMaxHkdfSha256Output);
  auto prefix = hkdf_sha256(as_bytes("salt"), as_bytes("ikm"), as_bytes("info"), 32);
  EXPECT_EQ(hex_encode(okm.view().first(32)), hex_encode(prefix.view()));
}

}  // namespace
}  // namespace ipfsa::crypto
