// Gossipsub over real Hosts on loopback, in one process and one io_context.
#include "pubsub/gossipsub.hpp"

#include <gtest/gtest.h>

#include "p2p/testing/host_harness.hpp"

namespace ipfsa::pubsub {
namespace {

using p2p::testing::HostFixture;
using p2p::testing::run_until;

constexpr std::string_view kTopic = "ipfs-accelerate/announce";

struct Member {
  p2p::testing::Node* node;
  std::unique_ptr<Gossipsub> gossip;
  std::vector<ReceivedMessage> received;
};

class GossipsubTest : public HostFixture {
 protected:
  ~GossipsubTest() override {
    for (auto& m : members_) m->gossip->stop();
  }

  Member& member(bool subscribe = true, std::size_t queue = kMaxSendQueueFrames) {
    auto m = std::make_unique<Member>();
    m->node = &make_node();
    GossipsubConfig config;
    config.router.heartbeat_interval = std::chrono::milliseconds(100);
    config.max_send_queue_frames = queue;
    config.reopen_delay = std::chrono::milliseconds(50);
    m->gossip = std::make_unique<Gossipsub>(ctx_, *m->node->host, config);
    m->gossip->start();
    Member* raw = m.get();
    if (subscribe) {
      m->gossip->subscribe(std::string(kTopic), [raw](const ReceivedMessage& msg) {
        raw->received.push_back(msg);
        return Validation::accept;
      });
    }
    members_.push_back(std::move(m));
    return *raw;
  }

  bool connect(Member& a, Member& b) { return static_cast<bool>(dial(*a.node, b.node->addr)); }

  std::size_t mesh(Member& m) {
    auto stats = m.gossip->stats();
    auto it = stats.mesh_sizes.find(std::string(kTopic));
    return it == stats.mesh_sizes.end() ? 0 : it->second;
  }

  std::vector<std::unique_ptr<Member>> members_;
};

TEST_F(GossipsubTest, TwoHostsExchangeMessagesBothWays) {
  auto& a = member();
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1 && mesh(b) == 1; }));
  auto id = a.gossip->publish(std::string(kTopic), to_bytes("from a"));
  ASSERT_TRUE(id);
  ASSERT_TRUE(run_until(ctx_, [&] { return b.received.size() == 1; }));
  EXPECT_EQ(to_string(b.received[0].data), "from a");
  EXPECT_EQ(b.received[0].author, a.node->host->peer_id());
  EXPECT_EQ(b.received[0].propagator, a.node->host->peer_id());
  EXPECT_EQ(b.received[0].id, *id);
  ASSERT_TRUE(b.gossip->publish(std::string(kTopic), to_bytes("from b")));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.received.size() == 1; }));
  EXPECT_EQ(to_string(a.received[0].data), "from b");
  EXPECT_EQ(a.gossip->stats().streams_opened, 1u);
  EXPECT_EQ(b.gossip->stats().peers, 1u);
  EXPECT_EQ(a.gossip->mesh_peers(std::string(kTopic)),
            std::vector<wire::PeerId>{b.node->host->peer_id()});
  EXPECT_EQ(a.gossip->topic_peers(std::string(kTopic)),
            std::vector<wire::PeerId>{b.node->host->peer_id()});
  EXPECT_TRUE(a.gossip->topic_peers("other").empty());
}

TEST_F(GossipsubTest, MessagesTravelAlongALineOfFiveHosts) {
  std::vector<Member*> line;
  for (int i = 0; i < 5; ++i) line.push_back(&member());
  for (int i = 0; i + 1 < 5; ++i) ASSERT_TRUE(connect(*line[i], *line[i + 1]));
  ASSERT_TRUE(run_until(ctx_, [&] {
    for (int i = 0; i < 5; ++i) {
      if (mesh(*line[i]) != ((i == 0 || i == 4) ? 1u : 2u)) return false;
    }
    return true;
  }));
  ASSERT_TRUE(line[0]->gossip->publish(std::string(kTopic), Bytes(300, 'x')));
  ASSERT_TRUE(run_until(ctx_, [&] { return line[4]->received.size() == 1; }));
  EXPECT_EQ(line[4]->received[0].author, line[0]->node->host->peer_id());
  EXPECT_EQ(line[4]->received[0].propagator, line[3]->node->host->peer_id());
  for (int i = 1; i < 5; ++i) EXPECT_EQ(line[i]->received.size(), 1u) << i;
}

TEST_F(GossipsubTest, LateJoinerGetsAMeshAndMessages) {
  auto& a = member();
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1; }));
  auto& late = member(false);
  ASSERT_TRUE(connect(late, a));
  ASSERT_TRUE(connect(late, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return late.gossip->stats().peers == 2; }));
  late.gossip->subscribe(std::string(kTopic), [&](const ReceivedMessage& m) {
    late.received.push_back(m);
    return Validation::accept;
  });
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(late) == 2 && mesh(a) == 2 && mesh(b) == 2; }));
  ASSERT_TRUE(b.gossip->publish(std::string(kTopic), to_bytes("hello late")));
  ASSERT_TRUE(run_until(ctx_, [&] { return late.received.size() == 1; }));
  EXPECT_EQ(to_string(late.received[0].data), "hello late");
}

TEST_F(GossipsubTest, DisconnectRemovesThePeer) {
  auto& a = member();
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1 && a.gossip->stats().peers == 1; }));
  b.node->host->close();
  ASSERT_TRUE(run_until(ctx_, [&] { return a.gossip->stats().peers == 0 && mesh(a) == 0; }));
  // Publishing with no peers is fine.
  EXPECT_TRUE(a.gossip->publish(std::string(kTopic), to_bytes("alone")));
}

TEST_F(GossipsubTest, RejectedMessagesAreNotForwardedAndCount) {
  auto& a = member();
  auto& b = member(false);
  auto& c = member();
  b.gossip->subscribe(std::string(kTopic), [](const ReceivedMessage& m) {
    return to_string(m.data) == "bad" ? Validation::reject : Validation::accept;
  });
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(connect(b, c));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(b) == 2; }));
  ASSERT_TRUE(a.gossip->publish(std::string(kTopic), to_bytes("bad")));
  ASSERT_TRUE(run_until(ctx_, [&] { return b.gossip->stats().messages_invalid == 1; }));
  // A good message after it takes the same path (a -> b -> c, in order on each stream): once it
  // arrived, a forwarded "bad" would have arrived before it.
  ASSERT_TRUE(a.gossip->publish(std::string(kTopic), to_bytes("good")));
  ASSERT_TRUE(run_until(ctx_, [&] { return !c.received.empty(); }));
  ASSERT_EQ(c.received.size(), 1u);
  EXPECT_EQ(to_string(c.received[0].data), "good");
  EXPECT_EQ(b.gossip->stats().messages_invalid, 1u);
}

TEST_F(GossipsubTest, ABrokenStreamIsReopenedWhileTheConnectionLives) {
  auto& a = member();
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1 && mesh(b) == 1; }));
  EXPECT_EQ(a.gossip->stats().streams_opened, 1u);
  // b resets every meshsub stream (a's outbound one included) and comes back.
  b.gossip->stop();
  b.gossip->start();
  int sent = 0;
  ASSERT_TRUE(run_until(ctx_, [&] {
    if (!b.received.empty()) return true;
    (void)a.gossip->publish(std::string(kTopic), to_bytes("again " + std::to_string(sent++)));
    p2p::testing::run_for(ctx_, std::chrono::milliseconds(50));
    return !b.received.empty();
  }));
  EXPECT_EQ(a.gossip->stats().streams_opened, 2u);
  EXPECT_TRUE(a.node->host->connection(b.node->host->peer_id()));  // the same connection
  EXPECT_EQ(a.node->disconnects, 0);
}

TEST_F(GossipsubTest, AFullSendQueueDropsAndCountsInsteadOfWaiting) {
  auto& a = member(true, 2);
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1; }));
  const auto before = a.gossip->stats().frames_dropped;
  // No io_context turn between the publishes: the writer cannot drain the two-frame queue (which
  // may still hold one heartbeat frame).
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(a.gossip->publish(std::string(kTopic), to_bytes("x")));
  const auto dropped = a.gossip->stats().frames_dropped - before;
  EXPECT_GE(dropped, 3u);
  EXPECT_LE(dropped, 4u);
  // Every frame that was queued arrives.
  ASSERT_TRUE(run_until(ctx_, [&] { return b.received.size() == 5 - dropped; }));
  // ...and no dropped one later: a marker sent once the queue drained arrives next.
  ASSERT_TRUE(run_until(ctx_, [&] { return a.gossip->stats().frames_dropped == before + dropped; }));
  ASSERT_TRUE(a.gossip->publish(std::string(kTopic), to_bytes("marker")));
  ASSERT_TRUE(run_until(ctx_, [&] { return b.received.size() > 5 - dropped; }));
  ASSERT_EQ(b.received.size(), 6 - dropped);
  EXPECT_EQ(to_string(b.received.back().data), "marker");
}

TEST_F(GossipsubTest, PublishLimits) {
  auto& a = member();
  EXPECT_EQ(a.gossip->publish(std::string(kTopic), Bytes(proto::gossipsub::kMaxRpcBytes)).error(),
            make_error_code(Error::too_large));
}

TEST_F(GossipsubTest, HostsWithoutGossipsubAreNotPeers) {
  auto& a = member();
  auto& plain = make_node();
  ASSERT_TRUE(dial(*a.node, plain.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.node->identifies >= 1 && plain.identifies >= 1; }));
  // A gossipsub member identified after the plain host becomes a's one peer: the plain host, seen
  // first, was never taken.
  auto& b = member();
  ASSERT_TRUE(connect(a, b));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.gossip->stats().peers >= 1; }));
  EXPECT_EQ(a.gossip->stats().peers, 1u);
  EXPECT_TRUE(run_until(ctx_, [&] { return mesh(a) == 1; }));
}

}  // namespace
}  // namespace ipfsa::pubsub
