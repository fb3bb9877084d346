#include "base/ascii.hpp"

#include <gtest/gtest.h>

namespace ipfsa {
namespace {

TEST(Ascii, OnlyAToZFold) {
  EXPECT_EQ(ascii_lower("Content-Type: APPLICATION/JSON"), "content-type: application/json");
  EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\xA9@[`{"), "\xC3\x89t\xC3\xA9@[`{");  // bytes >= 0x80 stay
  EXPECT_TRUE(ascii_iequals("ETag", "etag"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("etag", "etags"));
  EXPECT_FALSE(ascii_iequals("\xC3\x89", "\xC3\xA9"));  // É and é: not ASCII
  EXPECT_FALSE(ascii_iequals("@", "`"));                // 0x40 / 0x60 differ by 32 but are not letters
  static_assert(ascii_iequals("Link", "LINK"));
}

}  // namespace
}  // namespace ipfsa
