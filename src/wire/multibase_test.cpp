#include "wire/multibase.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ipfsa::wire {
namespace {

Bytes B(std::string_view s) { return to_bytes(s); }

// multiformats/multibase test vectors (tests/basic.csv, leading_zero.csv) and RFC 4648 section 10.
struct Vector {
  std::string_view input;
  Multibase base;
  std::string_view text;
};
constexpr std::string_view kYesMani = "yes mani !";
constexpr std::string_view kZeroYesMani{"\0yes mani !", 11};
constexpr std::string_view kZeroZeroYesMani{"\0\0yes mani !", 12};
const Vector kVectors[] = {
    {kYesMani, Multibase::base16, "f796573206d616e692021"},
    {kYesMani, Multibase::base32, "bpfsxgidnmfxgsibb"},
    {kYesMani, Multibase::base58btc, "z7paNL19xttacUY"},
    {kYesMani, Multibase::base64url, "ueWVzIG1hbmkgIQ"},
    {kZeroYesMani, Multibase::base16, "f00796573206d616e692021"},
    {kZeroYesMani, Multibase::base32, "bab4wk4zanvqw42jaee"},
    {kZeroYesMani, Multibase::base58btc, "z17paNL19xttacUY"},
    {kZeroZeroYesMani, Multibase::base58btc, "z117paNL19xttacUY"},
    {"", Multibase::base32, "b"},
    {"f", Multibase::base32, "bmy"},
    {"fo", Multibase::base32, "bmzxq"},
    {"foo", Multibase::base32, "bmzxw6"},
    {"foob", Multibase::base32, "bmzxw6yq"},
    {"fooba", Multibase::base32, "bmzxw6ytb"},
    {"foobar", Multibase::base32, "bmzxw6ytboi"},
    {"f", Multibase::base64url, "uZg"},
    {"fo", Multibase::base64url, "uZm8"},
    {"foo", Multibase::base64url, "uZm9v"},
    {"foobar", Multibase::base64url, "uZm9vYmFy"},
    {"Hello World!", Multibase::base58btc, "z2NEpo7TZRRrLZSi2U"},
};

TEST(Multibase, SpecVectorsEncodeAndDecode) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(std::string(v.text));
    EXPECT_EQ(multibase_encode(v.base, as_bytes(v.input)), v.text);
    auto decoded = multibase_decode(v.text);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->base, v.base);
    EXPECT_EQ(decoded->data, B(v.input));
  }
}

TEST(Multibase, UpperCaseVariantsDecode) {
  auto b = multibase_decode("BPFSXGIDNMFXGSIBB");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data, B(kYesMani));
  auto f = multibase_decode("F796573206D616E692021");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data, B(kYesMani));
}

TEST(Multibase, RawBase58LeadingZeros) {
  const Bytes data = *hex_decode("0000287fb4cd");
  EXPECT_EQ(base58btc_encode(data), "11233QC4");
  EXPECT_EQ(*base58btc_decode("11233QC4"), data);
  EXPECT_EQ(base58btc_encode({}), "");
  EXPECT_EQ(*base58btc_decode(""), Bytes{});
  EXPECT_EQ(*base58btc_decode("111"), Bytes(3, 0));
}

TEST(Multibase, RoundTripsEveryLengthAndByte) {
  Bytes data;
  for (int n = 0; n < 70; ++n) {
    for (Multibase base :
         {Multibase::base58btc, Multibase::base32, Multibase::base16, Multibase::base64url}) {
      auto decoded = multibase_decode(multibase_encode(base, data));
      ASSERT_TRUE(decoded) << n;
      EXPECT_EQ(decoded->data, data);
    }
    data.push_back(static_cast<std::uint8_t>(n * 37 + (n % 3 == 0 ? 0 : 255)));
  }
}

TEST(Multibase, RejectsBadCharacters) {
  EXPECT_EQ(multibase_decode("z0OIl").error(), Error::malformed);   // not in the Bitcoin alphabet
  EXPECT_EQ(multibase_decode("bmzxw1").error(), Error::malformed);  // '1' is not base32
  EXPECT_EQ(multibase_decode("bmZxw6").error(), Error::malformed);  // mixed case
  EXPECT_EQ(multibase_decode("fAb").error(), Error::malformed);     // odd and mixed
  EXPECT_EQ(multibase_decode("fzz").error(), Error::malformed);
  EXPECT_EQ(multibase_decode("f7g").error(), Error::malformed);
  EXPECT_EQ(multibase_decode("uZm9+").error(), Error::malformed);   // '+' is base64, not url
  EXPECT_EQ(multibase_decode("uZm9v=").error(), Error::malformed);  // no padding
  EXPECT_EQ(multibase_decode("bmzxw6===").error(), Error::malformed);
  EXPECT_EQ(multibase_decode(std::string_view("bmz\0", 4)).error(), Error::malformed);
}

TEST(Multibase, RejectsImpossibleLengths) {
  EXPECT_EQ(multibase_decode("bm").error(), Error::malformed);       // 1 char: 5 bits
  EXPECT_EQ(multibase_decode("bmzx").error(), Error::malformed);     // 3 chars
  EXPECT_EQ(multibase_decode("bmzxw6y").error(), Error::malformed);  // 6 chars
  EXPECT_EQ(multibase_decode("uZ").error(), Error::malformed);
  EXPECT_EQ(multibase_decode("uZm9vY").error(), Error::malformed);
  EXPECT_EQ(multibase_decode("f7").error(), Error::malformed);
}

TEST(Multibase, RejectsNonZeroTrailingBits) {
  // "my" is "f"; "mz" differs only in the 2 pad bits. Same for base64 "Zg" / "Zh".
  EXPECT_EQ(multibase_decode("bmz").error(), Error::non_canonical);
  EXPECT_EQ(multibase_decode("uZh").error(), Error::non_canonical);
  EXPECT_EQ(multibase_decode("uZm9").error(), Error::non_canonical);  // "fo" is "Zm8"
}

TEST(Multibase, PrefixErrors) {
  EXPECT_EQ(multibase_decode("").error(), Error::malformed);
  EXPECT_EQ(multibase_decode("m").error(), Error::unsupported);  // base64 with padding chars
  EXPECT_EQ(multibase_decode("Qm").error(), Error::unsupported);
  EXPECT_EQ(multibase_decode("9123").error(), Error::unsupported);
}

TEST(Multibase, SizeLimitCheckedFirst) {
  const std::string at_limit = "z" + std::string(kMaxMultibaseTextSize - 1, '2');
  EXPECT_TRUE(multibase_decode(at_limit));
  const std::string over = "z" + std::string(kMaxMultibaseTextSize, '2');
  EXPECT_EQ(multibase_decode(over).error(), Error::too_large);
  EXPECT_EQ(base58btc_decode(std::string(kMaxMultibaseTextSize + 1, '!')).error(),
            Error::too_large);
  EXPECT_EQ(base32_decode(std::string(kMaxMultibaseTextSize + 1, 'a')).error(), Error::too_large);
  EXPECT_EQ(base16_decode(std::string(kMaxMultibaseTextSize + 2, 'a')).error(), Error::too_large);
}

}  // namespace
}  // namespace ipfsa::wire
