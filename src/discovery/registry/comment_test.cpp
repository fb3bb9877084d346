// The registry comment format against vectors produced by the Python original's own code
// (json.dumps(indent=2, sort_keys=True), datetime.isoformat()), so mixed fleets agree.
#include "discovery/registry/comment.hpp"

#include <gtest/gtest.h>

namespace ipfsa::registry {
namespace {

using namespace std::chrono;

constexpr std::string_view kPeer = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

WallTime at(int y, unsigned mo, unsigned d, int h, int mi, int s, long us = 0) {
  return time_point_cast<WallClock::duration>(sys_days{year{y} / month{mo} / day{d}} + hours{h} +
                                              minutes{mi} + seconds{s} + microseconds{us});
}

// Python 3.11: body = f"{marker}\n```json\n{json.dumps(info, indent=2, sort_keys=True)}\n```\n"
// with metadata {"agent": "ipfs-accelerate/0.1", "note": "café 🚀\n\"q\"\x7f"}.
constexpr std::string_view kPythonBody = R"py(<!-- p2p-peer-registry:host-a -->
```json
{
  "last_seen": "2026-11-26T10:42:14.123456+00:00",
  "listen_port": 9100,
  "metadata": {
    "agent": "ipfs-accelerate/0.1",
    "note": "caf\u00e9 \ud83d\ude80\n\"q\"\u007f"
  },
  "multiaddr": "/ip4/10.0.0.5/tcp/9100/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
  "peer_id": "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
  "public_ip": null,
  "runner_name": "host-a"
}
```
)py";

// Same, metadata {}, public_ip "203.0.113.7", last_seen with zero microseconds.
constexpr std::string_view kPythonBodyPlain = R"py(<!-- p2p-peer-registry:host-a -->
```json
{
  "last_seen": "2026-11-26T10:42:14+00:00",
  "listen_port": 9100,
  "metadata": {},
  "multiaddr": "/ip4/10.0.0.5/tcp/9100/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
  "peer_id": "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
  "public_ip": "203.0.113.7",
  "runner_name": "host-a"
}
```
)py";

PeerRecord python_record() {
  PeerRecord r;
  r.runner_name = "host-a";
  r.peer_id = std::string(kPeer);
  r.multiaddr = "/ip4/10.0.0.5/tcp/9100/p2p/" + std::string(kPeer);
  r.listen_port = 9100;
  r.last_seen = at(2026, 11, 26, 10, 42, 14, 123456);
  r.metadata = {{"agent", "ipfs-accelerate/0.1"},
                {"note", "caf\xc3\xa9 \xf0\x9f\x9a\x80\n\"q\"\x7f"}};
  return r;
}

PeerRecord plain_record() {
  PeerRecord r = python_record();
  r.metadata.clear();
  r.public_ip = "203.0.113.7";
  r.last_seen = at(2026, 11, 26, 10, 42, 14);
  return r;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

TEST(Comment, BuildsExactlyWhatPythonWrites) {
  auto body = build_comment_body(python_record());
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, kPythonBody);
  auto plain = build_comment_body(plain_record());
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, kPythonBodyPlain);
}

TEST(Comment, ParsesWhatPythonWrites) {
  auto r = parse_comment_body(kPythonBody);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, python_record());
  auto p = parse_comment_body(kPythonBodyPlain);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, plain_record());
}

TEST(Comment, LastSeenFormatMatchesIsoformat) {
  EXPECT_EQ(format_last_seen(at(2026, 11, 26, 10, 42, 14, 123456)),
            "2026-11-26T10:42:14.123456+00:00");
  EXPECT_EQ(format_last_seen(at(2026, 1, 2, 3, 4, 5)), "2026-01-02T03:04:05+00:00");
  EXPECT_EQ(format_last_seen(at(2026, 1, 2, 3, 4, 5, 7)), "2026-01-02T03:04:05.000007+00:00");
  // Sub-microsecond parts are dropped, as Python's datetime has no finer resolution.
  EXPECT_EQ(format_last_seen(at(2026, 1, 2, 3, 4, 5) + nanoseconds{999}),
            "2026-01-02T03:04:05+00:00");
}

TEST(Comment, LastSeenParsesIsoVariants) {
  const auto base = at(2026, 11, 26, 10, 42, 14);
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42:14+00:00"), base);
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42:14Z"), base);
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42:14"), base);  // naive: UTC
  EXPECT_EQ(parse_last_seen("2026-11-26 10:42:14"), base);
  EXPECT_EQ(parse_last_seen("2026-11-26T12:42:14+02:00"), base);
  EXPECT_EQ(parse_last_seen("2026-11-26T05:12:14-05:30"), base);
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42:14.5Z"), base + milliseconds{500});
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42:14.123456789Z"),
            base + time_point_cast<WallClock::duration>(WallTime{} + nanoseconds{123456789})
                       .time_since_epoch());
  EXPECT_EQ(parse_last_seen("2026-11-26T10:42"), base - seconds{14});
  EXPECT_EQ(parse_last_seen("2024-02-29T00:00:00Z"), at(2024, 2, 29, 0, 0, 0));
  for (std::string_view bad : {"",
                               "2026",
                               "2026-11-26",
                               "2026-11-26T",
                               "2026-02-30T00:00:00Z",
                               "2025-02-29T00:00:00Z",
                               "2026-13-01T00:00:00Z",
                               "2026-11-26T24:00:00Z",
                               "2026-11-26T10:60:00Z",
                               "2026-11-26T10:42:61Z",
                               "2026-11-26T10:42:14.Z",
                               "2026-11-26T10:42:14.1234567890Z",
                               "2026-11-26T10:42:14+0000",
                               "2026-11-26T10:42:14+24:00",
                               "2026-11-26T10:42:14Zjunk",
                               "2026-11-26T10:42:14 ",
                               "26-11-2026T10:42:14Z",
                               "2026-11-26X10:42:14Z",
                               "2026-11-26T10:42:14+00:00junk",
                               "2026-1-26T10:42:14Z"}) {
    EXPECT_FALSE(parse_last_seen(bad)) << bad;
  }
}

// Found by fuzz/registry_fuzz: WallTime counts nanoseconds in an int64 (1677-2262), so these
// overflowed (undefined behaviour; "0001-01-01" came back as 1754-08-30, and a chosen far year
// could wrap into the live window).
TEST(Comment, LastSeenRefusesYearsWallTimeCannotHold) {
  EXPECT_EQ(parse_last_seen("1970-01-01T00:00:00Z"), WallTime{});
  EXPECT_EQ(parse_last_seen("2200-12-31T23:59:59.999999999Z"),
            at(2200, 12, 31, 23, 59, 59) + nanoseconds{999999999});
  EXPECT_EQ(parse_last_seen("1969-12-31T23:30:00-00:30"), WallTime{});  // the range is in UTC
  for (std::string_view bad :
       {"0001-01-01T00:00:00+01:00", "1677-09-21T00:12:43Z", "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00+00:01", "2200-12-31T23:30:00-00:30", "2201-01-01T00:00:00Z",
        "2262-04-11T23:47:17Z", "9999-12-31T23:59:59-23:59"}) {
    EXPECT_FALSE(parse_last_seen(bad)) << bad;
  }
  auto far = replace_all(std::string(kPythonBodyPlain), "2026-11-26", "2846-11-26");
  EXPECT_EQ(parse_comment_body(far).error(), Error::malformed);
}

TEST(Comment, RoundTrip) {
  PeerRecord r = python_record();
  r.runner_name = "runner \xe2\x9c\x93 #7";
  r.metadata["version"] = "1.2.3";
  r.public_ip = "2001:db8::1";
  auto body = build_comment_body(r);
  ASSERT_TRUE(body);
  auto back = parse_comment_body(*body);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
}

TEST(Comment, ToleratesCrlfSurroundingTextAndExtraFields) {
  auto crlf = parse_comment_body(replace_all(std::string(kPythonBody), "\n", "\r\n"));
  ASSERT_TRUE(crlf) << crlf.error().message();
  EXPECT_EQ(*crlf, python_record());

  std::string chatty = "\n  \t" + replace_all(std::string(kPythonBodyPlain), "```json",
                                              "Some words a human added.\n```json");
  chatty.insert(chatty.find("\"last_seen\""), "\"extra\": [1, {\"x\": null}],\n  ");
  chatty += "trailing words\n";
  auto r = parse_comment_body(chatty);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, plain_record());
}

TEST(Comment, RunnerNameFallsBackToMarkerAndMetadataKeepsJsonText) {
  const std::string body =
      "<!-- p2p-peer-registry:  ci-runner-3 -->\n```json\n{\"last_seen\": "
      "\"2026-11-26T10:42:14Z\", \"multiaddr\": \"/ip4/1.2.3.4/tcp/1\", \"peer_id\": \"" +
      std::string(kPeer) + "\", \"metadata\": {\"n\": 3, \"b\": true, \"o\": {\"k\": [1]}}}\n```";
  auto r = parse_comment_body(body);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->runner_name, "ci-runner-3");
  EXPECT_EQ(r->listen_port, 0);
  EXPECT_FALSE(r->public_ip);
  EXPECT_EQ(r->metadata.at("n"), "3");
  EXPECT_EQ(r->metadata.at("b"), "true");
  EXPECT_EQ(r->metadata.at("o"), R"({"k":[1]})");
}

// Found by fuzz/registry_fuzz: the JSON's strings are UTF-8 by construction, but the marker is
// raw text, so a runner name taken from it could carry any bytes into the status JSON and logs.
TEST(Comment, RunnerNameFromTheMarkerMustBeUtf8) {
  const std::string json =
      "\n```json\n{\"last_seen\": \"2026-11-26T10:42:14Z\", \"multiaddr\": "
      "\"/ip4/1.2.3.4/tcp/1\", \"peer_id\": \"" +
      std::string(kPeer) + "\"}\n```\n";
  EXPECT_EQ(parse_comment_body("<!-- p2p-peer-registry: \x8a-->" + json).error(), Error::malformed);
  EXPECT_EQ(parse_comment_body("<!-- p2p-peer-registry:host-\xc3 -->" + json).error(),
            Error::malformed);  // truncated sequence
  auto ok = parse_comment_body("<!-- p2p-peer-registry:h\xc3\xb4te -->" + json);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->runner_name, "h\xc3\xb4te");
  // The JSON's own runner_name wins, and the marker is then not read for it.
  auto named = parse_comment_body("<!-- p2p-peer-registry:\xff -->" +
                                  replace_all(json, "{", "{\"runner_name\": \"r\", "));
  ASSERT_TRUE(named) << named.error().message();
  EXPECT_EQ(named->runner_name, "r");
}

TEST(Comment, Markers) {
  EXPECT_EQ(marker_for("host-a"), "<!-- p2p-peer-registry:host-a -->");
  EXPECT_TRUE(is_registry_comment(" \r\n<!-- p2p-peer-registry:x -->"));
  EXPECT_FALSE(is_registry_comment("hello <!-- p2p-peer-registry:x -->"));
  EXPECT_TRUE(is_comment_of("\n<!-- p2p-peer-registry:host-a -->\n```json", "host-a"));
  EXPECT_FALSE(is_comment_of("<!-- p2p-peer-registry:host-ab -->", "host-a"));
  EXPECT_FALSE(is_comment_of("<!-- p2p-peer-registry:host -->", "host-a"));
}

TEST(Comment, RejectsWhatIsNotAPeer) {
  const std::string good(kPythonBodyPlain);
  EXPECT_EQ(parse_comment_body("LGTM").error(), Error::not_found);
  EXPECT_EQ(parse_comment_body("").error(), Error::not_found);
  auto mutate = [&](std::string_view from, std::string_view to) {
    auto r = parse_comment_body(replace_all(good, from, to));
    return r ? Error::ok : static_cast<Error>(r.error().value());
  };
  EXPECT_EQ(mutate(" -->", " --"), Error::malformed);       // marker never closed
  EXPECT_EQ(mutate("```json", "```js"), Error::malformed);  // no json block
  EXPECT_EQ(mutate("\"listen_port\": 9100,", "\"listen_port\": 9100"), Error::malformed);
  EXPECT_EQ(mutate("{\n  \"last_seen\"", "[\n  \"last_seen\""), Error::malformed);
  EXPECT_EQ(mutate("9100,", "70000,"), Error::malformed);
  EXPECT_EQ(mutate("9100,", "-1,"), Error::malformed);
  EXPECT_EQ(mutate("9100,", "\"9100\","), Error::malformed);
  EXPECT_EQ(mutate("9100,", "true,"), Error::malformed);
  EXPECT_EQ(mutate("9100,", "9100.5,"), Error::malformed);
  EXPECT_EQ(mutate("\"peer_id\"", "\"peer\""), Error::malformed);
  EXPECT_EQ(mutate("\"multiaddr\": \"", "\"multiaddr\": 1, \"x\": \""), Error::malformed);
  EXPECT_EQ(mutate("2026-11-26T10:42:14+00:00", "yesterday"), Error::malformed);
  EXPECT_EQ(mutate("\"203.0.113.7\"", "7"), Error::malformed);
  EXPECT_EQ(mutate("\"runner_name\": \"host-a\"", "\"runner_name\": \"\\udc00\""),
            Error::malformed);                                        // lone surrogate: not UTF-8
  EXPECT_EQ(mutate("host-a\"", "host-\xff\""), Error::malformed);     // invalid UTF-8
  EXPECT_EQ(mutate("{}", "[[[[[[[[[[]]]]]]]]]]"), Error::malformed);  // depth above kMaxJsonDepth
  EXPECT_EQ(mutate("\n```\n", "\n"), Error::malformed);  // the closing fence is the opening one
}

TEST(Comment, EveryTruncatedPrefixFailsCleanly) {
  const std::string body(kPythonBody);
  for (std::size_t n = 0; n + 1 < body.size(); ++n) {
    EXPECT_FALSE(parse_comment_body(body.substr(0, n))) << n;
  }
  EXPECT_TRUE(parse_comment_body(body.substr(0, body.size() - 1)));  // only the last '\n' lost
}

TEST(Comment, Limits) {
  std::string big(kPythonBodyPlain);
  big.insert(big.find("```json"), kMaxCommentBytes - big.size() + 1, 'x');
  ASSERT_EQ(big.size(), kMaxCommentBytes + 1);
  EXPECT_EQ(parse_comment_body(big).error(), Error::too_large);
  big.erase(big.find('x'), 1);
  EXPECT_TRUE(parse_comment_body(big));  // exactly kMaxCommentBytes

  PeerRecord r = plain_record();
  r.multiaddr.assign(kMaxFieldBytes + 1, 'a');
  EXPECT_EQ(build_comment_body(r).error(), Error::too_large);
  auto long_field = replace_all(std::string(kPythonBodyPlain), "host-a\"",
                                std::string(kMaxFieldBytes + 1, 'h') + "\"");
  EXPECT_EQ(parse_comment_body(long_field).error(), Error::too_large);
  auto at_limit = replace_all(std::string(kPythonBodyPlain), "host-a\"",
                              std::string(kMaxFieldBytes, 'h') + "\"");
  EXPECT_TRUE(parse_comment_body(at_limit));

  r = plain_record();
  for (std::size_t i = 0; i <= kMaxMetadataEntries; ++i) r.metadata["k" + std::to_string(i)] = "v";
  EXPECT_EQ(build_comment_body(r).error(), Error::too_large);
  std::string many = "{";
  for (std::size_t i = 0; i <= kMaxMetadataEntries; ++i) {
    many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  }
  many += "}";
  EXPECT_EQ(parse_comment_body(replace_all(std::string(kPythonBodyPlain), "{}", many)).error(),
            Error::too_large);
  r.metadata.erase("k0");
  EXPECT_TRUE(build_comment_body(r));
}

TEST(Comment, BuildRejectsUnsafeRecords) {
  PeerRecord r = plain_record();
  r.runner_name = "";
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
  r.runner_name = "a --> b";
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
  r.runner_name = "a\nb";
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
  r.runner_name = "ok";
  r.peer_id = "\xc0\xaf";  // overlong '/'
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
  r.peer_id = "\xed\xa0\x80";  // surrogate
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
  r.peer_id = "\xe2\x82";  // truncated sequence
  EXPECT_EQ(build_comment_body(r).error(), Error::malformed);
}

}  // namespace
}  // namespace ipfsa::registry
