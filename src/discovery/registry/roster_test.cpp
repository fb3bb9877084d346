#include "discovery/registry/roster.hpp"

#include <gtest/gtest.h>

namespace ipfsa::registry {
namespace {

using namespace std::chrono;

constexpr std::string_view kA = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
constexpr std::string_view kB = "12D3KooWLtDQXqwRoSovGX1UwuRBtStSh8d5NE51ujVe3cvdZpw9";
constexpr std::string_view kC = "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN";
constexpr std::string_view kSelf = "QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa";

const WallTime kNow = WallTime{sys_days{year{2026} / 11 / 26}} + hours{12};

IssueComment peer_comment(std::uint64_t id, std::string_view runner, std::string_view peer,
                          WallTime seen, std::string multiaddr = "") {
  PeerRecord r;
  r.runner_name = std::string(runner);
  r.peer_id = std::string(peer);
  r.multiaddr = multiaddr.empty() ? "/ip4/10.0.0." + std::to_string(id % 250) + "/tcp/9100/p2p/" +
                                        std::string(peer)
                                  : multiaddr;
  r.listen_port = 9100;
  r.last_seen = seen;
  auto body = build_comment_body(r);
  EXPECT_TRUE(body);
  return {id, body ? *body : "", "bot"};
}

TEST(Roster, ParsesIssuePages) {
  auto page = parse_issues_page(R"([
    {"number": 12, "title": "p2p-peer-registry", "state": "open"},
    {"number": 3, "title": "p2p-peer-registry", "state": "open", "pull_request": {"url": "x"}},
    {"number": 4, "title": "p2p-peer-registry", "state": "open", "pull_request": null},
    {"title": "no number"}, 17, "text",
    {"number": 9, "title": "p2p-peer-registry", "state": "closed"}])");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 4u);
  EXPECT_EQ((*page)[0].number, 12u);
  EXPECT_TRUE((*page)[0].open);
  EXPECT_TRUE((*page)[1].pull_request);
  EXPECT_FALSE((*page)[2].pull_request);
  EXPECT_FALSE((*page)[3].open);
  EXPECT_EQ(choose_issue(*page), 4u);

  EXPECT_EQ(parse_issues_page("{}").error(), Error::malformed);
  EXPECT_EQ(parse_issues_page("[1,").error(), Error::malformed);
  EXPECT_EQ(parse_issues_page("").error(), Error::malformed);
  std::string many = "[";
  for (std::size_t i = 0; i <= kPerPage; ++i) many += i ? ",{}" : "{}";
  EXPECT_EQ(parse_issues_page(many + "]").error(), Error::too_large);
  EXPECT_EQ(parse_issues_page(std::string(kMaxPageBytes + 1, ' ')).error(), Error::too_large);
}

TEST(Roster, EveryTruncatedPageFailsCleanly) {
  const std::string issues =
      R"([{"number": 12, "title": "p2p-peer-registry", "state": "open", "user": {"login": "x"}}])";
  const std::string comments = R"([{"id": 501, "body": "hi \u00e9", "user": {"login": "x"}}])";
  for (std::size_t n = 0; n < issues.size(); ++n) {
    EXPECT_EQ(parse_issues_page(issues.substr(0, n)).error(), Error::malformed) << n;
  }
  for (std::size_t n = 0; n < comments.size(); ++n) {
    EXPECT_EQ(parse_comments_page(comments.substr(0, n)).error(), Error::malformed) << n;
  }
  ASSERT_TRUE(parse_issues_page(issues));
  ASSERT_EQ(parse_comments_page(comments)->at(0).body, "hi \xc3\xa9");
}

TEST(Roster, ChoosesTheLowestOpenExactTitle) {
  std::vector<IssueSummary> issues = {
      {20, "p2p-peer-registry", true, false},   {2, "p2p-peer-registry ", true, false},
      {3, "P2P-peer-registry", true, false},    {4, "p2p-peer-registry", false, false},
      {5, "p2p-peer-registry", true, true},     {11, "p2p-peer-registry", true, false},
      {1, "Re: p2p-peer-registry", true, false}};
  EXPECT_EQ(choose_issue(issues), 11u);
  issues.resize(5);
  EXPECT_EQ(choose_issue(issues), 20u);
  issues.erase(issues.begin());
  EXPECT_FALSE(choose_issue(issues));
  EXPECT_FALSE(choose_issue({}));
}

TEST(Roster, ParsesCommentPagesAndCreateResponses) {
  auto page = parse_comments_page(R"([
    {"id": 501, "body": "hello", "user": {"login": "octocat"}},
    {"id": 502, "body": null},
    {"id": -1, "body": "negative id"},
    {"body": "no id"},
    {"id": 503, "body": "no user"}])");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, 501u);
  EXPECT_EQ((*page)[0].author, "octocat");
  EXPECT_EQ((*page)[1].body, "no user");
  EXPECT_EQ((*page)[1].author, "");
  EXPECT_EQ(parse_comments_page(R"({"message":"Not Found"})").error(), Error::malformed);

  EXPECT_EQ(parse_number_field(R"({"id": 77, "number": 5})", "number"), 5u);
  EXPECT_EQ(parse_number_field(R"({"id": 77})", "id"), 77u);
  EXPECT_EQ(parse_number_field(R"({"id": "77"})", "id").error(), Error::malformed);
  EXPECT_EQ(parse_number_field(R"({"id": 0})", "id").error(), Error::malformed);
  EXPECT_EQ(parse_number_field(R"([77])", "id").error(), Error::malformed);
  EXPECT_EQ(parse_number_field("{\"id\": 7", "id").error(), Error::malformed);
}

TEST(Roster, LivePeersFilterStaleFutureSelfAndMalformed) {
  const Self self{"me", std::string(kSelf)};
  std::vector<IssueComment> comments = {
      {1, "Thanks for the registry!", "human"},
      peer_comment(2, "fresh", kA, kNow - minutes{5}),
      peer_comment(3, "stale", kB, kNow - minutes{31}),
      peer_comment(4, "edge", kC, kNow - kPeerTtl),  // exactly 30 min: still live
      peer_comment(5, "future", kB, kNow + minutes{10}),
      peer_comment(6, "me", kB, kNow),             // our runner name
      peer_comment(7, "other-name", kSelf, kNow),  // our peer ID
      {8, "<!-- p2p-peer-registry:broken -->\n```json\n{not json\n```\n", "x"},
      peer_comment(9, "bad-addr", kB, kNow, "/ip4/1.2.3/tcp/1"),
      peer_comment(10, "wrong-p2p", kB, kNow, "/ip4/1.2.3.4/tcp/1/p2p/" + std::string(kA)),
  };
  auto peers = live_peers(comments, self, kNow);
  ASSERT_EQ(peers.size(), 2u);
  // Sorted by peer ID text: "12D3..." before "Qm...".
  EXPECT_EQ(peers[0].record.runner_name, "fresh");
  EXPECT_EQ(peers[0].comment_id, 2u);
  EXPECT_EQ(peers[0].peer_id.to_string(), kA);
  EXPECT_EQ(peers[1].record.runner_name, "edge");
  EXPECT_EQ(live_peers(comments, self, kNow + seconds{1}).size(), 1u);  // edge went stale
}

TEST(Roster, OriginalStyleMultiaddrGetsP2pAndPublicIpAddsAnAddress) {
  PeerRecord r;
  r.runner_name = "py-runner";
  r.peer_id = std::string(kC);
  r.multiaddr = "/ip4/127.0.0.1/tcp/9100";  // the original publishes advertised[0] as is
  r.listen_port = 9100;
  r.public_ip = "203.0.113.7";
  r.last_seen = kNow;
  auto p = to_registry_peer(r, 42);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->addrs.size(), 2u);
  EXPECT_EQ(p->addrs[0].to_string(), "/ip4/127.0.0.1/tcp/9100/p2p/" + std::string(kC));
  EXPECT_EQ(p->addrs[1].to_string(), "/ip4/203.0.113.7/tcp/9100/p2p/" + std::string(kC));
  EXPECT_EQ(p->comment_id, 42u);

  r.multiaddr = "/ip4/203.0.113.7/tcp/9100/p2p/" + std::string(kC);
  p = to_registry_peer(r, 1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->addrs.size(), 1u);  // same address twice is listed once

  r.public_ip = "not-an-ip";
  EXPECT_EQ(to_registry_peer(r, 1).error(), Error::malformed);
  r.public_ip.reset();
  r.peer_id = "QmNotAPeer";
  EXPECT_FALSE(to_registry_peer(r, 1));
}

TEST(Roster, DeduplicatesByPeerIdAndRunnerNewestWins) {
  const Self self{"me", std::string(kSelf)};
  std::vector<IssueComment> comments = {
      peer_comment(10, "runner-1", kA, kNow - minutes{20}),
      peer_comment(11, "runner-1-restarted", kA, kNow - minutes{2}),  // same peer, newer
      peer_comment(12, "runner-2", kB, kNow - minutes{9}),
      peer_comment(13, "runner-2", kC, kNow - minutes{3}),  // same runner, new peer ID
      peer_comment(14, "runner-3", kB, kNow - minutes{3}),  // kB again, tie broken below
  };
  // Newest first: 11 (kA), 13 (kC, runner-2) and 14 (kB) tie at -3 min (13 first), 12 (kB and
  // runner-2 both taken), 10 (kA taken).
  auto peers = live_peers(comments, self, kNow);
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[0].comment_id, 11u);  // kA
  EXPECT_EQ(peers[0].record.runner_name, "runner-1-restarted");
  EXPECT_EQ(peers[1].comment_id, 14u);  // kB
  EXPECT_EQ(peers[2].comment_id, 13u);  // kC holds runner-2
}

// Found by fuzz/registry_fuzz: one peer ID has several texts (base58, CIDv1 "bafz..."). The
// roster compared the texts, so it listed one peer twice and took our own ID in CID form for a
// peer.
TEST(Roster, PeerIdsCompareAsIdsNotAsTexts) {
  const Self self{"me", std::string(kSelf)};
  const std::string a_cid = wire::PeerId::parse(kA)->to_cid_string();
  const std::string self_cid = wire::PeerId::parse(kSelf)->to_cid_string();
  ASSERT_TRUE(a_cid.starts_with("bafz"));
  std::vector<IssueComment> comments = {
      peer_comment(1, "a-base58", kA, kNow - minutes{2}),
      peer_comment(2, "a-cid", a_cid, kNow - minutes{1}, "/ip4/10.0.0.9/tcp/9100"),
      peer_comment(3, "not-me", self_cid, kNow, "/ip4/10.0.0.8/tcp/9100"),
      peer_comment(4, "b", kB, kNow - minutes{3}),
  };
  std::vector<std::uint64_t> skipped;
  auto peers = live_peers(comments, self, kNow, [&](std::uint64_t id, boost::system::error_code) {
    skipped.push_back(id);
  });
  EXPECT_TRUE(skipped.empty());
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].comment_id, 4u);  // "12D3KooWL..." sorts before "bafz..."
  EXPECT_EQ(peers[1].comment_id, 2u);  // the newer of kA's two comments
  EXPECT_EQ(peers[1].peer_id.to_string(), kA);
  EXPECT_EQ(peers[1].addrs.at(0).to_string(), "/ip4/10.0.0.9/tcp/9100/p2p/" + std::string(kA));
}

TEST(Roster, ReadsAtMostMaxRegistryComments) {
  const Self self{"me", std::string(kSelf)};
  std::vector<IssueComment> comments(kMaxRegistryComments, IssueComment{1, "chatter", "h"});
  comments.push_back(peer_comment(5000, "late", kA, kNow));
  EXPECT_TRUE(live_peers(comments, self, kNow).empty());
  comments.erase(comments.begin());
  EXPECT_EQ(live_peers(comments, self, kNow).size(), 1u);
}

TEST(Roster, OwnCommentsKeepTheLowestId) {
  std::vector<IssueComment> comments = {
      peer_comment(30, "me", kSelf, kNow), peer_comment(12, "someone", kA, kNow),
      peer_comment(17, "me", kSelf, kNow - minutes{40}), peer_comment(45, "me", kSelf, kNow),
      peer_comment(50, "meme", kB, kNow)};
  auto own = own_comments(comments, "me");
  EXPECT_EQ(own.keep, 17u);
  EXPECT_EQ(own.remove, (std::vector<std::uint64_t>{30, 45}));
  auto none = own_comments(comments, "nobody");
  EXPECT_FALSE(none.keep);
  EXPECT_TRUE(none.remove.empty());
}

}  // namespace
}  // namespace ipfsa::registry
