#include "cache/entry.hpp"

#include <gtest/gtest.h>

#include "wire/cid.hpp"
#include "wire/protobuf.hpp"

namespace ipfsa::cache {
namespace {

const WallTime kT0{std::chrono::milliseconds(1'700'000'000'123)};

Entry sample() {
  auto e = make_entry(200,
                      {{"Content-Type", "application/json; charset=utf-8"},
                       {"ETag", "W/\"abc\""},
                       {"Set-Cookie", "session=secret"},
                       {"Authorization", "token ghp_x"},
                       {"X-RateLimit-Remaining", "4999"},
                       {"Link", "<https://api.github.com/x?page=2>; rel=\"next\""},
                       {"etag", "\"second\""}},
                      "{\"id\":1}", kT0, kT0 + std::chrono::seconds(60), "12D3KooWpeer");
  return std::move(*e);
}

TEST(Entry, KeepsOnlyTheClientHeadersAndComputesTheCid) {
  const Entry e = sample();
  ASSERT_EQ(e.headers.size(), 3u);
  EXPECT_EQ(e.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(e.header("etag"), "W/\"abc\"");  // the first occurrence wins
  EXPECT_EQ(e.header("link"), "<https://api.github.com/x?page=2>; rel=\"next\"");
  EXPECT_EQ(e.header("set-cookie"), "");
  EXPECT_EQ(e.header("authorization"), "");
  EXPECT_EQ(e.cid, wire::Cid::sha256_raw(as_bytes("{\"id\":1}")).to_string());
  EXPECT_TRUE(e.cid.starts_with("bafkrei"));
  EXPECT_TRUE(e.has_validator());
  EXPECT_TRUE(e.fresh_at(kT0 + std::chrono::seconds(59)));
  EXPECT_FALSE(e.fresh_at(kT0 + std::chrono::seconds(60)));
}

TEST(Entry, MetaRoundTrip) {
  const Entry e = sample();
  const Bytes meta = encode_meta(e);
  auto d = decode_meta(meta, e.body);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->status, e.status);
  EXPECT_EQ(d->headers, e.headers);
  EXPECT_EQ(*d->body, *e.body);
  EXPECT_EQ(d->cid, e.cid);
  EXPECT_EQ(d->fetched_at, e.fetched_at);
  EXPECT_EQ(d->expires_at, e.expires_at);
  EXPECT_EQ(d->origin, "12D3KooWpeer");
  EXPECT_EQ(encode_meta(*d), meta);
}

TEST(Entry, MetaKeepsTheOriginSignature) {
  Entry e = sample();
  e.signature = std::string(64, '\x5a');
  auto d = decode_meta(encode_meta(e), e.body);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->signature, e.signature);
  e.signature = std::string(kMaxSignatureBytes + 1, 'x');
  EXPECT_EQ(decode_meta(encode_meta(e), e.body).error(), Error::too_large);
}

TEST(Entry, EveryTruncatedMetaFails) {
  const Entry e = sample();
  const Bytes meta = encode_meta(e);
  for (std::size_t n = 0; n < meta.size(); ++n) {
    EXPECT_FALSE(decode_meta(ByteView(meta.data(), n), e.body)) << n;
  }
}

TEST(Entry, DetectsABodyThatDoesNotMatchItsCid) {
  const Entry e = sample();
  const Bytes meta = encode_meta(e);
  auto d = decode_meta(meta, std::make_shared<const std::string>("{\"id\":2}"));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), Error::malformed);
  EXPECT_EQ(decode_meta(meta, nullptr).error(), Error::malformed);
}

// Meta written before the XXH3 field existed (field 7 removed): the body is checked by its CID.
Bytes without_xxh3(const Bytes& meta) {
  Bytes out;
  wire::pb::Reader r(meta);
  wire::pb::Field f;
  while (r.next(f)) {
    if (f.number == 7) continue;
    wire::pb::Writer w;
    if (f.type == wire::pb::WireType::len) {
      w.bytes(f.number, f.bytes);
    } else {
      w.varint(f.number, f.varint);
    }
    append(out, w.data());
  }
  return out;
}

TEST(Entry, MetaWithoutTheFastChecksumFallsBackToTheCid) {
  const Entry e = sample();
  const Bytes old = without_xxh3(encode_meta(e));
  ASSERT_LT(old.size(), encode_meta(e).size());
  auto ok = decode_meta(old, e.body);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->cid, e.cid);
  auto bad = decode_meta(old, std::make_shared<const std::string>("{\"id\":2}"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), Error::malformed);
}

TEST(Entry, BodyMatchesCid) {
  Entry e = sample();
  EXPECT_TRUE(body_matches_cid(e));
  e.body = std::make_shared<const std::string>("{\"id\":2}");
  EXPECT_FALSE(body_matches_cid(e));
}

TEST(Entry, RejectsMalformedMeta) {
  const Entry e = sample();
  Bytes meta = encode_meta(e);
  Bytes trailing = meta;
  trailing.push_back(0x08);  // a field after the end marker
  trailing.push_back(0x01);
  EXPECT_EQ(decode_meta(trailing, e.body).error(), Error::malformed);
  EXPECT_FALSE(decode_meta(Bytes{0xFF, 0xFF, 0xFF}, e.body));
  // Status out of range.
  Entry bad = e;
  bad.status = 999;
  EXPECT_EQ(decode_meta(encode_meta(bad), e.body).error(), Error::malformed);
  // A header that is not in the kept set.
  Entry sneaky = e;
  sneaky.headers.push_back({"authorization", "token x"});
  EXPECT_EQ(decode_meta(encode_meta(sneaky), e.body).error(), Error::malformed);
}

TEST(Entry, Limits) {
  EXPECT_EQ(make_entry(200, {}, std::string(kMaxEntryBytes + 1, 'x'), kT0, kT0).error(),
            Error::too_large);
  EXPECT_TRUE(make_entry(200, {}, std::string(kMaxEntryBytes, 'x'), kT0, kT0));
  EXPECT_EQ(make_entry(200, {}, "", kT0, kT0, std::string(kMaxOriginBytes + 1, 'p')).error(),
            Error::malformed);
  EXPECT_EQ(make_entry(42, {}, "", kT0, kT0).error(), Error::malformed);
  auto long_header =
      make_entry(200, {{"link", std::string(kMaxHeaderValueBytes + 1, 'l')}}, "", kT0, kT0);
  ASSERT_TRUE(long_header);
  EXPECT_EQ(long_header->header("link"), "");
}

}  // namespace
}  // namespace ipfsa::cache
