#include "crypto/sha256.hpp"

#include <gtest/gtest.h>

namespace ipfsa::crypto {

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(hex_encode(sha256(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_encode(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace ipfsa::crypto
