#include "crypto/aead.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"

namespace ipfsa::crypto {
namespace {

Bytes unhex(std::string_view s) { return hex_decode(s).value(); }

Bytes key_80_9f() {
  Bytes k;
  for (int i = 0x80; i <= 0x9f; ++i) k.push_back(static_cast<std::uint8_t>(i));
  return k;
}

constexpr std::string_view kSunscreen =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
    "sunscreen would be it.";
constexpr std::string_view kSunscreenCiphertext =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
    "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
    "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
constexpr std::string_view kSunscreenTag = "1ae10b594f09e26a7e902ecbd0600691";

// RFC 8439 section 2.8.2: nonce = 07 00 00 00 || 40 41 42 43 44 45 46 47.
TEST(ChaChaPoly, Rfc8439Section282) {
  ChaChaPoly aead(key_80_9f());
  const AeadNonce nonce = {0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47};
  const Bytes ad = unhex("50515253c0c1c2c3c4c5c6c7");
  Bytes out = {0xaa};  // seal appends
  aead.seal(nonce, ad, as_bytes(kSunscreen), out);
  EXPECT_EQ(hex_encode(out), "aa" + std::string(kSunscreenCiphertext) + std::string(kSunscreenTag));

  Bytes plain;
  ASSERT_TRUE(aead.open(nonce, ad, ByteView(out).subspan(1), plain));
  EXPECT_EQ(to_string(plain), kSunscreen);
}

TEST(ChaChaPoly, NoiseNonceIsZeroPrefixedLittleEndianCounter) {
  ChaChaPoly a(key_80_9f());
  ChaChaPoly b(key_80_9f());
  const std::uint64_t n = 0x0102030405060708;
  const AeadNonce raw = {0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  Bytes x, y;
  a.seal(n, {}, as_bytes("payload"), x);
  b.seal(raw, {}, as_bytes("payload"), y);
  EXPECT_EQ(x, y);
}

TEST(ChaChaPoly, ReusedContextMatchesFreshContexts) {
  // The context is keyed once and only re-IV'd: every message must equal a fresh instance's.
  const Bytes key = random_bytes(kAeadKeySize);
  ChaChaPoly reused(key);
  ChaChaPoly opener(key);
  for (std::uint64_t n = 0; n < 20; ++n) {
    const Bytes ad = random_bytes(n % 3 == 0 ? 0 : n);
    const Bytes msg = random_bytes(n * 977 % 4099);
    Bytes a, b;
    reused.seal(n, ad, msg, a);
    ChaChaPoly(key).seal(n, ad, msg, b);
    ASSERT_EQ(a, b) << n;
    ASSERT_EQ(a.size(), msg.size() + kAeadTagSize);
    Bytes plain;
    ASSERT_TRUE(opener.open(n, ad, a, plain)) << n;
    ASSERT_EQ(plain, msg) << n;
  }
}

TEST(ChaChaPoly, TamperingFailsAndLeavesOutputUnchanged) {
  const Bytes key = random_bytes(kAeadKeySize);
  ChaChaPoly aead(key);
  Bytes sealed;
  aead.seal(5, as_bytes("ad"), as_bytes("secret message"), sealed);
  const Bytes prefix = {1, 2, 3};
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    Bytes out = prefix;
    auto r = aead.open(5, as_bytes("ad"), bad, out);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error(), Error::decrypt_failed);
    EXPECT_EQ(out, prefix);
  }
  Bytes out;
  EXPECT_EQ(aead.open(6, as_bytes("ad"), sealed, out).error(), Error::decrypt_failed);
  EXPECT_EQ(aead.open(5, as_bytes("da"), sealed, out).error(), Error::decrypt_failed);
  EXPECT_EQ(ChaChaPoly(random_bytes(32)).open(5, as_bytes("ad"), sealed, out).error(),
            Error::decrypt_failed);
  // Every truncation fails, including those shorter than a tag.
  for (std::size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_EQ(aead.open(5, as_bytes("ad"), ByteView(sealed).first(n), out).error(),
              Error::decrypt_failed)
        << n;
  }
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(aead.open(5, as_bytes("ad"), sealed, out));
  EXPECT_EQ(to_string(out), "secret message");
}

TEST(ChaChaPoly, EmptyPlaintextAndMaxNoiseMessage) {
  const Bytes key = random_bytes(kAeadKeySize);
  ChaChaPoly aead(key);
  Bytes sealed;
  aead.seal(0, {}, {}, sealed);
  EXPECT_EQ(sealed.size(), kAeadTagSize);
  Bytes out;
  ASSERT_TRUE(aead.open(0, {}, sealed, out));
  EXPECT_TRUE(out.empty());

  const Bytes big = random_bytes(65535 - kAeadTagSize);
  sealed.clear();
  aead.seal(1, {}, big, sealed);
  ASSERT_TRUE(aead.open(1, {}, sealed, out));
  EXPECT_EQ(out, big);
}

TEST(ChaChaPoly, MovedInstanceKeepsWorking) {
  const Bytes key = random_bytes(kAeadKeySize);
  ChaChaPoly a(key);
  Bytes first;
  a.seal(0, {}, as_bytes("x"), first);
  ChaChaPoly b(std::move(a));
  Bytes second, expected;
  b.seal(1, {}, as_bytes("y"), second);
  ChaChaPoly(key).seal(1, {}, as_bytes("y"), expected);
  EXPECT_EQ(second, expected);
}

}  // namespace
}  // namespace ipfsa::crypto
