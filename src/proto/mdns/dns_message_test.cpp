#include "proto/mdns/dns_message.hpp"

#include <gtest/gtest.h>

#include "proto/mdns/test_vectors.hpp"

namespace ipfsa::proto::mdns {
namespace {

Bytes H(std::string_view hex) { return *hex_decode(hex); }

Bytes header(std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
             std::uint16_t ar) {
  Bytes b(kHeaderSize);
  store_be16(&b[2], flags);
  store_be16(&b[4], qd);
  store_be16(&b[6], an);
  store_be16(&b[8], ns);
  store_be16(&b[10], ar);
  return b;
}
void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void label(Bytes& b, std::string_view s) {
  b.push_back(static_cast<std::uint8_t>(s.size()));
  append(b, as_bytes(s));
}
// Record header after its name: type, class, ttl 120, rdlength.
void rr(Bytes& b, std::uint16_t t, std::uint16_t rdlength) {
  put16(b, t);
  put16(b, kClassIn);
  put16(b, 0);
  put16(b, 120);
  put16(b, rdlength);
}

TEST(DnsMessage, DecodesJsQuery) {
  const Bytes packet = H(testing::kJsQueryHex);
  auto m = decode(packet);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->id, 0);
  EXPECT_FALSE(m->is_response());
  ASSERT_EQ(m->questions.size(), 1u);
  EXPECT_EQ(m->questions[0], (Question{"_p2p._udp.local", type::kPtr, kClassIn, false}));
  EXPECT_TRUE(m->answers.empty() && m->authorities.empty() && m->additionals.empty());
  EXPECT_EQ(*encode(*m), packet);
}

TEST(DnsMessage, DecodesJsResponse) {
  const Bytes packet = H(testing::kJsResponseHex);
  auto m = decode(packet);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->flags, flag::kResponse | flag::kAuthoritative);
  ASSERT_EQ(m->answers.size(), 2u);
  EXPECT_TRUE(m->additionals.empty());
  const auto& ptr = m->answers[0];
  EXPECT_EQ(ptr.name, "_p2p._udp.local");
  EXPECT_EQ(ptr.ttl, 120u);
  const auto& target = std::get<PtrData>(ptr.data).target;
  EXPECT_EQ(target.size(), 63 + 1 + 15u);  // js peer names are 63 characters
  const auto& txt = m->answers[1];
  EXPECT_EQ(txt.name, target);
  const auto& strings = std::get<TxtData>(txt.data).strings;
  ASSERT_EQ(strings.size(), 1u);
  EXPECT_EQ(to_string(strings[0]), "dnsaddr=" + std::string(testing::kJsPeerAddr) + "/p2p/" +
                                       std::string(testing::kJsPeerId));
  EXPECT_EQ(*encode(*m), packet);
}

TEST(DnsMessage, EveryTruncatedPrefixFails) {
  for (auto hex : {testing::kJsQueryHex, testing::kJsResponseHex}) {
    const Bytes packet = H(hex);
    for (std::size_t n = 0; n < packet.size(); ++n) {
      auto m = decode(ByteView(packet).first(n));
      ASSERT_FALSE(m) << n;
      EXPECT_EQ(m.error(), Error::truncated) << n;
    }
  }
}

TEST(DnsMessage, TrailingBytesAreMalformed) {
  Bytes packet = H(testing::kJsQueryHex);
  packet.push_back(0);
  EXPECT_EQ(decode(packet).error(), Error::malformed);
}

TEST(DnsMessage, FollowsCompressionPointers) {
  Bytes b = header(flag::kResponse, 1, 1, 0, 0);
  label(b, "_p2p");  // offset 12: the question name
  label(b, "_udp");
  label(b, "local");
  b.push_back(0);
  put16(b, type::kPtr);
  put16(b, kClassIn);
  b.insert(b.end(), {0xC0, 12});  // answer name: pointer to the question name
  rr(b, type::kPtr, 7);
  label(b, "peer");  // PTR target: "peer" + pointer
  b.insert(b.end(), {0xC0, 12});
  auto m = decode(b);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->answers[0].name, "_p2p._udp.local");
  EXPECT_EQ(std::get<PtrData>(m->answers[0].data).target, "peer._p2p._udp.local");
}

TEST(DnsMessage, RejectsPointerLoopsAndForwardPointers) {
  {  // a pointer to itself
    Bytes b = header(0, 1, 0, 0, 0);
    b.insert(b.end(), {0xC0, 12, 0, 12, 0, 1});
    EXPECT_EQ(decode(b).error(), Error::malformed);
  }
  {  // a label then a pointer back to that label
    Bytes b = header(0, 1, 0, 0, 0);
    label(b, "a");
    b.insert(b.end(), {0xC0, 12, 0, 12, 0, 1});
    EXPECT_EQ(decode(b).error(), Error::malformed);
  }
  {  // a forward pointer (to a valid name further on)
    Bytes b = header(0, 2, 0, 0, 0);
    b.insert(b.end(), {0xC0, 18, 0, 12, 0, 1});
    label(b, "a");
    b.push_back(0);
    put16(b, type::kPtr);
    put16(b, kClassIn);
    EXPECT_EQ(decode(b).error(), Error::malformed);
  }
  {  // two pointers into each other: 14 -> 12 is backwards, 12 -> 14 is not
    Bytes b = header(0, 1, 0, 0, 0);
    b.insert(b.end(), {0xC0, 14, 0xC0, 12, 0, 12, 0, 1});
    EXPECT_EQ(decode(b).error(), Error::malformed);
  }
}

// A question named "a" at offset 12, a raw record whose RDATA is a chain of `links` pointers (the
// first to offset 12, each next to the previous), then a record named by a pointer to the last.
Bytes pointer_chain(std::size_t links) {
  Bytes b = header(flag::kResponse, 1, 2, 0, 0);
  label(b, "a");
  b.push_back(0);
  put16(b, type::kPtr);
  put16(b, kClassIn);
  b.push_back(0);
  rr(b, 99, static_cast<std::uint16_t>(2 * links));
  std::size_t previous = 12;
  for (std::size_t i = 0; i < links; ++i) {
    const std::size_t here = b.size();
    b.push_back(static_cast<std::uint8_t>(0xC0 | (previous >> 8)));
    b.push_back(static_cast<std::uint8_t>(previous));
    previous = here;
  }
  b.push_back(static_cast<std::uint8_t>(0xC0 | (previous >> 8)));
  b.push_back(static_cast<std::uint8_t>(previous));
  rr(b, 99, 0);
  return b;
}

TEST(DnsMessage, BoundsCompressionJumps) {
  auto ok = decode(pointer_chain(kMaxCompressionJumps - 1));  // kMaxCompressionJumps jumps
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->answers[1].name, "a");
  EXPECT_EQ(decode(pointer_chain(kMaxCompressionJumps)).error(), Error::malformed);
}

Bytes question_named(const std::vector<std::size_t>& label_sizes) {
  Bytes b = header(0, 1, 0, 0, 0);
  for (auto n : label_sizes) label(b, std::string(n, 'x'));
  b.push_back(0);
  put16(b, type::kPtr);
  put16(b, kClassIn);
  return b;
}

TEST(DnsMessage, BoundsNameLength) {
  auto longest = decode(question_named({63, 63, 63, 61}));  // 255 bytes on the wire
  ASSERT_TRUE(longest);
  EXPECT_EQ(longest->questions[0].name.size(), 253u);
  EXPECT_EQ(*encode(*longest), question_named({63, 63, 63, 61}));
  EXPECT_EQ(decode(question_named({63, 63, 63, 62})).error(), Error::too_large);
  // Also through compression: the pointed-to part counts.
  Bytes b = question_named({63, 63, 63});
  store_be16(&b[4], 2);
  label(b, std::string(62, 'y'));
  b.insert(b.end(), {0xC0, 12, 0, 12, 0, 1});
  EXPECT_EQ(decode(b).error(), Error::too_large);
}

TEST(DnsMessage, RejectsReservedLabelTypesAndDots) {
  for (std::uint8_t bad : {0x40, 0x80}) {
    Bytes b = header(0, 1, 0, 0, 0);
    b.insert(b.end(), {bad, 0, 0, 12, 0, 1});
    EXPECT_EQ(decode(b).error(), Error::malformed);
  }
  Bytes b = header(0, 1, 0, 0, 0);
  label(b, "a.b");
  b.insert(b.end(), {0, 0, 12, 0, 1});
  EXPECT_EQ(decode(b).error(), Error::malformed);
}

TEST(DnsMessage, BoundsPacketAndRecordCount) {
  EXPECT_EQ(decode(Bytes(kMaxMdnsPacketBytes + 1, 0)).error(), Error::too_large);
  auto root_questions = [](std::size_t n) {
    Bytes b = header(0, static_cast<std::uint16_t>(n), 0, 0, 0);
    for (std::size_t i = 0; i < n; ++i) b.insert(b.end(), {0, 0, 12, 0, 1});
    return b;
  };
  auto full = decode(root_questions(kMaxRecords));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->questions.size(), kMaxRecords);
  EXPECT_EQ(decode(root_questions(kMaxRecords + 1)).error(), Error::too_large);
  // Counts no packet of this size could hold fail before anything is reserved.
  EXPECT_EQ(decode(header(0, 0, 100, 0, 0)).error(), Error::truncated);
}

Bytes txt_record(std::size_t strings, std::size_t string_size) {
  Bytes b = header(flag::kResponse, 0, 1, 0, 0);
  b.push_back(0);
  rr(b, type::kTxt, static_cast<std::uint16_t>(strings * (string_size + 1)));
  for (std::size_t i = 0; i < strings; ++i) label(b, std::string(string_size, 't'));
  return b;
}

TEST(DnsMessage, BoundsTxtStrings) {
  auto ok = decode(txt_record(kMaxTxtStrings, 100));
  ASSERT_TRUE(ok);
  EXPECT_EQ(std::get<TxtData>(ok->answers[0].data).strings.size(), kMaxTxtStrings);
  EXPECT_EQ(*encode(*ok), txt_record(kMaxTxtStrings, 100));
  EXPECT_EQ(decode(txt_record(kMaxTxtStrings + 1, 1)).error(), Error::too_large);
  Bytes overrun = txt_record(1, 4);
  overrun.back() = 't';
  overrun[overrun.size() - 5] = 9;  // the string claims more than its RDATA
  overrun.insert(overrun.end(), 5, 't');
  EXPECT_EQ(decode(overrun).error(), Error::malformed);
}

TEST(DnsMessage, RdataLengthMustMatchType) {
  Bytes a = header(flag::kResponse, 0, 1, 0, 0);
  a.push_back(0);
  rr(a, type::kA, 5);
  a.insert(a.end(), {127, 0, 0, 1, 9});
  EXPECT_EQ(decode(a).error(), Error::malformed);
  Bytes ptr = header(flag::kResponse, 0, 1, 0, 0);
  ptr.push_back(0);
  rr(ptr, type::kPtr, 4);
  label(ptr, "a");
  ptr.insert(ptr.end(), {0, 7});  // one byte after the name, inside RDATA
  EXPECT_EQ(decode(ptr).error(), Error::malformed);
}

TEST(DnsMessage, RoundTripsEveryRecordTypeAndTheTopClassBits) {
  Message m;
  m.id = 0x1234;
  m.flags = flag::kResponse | flag::kAuthoritative;
  m.questions.push_back({"x._p2p._udp.local", type::kAny, kClassIn, true});
  m.answers.push_back({"_p2p._udp.local", type::kPtr, kClassIn, false, 120, PtrData{"x.local"}});
  m.answers.push_back(
      {"x.local", type::kTxt, kClassIn, true, 4500, TxtData{{to_bytes("a=b"), Bytes{}}}});
  m.authorities.push_back(
      {"x.local", type::kSrv, kClassIn, true, 120, SrvData{0, 5, 4001, "host.local"}});
  m.additionals.push_back({"host.local", type::kA, kClassIn, true, 120, AData{{192, 168, 1, 2}}});
  AaaaData six;
  six.address[0] = 0xfe;
  six.address[1] = 0x80;
  six.address[15] = 1;
  m.additionals.push_back({"host.local", type::kAaaa, kClassIn, false, 120, six});
  m.additionals.push_back({"host.local", 47, kClassIn, false, 120, RawData{{1, 2, 3}}});
  m.additionals.push_back({"", type::kTxt, kClassAny, false, 0, TxtData{}});
  auto bytes = encode(m);
  ASSERT_TRUE(bytes) << bytes.error().message();
  auto back = decode(*bytes);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, m);
  // The QU bit sits in the question's class; cache-flush in the record's.
  EXPECT_TRUE(back->questions[0].unicast_response);
  EXPECT_TRUE(back->answers[1].cache_flush);
  EXPECT_FALSE(back->answers[0].cache_flush);
  for (std::size_t n = 0; n < bytes->size(); ++n)
    EXPECT_FALSE(decode(ByteView(*bytes).first(n))) << n;
}

TEST(DnsMessage, EncodeRejectsWhatDecodeCouldNotRead) {
  auto with_question = [](std::string name) {
    Message m;
    m.questions.push_back({std::move(name), type::kPtr, kClassIn, false});
    return encode(m);
  };
  EXPECT_EQ(with_question(std::string(64, 'x')).error(), Error::malformed);
  EXPECT_EQ(with_question("a..b").error(), Error::malformed);
  EXPECT_EQ(with_question("a.b.").error(), Error::malformed);
  EXPECT_EQ(with_question(".a").error(), Error::malformed);
  const std::string x63(63, 'x');
  EXPECT_TRUE(with_question(x63 + "." + x63 + "." + x63 + "." + std::string(61, 'x')));
  EXPECT_EQ(with_question(x63 + "." + x63 + "." + x63 + "." + std::string(62, 'x')).error(),
            Error::too_large);

  auto with_record = [](Record r) {
    Message m;
    m.answers.push_back(std::move(r));
    return encode(m);
  };
  EXPECT_EQ(with_record({"a", type::kTxt, kClassIn, false, 1, TxtData{{Bytes(256, 1)}}}).error(),
            Error::malformed);
  EXPECT_EQ(with_record({"a", type::kTxt, kClassIn, false, 1,
                         TxtData{std::vector<Bytes>(kMaxTxtStrings + 1)}})
                .error(),
            Error::too_large);
  EXPECT_EQ(with_record({"a", type::kA, kClassIn, false, 1, PtrData{"b"}}).error(),
            Error::malformed);
  EXPECT_EQ(with_record({"a", type::kPtr, kClassIn, false, 1, RawData{{0}}}).error(),
            Error::malformed);
  EXPECT_EQ(
      with_record({"a", 99, kClassIn, false, 1, RawData{Bytes(kMaxMdnsPacketBytes, 0)}}).error(),
      Error::too_large);

  Message many;
  many.questions.resize(kMaxRecords + 1, Question{"a", type::kPtr, kClassIn, false});
  EXPECT_EQ(encode(many).error(), Error::too_large);
}

TEST(DnsMessage, NamesCompareCaseInsensitively) {
  EXPECT_TRUE(names_equal("_P2P._udp.LOCAL", "_p2p._udp.local"));
  EXPECT_FALSE(names_equal("_p2p._udp.local", "_p2p._udp.locale"));
  EXPECT_FALSE(names_equal("_p2p._udp.local", "_p2p._tcp.local"));
}

}  // namespace
}  // namespace ipfsa::proto::mdns
