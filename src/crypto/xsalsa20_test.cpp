#include "crypto/xsalsa20.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"

namespace ipfsa::crypto {
namespace {

// NaCl / libsodium test vectors (tests/stream.c and stream3.c): key "firstkey", nonce "nonce".
SecretBytes first_key() {
  return SecretBytes(
      hex_decode("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389").value());
}
Bytes nacl_nonce() {
  return hex_decode("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37").value();
}

TEST(XSalsa20, NaclStream3FirstBytes) {
  XSalsa20Stream s(first_key(), nacl_nonce());
  Bytes ks(32, 0);
  s.apply(ks);
  EXPECT_EQ(hex_encode(ks), "eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880");
  EXPECT_EQ(s.position(), 32u);
}

TEST(XSalsa20, NaclStreamSha256Of4MiB) {
  XSalsa20Stream s(first_key(), nacl_nonce());
  Bytes ks(4194304, 0);
  // Apply in uneven pieces: the result must still be the one-shot keystream.
  std::size_t off = 0, step = 1;
  while (off < ks.size()) {
    const std::size_t n = std::min(step, ks.size() - off);
    s.apply(std::span(ks).subspan(off, n));
    off += n;
    step = step * 3 + 7;
  }
  EXPECT_EQ(hex_encode(sha256(ks)),
            "662b9d0e3463029156069b12f918691a98f7dfb2ca0393c96bbfc6b1fbd630a2");
}

TEST(XSalsa20, IncrementalEqualsOneShot) {
  const SecretBytes key = random_secret(32);
  const Bytes nonce = random_bytes(24);
  const Bytes plain = random_bytes(5000);
  Bytes one = plain;
  XSalsa20Stream(key, nonce).apply(one);
  ASSERT_NE(one, plain);
  for (std::size_t chunk : {1u, 7u, 63u, 64u, 65u, 100u, 129u, 4999u}) {
    Bytes inc = plain;
    XSalsa20Stream s(key, nonce);
    for (std::size_t off = 0; off < inc.size(); off += chunk) {
      s.apply(std::span(inc).subspan(off, std::min(chunk, inc.size() - off)));
    }
    s.apply({});  // empty calls are harmless
    ASSERT_EQ(inc, one) << chunk;
  }
  // Applying the same keystream again decrypts.
  XSalsa20Stream(key, nonce).apply(one);
  EXPECT_EQ(one, plain);
}

}  // namespace
}  // namespace ipfsa::crypto
