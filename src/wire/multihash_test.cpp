#include "wire/multihash.hpp"

#include <gtest/gtest.h>

namespace ipfsa::wire {
namespace {

Bytes H(std::string_view hex) { return *hex_decode(hex); }

// multihash spec example: sha2-256 of "Merkle–Damgård".
constexpr std::string_view kMerkleDamgardSha256 =
    "122041dd7b6443542e75701aa98a0c235951a28a0d851b11564d20022ab11d2589a8";

TEST(Multihash, SpecExampleSha256) {
  const Bytes mh = sha256_multihash(as_bytes("Merkle–Damgård"));
  EXPECT_EQ(hex_encode(mh), kMerkleDamgardSha256);
  auto decoded = decode_multihash(mh);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->code, HashCode::sha2_256);
  EXPECT_EQ(hex_encode(decoded->digest), kMerkleDamgardSha256.substr(4));
}

TEST(Multihash, IdentityRoundTrip) {
  const Bytes mh = identity_multihash(as_bytes("hello"));
  EXPECT_EQ(hex_encode(mh), "000568656c6c6f");
  auto decoded = decode_multihash(mh);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->code, HashCode::identity);
  EXPECT_EQ(to_string(decoded->digest), "hello");
  EXPECT_TRUE(decode_multihash(identity_multihash({})));  // empty identity digest is valid
}

TEST(Multihash, EveryTruncatedPrefixFails) {
  for (const Bytes& mh :
       {H(kMerkleDamgardSha256), identity_multihash(Bytes(kMaxMultihashDigestSize, 7))}) {
    for (std::size_t n = 0; n < mh.size(); ++n) {
      auto r = decode_multihash(ByteView(mh).first(n));
      ASSERT_FALSE(r) << n;
      EXPECT_EQ(r.error(), Error::truncated) << n;
    }
  }
}

TEST(Multihash, Malformed) {
  // sha2-256 with a digest length other than 32.
  EXPECT_EQ(decode_multihash(H("1201aa")).error(), Error::malformed);
  EXPECT_EQ(decode_multihash(encode_multihash(HashCode::sha2_256, Bytes(33, 1))).error(),
            Error::malformed);
  // Trailing byte after a complete multihash.
  EXPECT_EQ(decode_multihash(H("000100ff")).error(), Error::malformed);
  // Non-minimal varint code.
  EXPECT_EQ(decode_multihash(H("800001aa")).error(), Error::non_canonical);
}

TEST(Multihash, UnsupportedCodes) {
  Bytes sha512_short = H("1314");
  sha512_short.resize(2 + 20);
  EXPECT_EQ(decode_multihash(sha512_short).error(), Error::unsupported);  // sha2-512
  const Bytes blake2b = encode_multihash(static_cast<HashCode>(0xb220), Bytes(32, 0));
  EXPECT_EQ(hex_encode(ByteView(blake2b).first(4)), "a0e40220");
  EXPECT_EQ(decode_multihash(blake2b).error(), Error::unsupported);
}

TEST(Multihash, DigestLimitCheckedBeforeReading) {
  Bytes big = encode_multihash(HashCode::identity, Bytes(kMaxMultihashDigestSize, 1));
  EXPECT_TRUE(decode_multihash(big));
  // Claims one byte more than the limit, with no digest present: too_large, not truncated.
  Bytes header = encode_uvarint(0);
  append_uvarint(header, kMaxMultihashDigestSize + 1);
  EXPECT_EQ(decode_multihash(header).error(), Error::too_large);
}

TEST(Multihash, ReadLeavesTrailingBytesAndCommitsOnlyOnSuccess) {
  Bytes buf = identity_multihash(as_bytes("ab"));
  buf.push_back(0x42);
  Reader r(buf);
  auto mh = read_multihash(r);
  ASSERT_TRUE(mh);
  EXPECT_EQ(r.rest().size(), 1u);
  const Bytes bad = H("1201aa");
  Reader r2(bad);
  EXPECT_FALSE(read_multihash(r2));
  EXPECT_EQ(r2.rest().size(), bad.size());
}

}  // namespace
}  // namespace ipfsa::wire
