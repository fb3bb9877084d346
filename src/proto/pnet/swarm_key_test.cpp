#include "proto/pnet/swarm_key.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::pnet {
namespace {

// The example key from js-libp2p's pnet README.
constexpr std::string_view kHex =
    "dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d";

std::string file16(std::string_view eol = "\n", std::string_view tail = "\n") {
  return "/key/swarm/psk/1.0.0/" + std::string(eol) + "/base16/" + std::string(eol) +
         std::string(kHex) + std::string(tail);
}

Error parse_error(std::string_view text) {
  auto r = parse_swarm_key(as_bytes(text));
  EXPECT_FALSE(r) << text;
  return r ? Error::ok : static_cast<Error>(r.error().value());
}

TEST(SwarmKey, ParsesBase16WithAnyLineEnding) {
  for (const auto& text : {file16(), file16("\r\n", "\r\n"), file16("\n", ""),
                           file16("  \t\n", " \n\n\n"), file16("\n", "\r\n \r\n")}) {
    auto psk = parse_swarm_key(as_bytes(text));
    ASSERT_TRUE(psk) << text;
    EXPECT_EQ(hex_encode(psk->view()), kHex);
  }
  std::string upper = file16();
  for (auto& c : upper) c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 32) : c;
  upper.replace(0, 22, "/key/swarm/psk/1.0.0/\n");  // the header stays lower case
  upper.replace(22, 8, "/base16/");
  ASSERT_TRUE(parse_swarm_key(as_bytes(upper))) << upper;
}

TEST(SwarmKey, ParsesBase64AndBin) {
  // base64 (RFC 4648, padded) of the bytes 00 01 02 ... 1f.
  auto b64 = parse_swarm_key(
      as_bytes("/key/swarm/psk/1.0.0/\n/base64/\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"));
  ASSERT_TRUE(b64);
  EXPECT_EQ(hex_encode(b64->view()),
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  Bytes bin = to_bytes("/key/swarm/psk/1.0.0/\r\n/bin/\r\n");
  Bytes raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<std::uint8_t>(i == 31 ? '\n' : 200 + i));
  append(bin, raw);
  auto key = parse_swarm_key(bin);
  ASSERT_TRUE(key);
  EXPECT_EQ(hex_encode(key->view()), hex_encode(raw));  // a key byte that is '\n' is kept
  bin.push_back('\n');
  EXPECT_TRUE(parse_swarm_key(bin));
  bin.push_back('x');
  EXPECT_EQ(parse_swarm_key(bin).error(), Error::malformed);
}

TEST(SwarmKey, FormatRoundTrips) {
  const SecretBytes psk(hex_decode(kHex).value());
  const SecretBytes text = format_swarm_key(psk);
  EXPECT_EQ(to_string(text.view()), file16());
  EXPECT_EQ(hex_encode(parse_swarm_key(text.view())->view()), kHex);
}

TEST(SwarmKey, EveryTruncatedPrefixFails) {
  const std::string full = file16("\n", "");
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(parse_error(full.substr(0, n)), Error::truncated) << n;
  }
  const std::string b64 =
      "/key/swarm/psk/1.0.0/\n/base64/\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  for (std::size_t n = 0; n < b64.size(); ++n) {
    EXPECT_EQ(parse_error(b64.substr(0, n)), Error::truncated) << n;
  }
}

TEST(SwarmKey, RejectsMalformedFiles) {
  EXPECT_EQ(parse_error("/key/swarm/psk/2.0.0/\n/base16/\n" + std::string(kHex)), Error::malformed);
  EXPECT_EQ(parse_error("/key/swarm/psk/1.0.0\n/base16/\n" + std::string(kHex)), Error::malformed);
  EXPECT_EQ(parse_error(" /key/swarm/psk/1.0.0/\n/base16/\n" + std::string(kHex)),
            Error::malformed);
  EXPECT_EQ(parse_error("hello"), Error::malformed);
  EXPECT_EQ(parse_error("/key/swarm/psk/1.0.0/\n/base58/"), Error::malformed);
  EXPECT_EQ(parse_error("/key/swarm/psk/1.0.0/\n/base32/\nABC\n"), Error::unsupported);
  // Short, long and bad hex.
  const std::string head = "/key/swarm/psk/1.0.0/\n/base16/\n";
  EXPECT_EQ(parse_error(head + std::string(kHex.substr(2))), Error::truncated);
  EXPECT_EQ(parse_error(head + std::string(kHex) + "00"), Error::malformed);
  std::string bad(kHex);
  bad[10] = 'g';
  EXPECT_EQ(parse_error(head + bad), Error::malformed);
  EXPECT_EQ(
      parse_error(head + std::string(kHex.substr(0, 32)) + "\n" + std::string(kHex.substr(32))),
      Error::malformed);
  EXPECT_EQ(parse_error(head + std::string(kHex) + "\nextra\n"), Error::malformed);
  // Base64: wrong length, missing padding, bad alphabet, non-zero spare bits.
  const std::string h64 = "/key/swarm/psk/1.0.0/\n/base64/\n";
  EXPECT_EQ(parse_error(h64 + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=AAAA"),
            Error::malformed);
  EXPECT_EQ(parse_error(h64 + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A"), Error::malformed);
  EXPECT_EQ(parse_error(h64 + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*="), Error::malformed);
  EXPECT_EQ(parse_error(h64 + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9="), Error::malformed);
  EXPECT_EQ(parse_error(h64 + "AAEC*"), Error::malformed);
}

TEST(SwarmKey, OversizedFileIsRejectedBeforeParsing) {
  std::string big = file16("\n", "");
  big.append(kMaxSwarmKeyFileSize - big.size(), ' ');
  EXPECT_TRUE(parse_swarm_key(as_bytes(big)));  // at the limit: fine
  big.push_back(' ');
  EXPECT_EQ(parse_error(big), Error::too_large);
}

}  // namespace
}  // namespace ipfsa::proto::pnet
