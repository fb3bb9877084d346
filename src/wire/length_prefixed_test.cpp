#include "wire/length_prefixed.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ipfsa::wire {
namespace {

Bytes framed(std::string_view body) {
  Bytes out = encode_uvarint(body.size());
  append(out, as_bytes(body));
  return out;
}

TEST(LengthPrefixedReader, ReadsOneMessageAndLeavesTheRest) {
  Bytes in = framed("hello");
  append(in, as_bytes("tail"));
  LengthPrefixedReader reader(100);
  ByteView view(in);
  auto message = reader.read(view);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ(to_string(**message), "hello");
  EXPECT_EQ(to_string(view), "tail");
  EXPECT_TRUE(reader.at_boundary());  // "tail" is still the caller's
}

TEST(LengthPrefixedReader, EveryChunkingYieldsTheSameMessages) {
  const std::string long_body(300, 'x');  // two-byte prefix
  Bytes in = framed("a");
  append(in, framed(""));
  append(in, framed(long_body));
  for (std::size_t chunk = 1; chunk <= in.size(); ++chunk) {
    LengthPrefixedReader reader(1000);
    std::vector<std::string> got;
    for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
      ByteView view = ByteView(in).subspan(pos, std::min(chunk, in.size() - pos));
      while (!view.empty()) {
        auto message = reader.read(view);
        ASSERT_TRUE(message) << chunk;
        if (!*message) {
          EXPECT_TRUE(view.empty());
          break;
        }
        got.push_back(to_string(**message));
      }
    }
    ASSERT_EQ(got.size(), 3u) << chunk;
    EXPECT_EQ(got[0], "a");
    EXPECT_EQ(got[1], "");
    EXPECT_EQ(got[2], long_body);
    EXPECT_TRUE(reader.at_boundary());
  }
}

TEST(LengthPrefixedReader, EveryTruncatedPrefixNeedsMoreInput) {
  const Bytes in = framed(std::string(200, 'y'));
  for (std::size_t n = 0; n < in.size(); ++n) {
    LengthPrefixedReader reader(1000);
    ByteView view = ByteView(in).first(n);
    auto message = reader.read(view);
    ASSERT_TRUE(message) << n;
    EXPECT_FALSE(message->has_value()) << n;
    EXPECT_TRUE(view.empty());
    EXPECT_EQ(reader.at_boundary(), n == 0) << n;
  }
}

TEST(LengthPrefixedReader, LengthAtTheLimitIsAccepted) {
  const Bytes in = framed(std::string(1024, 'z'));
  LengthPrefixedReader reader(1024);
  ByteView view(in);
  auto message = reader.read(view);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ((*message)->size(), 1024u);
}

TEST(LengthPrefixedReader, OversizeLengthRejectedBeforeTheBody) {
  // Only the prefix is given: the reader must refuse without waiting for 1025 bytes.
  const Bytes prefix = encode_uvarint(1025);
  LengthPrefixedReader reader(1024);
  ByteView view(prefix);
  auto message = reader.read(view);
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error(), Error::too_large);
  ByteView more(prefix);
  EXPECT_EQ(reader.read(more).error(), Error::invalid_state);  // errors are final
}

TEST(LengthPrefixedReader, OverlongPrefixRejectedBeforeItEnds) {
  // With a 1024 limit, a two-byte prefix suffices; a third continuation byte is refused at once.
  const Bytes prefix = {0x80 | 0x01, 0x80 | 0x01};
  LengthPrefixedReader reader(1024);
  ByteView view(prefix);
  auto message = reader.read(view);
  ASSERT_FALSE(message);
  EXPECT_EQ(message.error(), Error::too_large);
}

TEST(LengthPrefixedReader, NonCanonicalPrefixRejected) {
  const Bytes in = {0x81, 0x00, 'a'};
  LengthPrefixedReader reader(1024);
  ByteView view(in);
  EXPECT_EQ(reader.read(view).error(), Error::non_canonical);
}

TEST(LengthPrefixedReader, TenByteVarintIsMalformed) {
  Bytes in(9, 0xff);
  in.push_back(0x01);
  LengthPrefixedReader reader(std::size_t{1} << 62);
  ByteView view(in);
  EXPECT_EQ(reader.read(view).error(), Error::malformed);
}

TEST(LengthPrefixedReader, ZeroLimitAcceptsOnlyEmptyMessages) {
  LengthPrefixedReader reader(0);
  const Bytes ok = {0x00};
  ByteView view(ok);
  auto message = reader.read(view);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_TRUE((*message)->empty());
  const Bytes bad = {0x01};
  view = ByteView(bad);
  EXPECT_EQ(reader.read(view).error(), Error::too_large);
}

}  // namespace
}  // namespace ipfsa::wire
