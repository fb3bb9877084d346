#include "wire/varint.hpp"

#include <gtest/gtest.h>

#include "wire/protobuf.hpp"

namespace ipfsa::wire {
namespace {

// Examples from multiformats/unsigned-varint README.
struct Vector {
  std::uint64_t value;
  Bytes encoded;
};
const Vector kVectors[] = {
    {1, {0x01}},         {127, {0x7f}},       {128, {0x80, 0x01}},
    {255, {0xff, 0x01}}, {300, {0xac, 0x02}}, {16384, {0x80, 0x80, 0x01}},
    {(1ull << 63) - 1, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
};

TEST(Uvarint, SpecVectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(encode_uvarint(v.value), v.encoded) << v.value;
    auto d = decode_uvarint(v.encoded);
    ASSERT_TRUE(d) << v.value;
    EXPECT_EQ(d->value, v.value);
    EXPECT_EQ(d->size, v.encoded.size());
    EXPECT_EQ(uvarint_size(v.value), v.encoded.size());
  }
}

TEST(Uvarint, EveryTruncatedPrefixFails) {
  for (const auto& v : kVectors) {
    for (std::size_t n = 0; n < v.encoded.size(); ++n) {
      auto d = decode_uvarint(ByteView(v.encoded).first(n));
      ASSERT_FALSE(d);
      EXPECT_EQ(d.error(), Error::truncated);
    }
  }
}

TEST(Uvarint, RejectsNonMinimalAndOverlong) {
  EXPECT_EQ(decode_uvarint(Bytes{0x80, 0x00}).error(), Error::non_canonical);
  EXPECT_EQ(decode_uvarint(Bytes{0x81, 0x80, 0x00}).error(), Error::non_canonical);
  Bytes ten(9, 0xff);
  ten.push_back(0x01);
  EXPECT_EQ(decode_uvarint(ten).error(), Error::malformed);
  EXPECT_EQ(decode_uvarint(Bytes(9, 0x80)).error(), Error::malformed);
  // Zero is a single 0x00 and is canonical.
  EXPECT_EQ(decode_uvarint(Bytes{0x00})->value, 0u);
}

TEST(Reader, LengthPrefixedChecksLimitBeforeData) {
  Bytes b{0x05, 'h', 'e', 'l', 'l', 'o', 0x03, 'a'};
  Reader r(b);
  auto s = r.length_prefixed(16);
  ASSERT_TRUE(s);
  EXPECT_EQ(to_string(*s), "hello");
  auto t = r.length_prefixed(16);
  EXPECT_EQ(t.error(), Error::truncated);
  const Bytes huge{0xff, 0x7f};
  Reader big(huge);
  EXPECT_EQ(big.length_prefixed(100).error(), Error::too_large);
}

TEST(Protobuf, WriterReaderRoundTrip) {
  pb::Writer w;
  w.varint(1, 1);
  w.bytes(2, Bytes{1, 2, 3});
  w.varint(3, ~0ull);
  Bytes msg = std::move(w).take();
  EXPECT_EQ(Bytes(msg.begin(), msg.begin() + 7), (Bytes{0x08, 0x01, 0x12, 0x03, 1, 2, 3}));
  pb::Reader r(msg);
  pb::Field f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(f.varint, 1u);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.number, 2u);
  EXPECT_EQ(Bytes(f.bytes.begin(), f.bytes.end()), (Bytes{1, 2, 3}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.varint, ~0ull);
  EXPECT_FALSE(r.next(f));
  EXPECT_FALSE(r.error());
  for (std::size_t n = 1; n < msg.size(); ++n) {
    if (n == 2 || n == 7) continue;  // field boundaries: a shorter but complete message
    pb::Reader t(ByteView(msg).first(n));
    while (t.next(f)) {
    }
    EXPECT_EQ(t.error(), Error::truncated) << n;
  }
}

TEST(Protobuf, RejectsGroupsAndFieldZero) {
  pb::Field f;
  const Bytes group{0x0b};  // field 1, wire type 3
  const Bytes field_zero{0x00, 0x01};
  pb::Reader groups(group);
  EXPECT_FALSE(groups.next(f));
  EXPECT_EQ(groups.error(), Error::malformed);
  pb::Reader zero(field_zero);
  EXPECT_FALSE(zero.next(f));
  EXPECT_EQ(zero.error(), Error::malformed);
}

}  // namespace
}  // namespace ipfsa::wire
