#include "wire/ip_text.hpp"

#include <gtest/gtest.h>

#include "base/bytes.hpp"

namespace ipfsa::wire {
namespace {

std::string ip6_hex(std::string_view text) {
  auto ip = parse_ip6(text);
  return ip ? hex_encode(*ip) : "invalid";
}

TEST(IpText, Ip4) {
  EXPECT_EQ(hex_encode(*parse_ip4("127.0.0.1")), "7f000001");
  EXPECT_EQ(hex_encode(*parse_ip4("255.255.255.255")), "ffffffff");
  EXPECT_EQ(hex_encode(*parse_ip4("0.0.0.0")), "00000000");
  EXPECT_EQ(format_ip4({10, 0, 200, 1}), "10.0.200.1");
  for (std::string_view bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4", "1..3.4", "1.2.3.", ".1.2.3",
        "1.2.3.4 ", "a.b.c.d", "1.2.3.-4", "1234.1.1.1", "::1", "0x7f.0.0.1"}) {
    EXPECT_FALSE(parse_ip4(bad)) << bad;
  }
}

TEST(IpText, Ip6AllTextForms) {
  // RFC 4291 section 2.2 examples.
  EXPECT_EQ(ip6_hex("2001:DB8:0:0:8:800:200C:417A"), "20010db80000000000080800200c417a");
  EXPECT_EQ(ip6_hex("2001:db8::8:800:200c:417a"), "20010db80000000000080800200c417a");
  EXPECT_EQ(ip6_hex("FF01::101"), "ff010000000000000000000000000101");
  EXPECT_EQ(ip6_hex("::1"), "00000000000000000000000000000001");
  EXPECT_EQ(ip6_hex("::"), "00000000000000000000000000000000");
  EXPECT_EQ(ip6_hex("1::"), "00010000000000000000000000000000");
  EXPECT_EQ(ip6_hex("0:0:0:0:0:0:13.1.68.3"), "0000000000000000000000000d014403");
  EXPECT_EQ(ip6_hex("::13.1.68.3"), "0000000000000000000000000d014403");
  EXPECT_EQ(ip6_hex("::FFFF:129.144.52.38"), "00000000000000000000ffff81903426");
  EXPECT_EQ(ip6_hex("1:2:3:4:5:6:7::"), "00010002000300040005000600070000");
  EXPECT_EQ(ip6_hex("::2:3:4:5:6:7:8"), "00000002000300040005000600070008");
  EXPECT_EQ(ip6_hex("1:2:3:4:5:6:1.2.3.4"), "00010002000300040005000601020304");
}

TEST(IpText, Ip6Rejects) {
  for (std::string_view bad : {"",
                               ":",
                               ":::",
                               "1:2:3:4:5:6:7",
                               "1:2:3:4:5:6:7:8:9",
                               "1::2::3",
                               "12345::",
                               "g::",
                               ":1:2:3:4:5:6:7:8",
                               "1:2:3:4:5:6:7:8:",
                               "::1:2:3:4:5:6:7:8",
                               "1:2:3:4::5:6:7:8",
                               "1.2.3.4::",
                               "::1.2.3.4:5",
                               "::1.2.3",
                               "::256.1.1.1",
                               "fe80::1%eth0",
                               "[::1]",
                               "1:2:3:4:5:6:7:1.2.3.4",
                               "::ffff:1.2.3.04",
                               "1:::2",
                               "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff0"}) {
    EXPECT_FALSE(parse_ip6(bad)) << bad;
  }
  EXPECT_FALSE(parse_ip6(std::string(kMaxIp6TextSize + 1, '0')));
}

TEST(IpText, Ip6CanonicalOutputRfc5952) {
  auto canon = [](std::string_view in) { return format_ip6(*parse_ip6(in)); };
  EXPECT_EQ(canon("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  EXPECT_EQ(canon("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // first of equal runs
  EXPECT_EQ(canon("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");           // longest run
  EXPECT_EQ(canon("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero: no "::"
  EXPECT_EQ(canon("0:0:0:0:0:0:0:0"), "::");
  EXPECT_EQ(canon("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canon("1:0:0:0:0:0:0:0"), "1::");
  EXPECT_EQ(canon("::ffff:7f00:1"), "::ffff:127.0.0.1");  // IPv4-mapped keeps its dotted tail
  EXPECT_EQ(canon("2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095"),
            "2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095");
}

TEST(IpText, Ip6RoundTripsThroughCanonicalText) {
  Ip6Bytes ip{};
  // Walk zero/non-zero group patterns: every canonical text must parse back to the same bytes.
  for (unsigned mask = 0; mask < 256; ++mask) {
    for (int g = 0; g < 8; ++g) {
      ip[2 * g] = (mask >> g) & 1 ? static_cast<std::uint8_t>(g + 1) : 0;
      ip[2 * g + 1] = (mask >> g) & 1 ? 0xab : 0;
    }
    const std::string text = format_ip6(ip);
    auto back = parse_ip6(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, ip) << text;
  }
}

}  // namespace
}  // namespace ipfsa::wire
