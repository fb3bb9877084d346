// The registry flow against recorded-format GitHub responses (custom/registry-*.json). Each
// scenario answers its requests once and in order, so a test passes only if the registry sends
// exactly the recorded sequence (method, path, query, If-None-Match).
#include "discovery/registry/registry.hpp"

#include <gtest/gtest.h>

#include "discovery/registry/fixtures_testing.hpp"

namespace ipfsa::registry {
namespace {

using testing::kPeerA;
using testing::kPeerB;
using testing::kPeerC;

}  // namespace

namespace testing {
github::testing::FixtureServer* RegistryFixtures::server_ = nullptr;
std::string* RegistryFixtures::start_error_ = nullptr;
}  // namespace testing

namespace {

using Flow = testing::RegistryFixtures;

std::vector<std::string> runner_names(const std::vector<RegistryPeer>& peers) {
  std::vector<std::string> out;
  for (const auto& p : peers) out.push_back(p.record.runner_name);
  return out;
}

TEST_F(Flow, CreatesTheIssueWhenMissingAndMovesAtOnceToALowerOne) {
  auto client = scenario_client("registry-create-issue");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);

  // Another node created #41 while we created #42: the look right after creating finds it, and
  // our comment goes there in the same beat.
  auto first = registry->heartbeat_once();
  ASSERT_TRUE(first) << registry->last_error();
  EXPECT_EQ(registry->issue_number(), 41u);
  EXPECT_EQ(registry->own_comment_id(), 9101u);
  EXPECT_EQ(runner_names(*first), std::vector<std::string>{"racer"});
  auto s = registry->stats();
  EXPECT_EQ(s.requests, 5u);  // list, create, list again, read #41's comments, post ours
  EXPECT_EQ(s.issues_created, 1u);
  EXPECT_EQ(s.comments_created, 1u);
  EXPECT_EQ(registry->last_error(), "");
}

TEST_F(Flow, CreatesTheIssueWhenMissingThenMovesToALowerOneSeenOnlyNextBeat) {
  auto client = scenario_client("registry-create-issue-late-racer");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);

  auto first = registry->heartbeat_once();
  ASSERT_TRUE(first) << registry->last_error();
  EXPECT_TRUE(first->empty());  // a new issue has no comments: not even read
  EXPECT_EQ(registry->issue_number(), 42u);
  EXPECT_EQ(registry->own_comment_id(), 9001u);
  auto s = registry->stats();
  EXPECT_EQ(s.requests, 4u);  // list issues, create issue, list again (only ours), post comment
  EXPECT_EQ(s.issues_created, 1u);
  EXPECT_EQ(s.comments_created, 1u);
  EXPECT_EQ(registry->last_error(), "");

  // The racer's #41 showed up in the listing only later: the next beat looks again and the
  // lowest wins.
  auto second = registry->heartbeat_once();
  ASSERT_TRUE(second) << registry->last_error();
  EXPECT_EQ(registry->issue_number(), 41u);
  EXPECT_EQ(registry->own_comment_id(), 9101u);
  EXPECT_EQ(runner_names(*second), std::vector<std::string>{"racer"});
  EXPECT_EQ(registry->stats().requests, 7u);
  EXPECT_EQ(registry->stats().comments_created, 2u);
  EXPECT_EQ(registry->stats().comments_updated, 0u);
}

TEST_F(Flow, ReadsOthersAcrossPagesIgnoringStaleFutureAndMalformed) {
  auto client = scenario_client("registry-read-peers");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto peers = registry->heartbeat_once();
  ASSERT_TRUE(peers) << registry->last_error();
  EXPECT_EQ(registry->issue_number(), 7u);  // on page 2, lower than #12 on page 1
  EXPECT_EQ(registry->own_comment_id(), 7777u);
  ASSERT_EQ(runner_names(*peers),
            (std::vector<std::string>{"fresh-runner", "crlf-runner", "py-runner-1"}));
  const auto& a = (*peers)[0];
  EXPECT_EQ(a.peer_id.to_string(), kPeerA);
  EXPECT_EQ(a.addrs.at(0).to_string(), "/dns4/node-a.example/tcp/9100/p2p/" + std::string(kPeerA));
  EXPECT_EQ(a.record.metadata.at("agent"), "ipfs-accelerate/0.1");
  EXPECT_EQ((*peers)[1].peer_id.to_string(), kPeerB);
  EXPECT_EQ((*peers)[1].record.listen_port, 4001);
  // The original's comment: multiaddr without /p2p/, a public IP.
  const auto& py = (*peers)[2];
  EXPECT_EQ(py.peer_id.to_string(), kPeerC);
  ASSERT_EQ(py.addrs.size(), 2u);
  EXPECT_EQ(py.addrs[0].to_string(), "/ip4/127.0.0.1/tcp/9100/p2p/" + std::string(kPeerC));
  EXPECT_EQ(py.addrs[1].to_string(), "/ip4/203.0.113.7/tcp/9100/p2p/" + std::string(kPeerC));
  EXPECT_EQ(py.comment_id, 701u);
  EXPECT_EQ(registry->stats().requests, 5u);  // 2 issue pages, 2 comment pages, 1 post
}

TEST_F(Flow, PatchesOursDeletesDuplicatesAndRevalidatesWithEtag) {
  auto client = scenario_client("registry-upsert");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto first = registry->heartbeat_once();
  ASSERT_TRUE(first) << registry->last_error();
  EXPECT_EQ(runner_names(*first), std::vector<std::string>{"other"});
  EXPECT_EQ(registry->own_comment_id(), 501u);  // the lowest id of ours is kept
  auto s = registry->stats();
  EXPECT_EQ(s.comments_updated, 1u);
  EXPECT_EQ(s.comments_deleted, 2u);
  EXPECT_EQ(s.comments_created, 0u);
  EXPECT_EQ(s.requests, 5u);

  // Second beat: If-None-Match -> 304; the list parsed last time (minus the deleted duplicates)
  // is reused, so nothing is deleted twice.
  auto second = registry->heartbeat_once();
  ASSERT_TRUE(second) << registry->last_error();
  EXPECT_EQ(runner_names(*second), std::vector<std::string>{"other"});
  s = registry->stats();
  EXPECT_EQ(s.not_modified, 1u);
  EXPECT_EQ(s.comments_updated, 2u);
  EXPECT_EQ(s.comments_deleted, 2u);
  EXPECT_EQ(s.requests, 7u);
  EXPECT_EQ(s.heartbeats, 2u);
}

TEST_F(Flow, FindsTheIssueAgainWhenItIsGoneAndRepostsADeletedComment) {
  auto client = scenario_client("registry-issue-gone");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto peers = registry->heartbeat_once();
  ASSERT_TRUE(peers) << registry->last_error();
  EXPECT_TRUE(peers->empty());
  EXPECT_EQ(registry->issue_number(), 5u);
  EXPECT_EQ(registry->own_comment_id(), 601u);
  EXPECT_EQ(registry->stats().requests, 6u);
  EXPECT_EQ(registry->stats().comments_created, 1u);
}

TEST_F(Flow, RateLimitStopsCallsUntilReset) {
  auto client = scenario_client("registry-rate-limited");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto r = registry->heartbeat_once();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::rate_limited);
  EXPECT_NE(registry->last_error().find("HTTP 403"), std::string::npos) << registry->last_error();
  EXPECT_GT(registry->retry_after().count(), 0);
  // Blocked by the client itself: no request reaches the server (it has nothing left to answer).
  auto again = registry->heartbeat_once();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Error::rate_limited);
  EXPECT_EQ(registry->stats().requests, 1u);
  EXPECT_NE(registry->last_error().find("retry in"), std::string::npos);
}

TEST_F(Flow, ReadsAtMostMaxCommentPages) {
  auto client = scenario_client("registry-many-pages");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto peers = registry->heartbeat_once();
  ASSERT_TRUE(peers) << registry->last_error();
  EXPECT_EQ(registry->stats().requests, 1 + kMaxCommentPages + 1);  // page 11 never requested
  // Pages 1-9 carry kPeerB (newest on page 9 wins), page 10 kPeerA.
  EXPECT_EQ(runner_names(*peers), (std::vector<std::string>{"page-10", "page-9"}));
}

TEST_F(Flow, AReadOnlyTokenStillReadsPeers) {
  auto client = scenario_client("registry-read-only");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  auto peers = registry->heartbeat_once();
  ASSERT_TRUE(peers) << registry->last_error();
  EXPECT_EQ(runner_names(*peers), std::vector<std::string>{"other"});
  EXPECT_NE(registry->last_error().find("HTTP 403"), std::string::npos);
  EXPECT_NE(registry->last_error().find("reading only"), std::string::npos);
  EXPECT_EQ(registry->stats().write_denied, 1u);
  EXPECT_EQ(registry->retry_after().count(), 0);
  EXPECT_FALSE(registry->own_comment_id());
}

TEST_F(Flow, CreateRejectsBadConfiguration) {
  auto client = github::Client::create(client_config(server_->base()));
  ASSERT_TRUE(client);
  auto cfg = registry_config();
  cfg.repo = "no-slash";
  EXPECT_EQ(Registry::create(**client, cfg).error(), Error::malformed);
  cfg = registry_config();
  cfg.repo = std::string(kMaxRepoBytes, 'a') + "/b";
  EXPECT_EQ(Registry::create(**client, cfg).error(), Error::too_large);
  cfg = registry_config();
  cfg.self.runner_name = "";
  EXPECT_EQ(Registry::create(**client, cfg).error(), Error::malformed);
  cfg = registry_config();
  cfg.clock = nullptr;
  EXPECT_EQ(Registry::create(**client, cfg).error(), Error::malformed);
  EXPECT_TRUE(Registry::create(**client, registry_config()));
}

}  // namespace
}  // namespace ipfsa::registry
