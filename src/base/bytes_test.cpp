#include "base/bytes.hpp"

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/secret.hpp"

namespace ipfsa {

TEST(Hex, RoundTripAndRejects) {
  Bytes b{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "0001abff");
  EXPECT_EQ(hex_decode("0001ABff"), b);
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(BigEndian, StoreLoad) {
  std::uint8_t buf[4];
  store_be32(buf, 0x01020304);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(load_be32(buf), 0x01020304u);
  store_be16(buf, 0xbeef);
  EXPECT_EQ(load_be16(buf), 0xbeef);
}

TEST(ErrorCode, HasMessagesAndCompares) {
  boost::system::error_code ec = Error::truncated;
  EXPECT_EQ(ec, Error::truncated);
  EXPECT_EQ(ec.message(), "input truncated");
  Result<int> r = Error::malformed;
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error(), Error::malformed);
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  Bytes raw{1, 2, 3};
  SecretBytes a(raw);
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(b.size(), 3u);
}

}  // namespace ipfsa
