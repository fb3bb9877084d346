// Router behaviour with two to four routers, and raw RPCs injected as a scripted peer.
#include "proto/gossipsub/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "proto/gossipsub/router_testing.hpp"

namespace ipfsa::proto::gossipsub {
namespace {

using testing::drain;
using testing::SimNet;

bool contains(const std::vector<wire::PeerId>& v, const wire::PeerId& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

// A peer we script by hand: its RPCs are injected, and what the router sends it is decoded.
struct Scripted {
  crypto::Ed25519KeyPair key = crypto::Ed25519KeyPair::generate();
  wire::PeerId id = wire::PeerId::from_public_key(key.public_key());
};

std::vector<Rpc> sent_to(Router& r, const wire::PeerId& peer) {
  std::vector<Rpc> out;
  for (auto& o : drain(r)) {
    if (o.peer != peer) continue;
    EXPECT_LE(o.rpc.size(), kMaxRpcBytes);
    auto rpc = decode_rpc(o.rpc);
    EXPECT_TRUE(rpc);
    if (rpc) out.push_back(std::move(*rpc));
  }
  return out;
}

Rpc merged(const std::vector<Rpc>& rpcs) {
  Rpc all;
  for (const auto& r : rpcs) {
    all.subscriptions.insert(all.subscriptions.end(), r.subscriptions.begin(),
                             r.subscriptions.end());
    all.publish.insert(all.publish.end(), r.publish.begin(), r.publish.end());
    auto& c = all.control;
    c.ihave.insert(c.ihave.end(), r.control.ihave.begin(), r.control.ihave.end());
    c.iwant.insert(c.iwant.end(), r.control.iwant.begin(), r.control.iwant.end());
    c.graft.insert(c.graft.end(), r.control.graft.begin(), r.control.graft.end());
    c.prune.insert(c.prune.end(), r.control.prune.begin(), r.control.prune.end());
    c.idontwant.insert(c.idontwant.end(), r.control.idontwant.begin(), r.control.idontwant.end());
  }
  return all;
}

Bytes subscribe_rpc(const std::string& topic) {
  Rpc rpc;
  rpc.subscriptions = {{true, topic}};
  return encode_rpc(rpc);
}

TEST(GossipsubRouter, ProtocolIds) {
  EXPECT_EQ(parse_protocol("/meshsub/1.2.0"), Protocol::v1_2);
  EXPECT_EQ(parse_protocol("/meshsub/1.1.0"), Protocol::v1_1);
  EXPECT_FALSE(parse_protocol("/meshsub/1.0.0"));
  EXPECT_FALSE(parse_protocol("/floodsub/1.0.0"));
}

TEST(GossipsubRouter, SubscriptionsAreAnnouncedAndMeshFormsByGraft) {
  SimNet net;
  net.add();
  net.add();
  net[0].subscribe("t");
  net.connect(0, 1);  // 0 announces "t" on the new link
  net.pump();
  EXPECT_TRUE(net[1].peer_subscribed(net.id(0), "t"));
  net[1].subscribe("t");  // 1 joins: GRAFTs 0
  net.pump();
  EXPECT_TRUE(net[0].peer_subscribed(net.id(1), "t"));
  EXPECT_TRUE(contains(net[1].mesh("t"), net.id(0)));
  EXPECT_TRUE(contains(net[0].mesh("t"), net.id(1)));
  net[1].unsubscribe("t");
  net.pump();
  EXPECT_FALSE(net[0].peer_subscribed(net.id(1), "t"));
  EXPECT_TRUE(net[0].mesh("t").empty());
}

TEST(GossipsubRouter, PublishDeliversWithAuthorPropagatorAndId) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1);
  net.connect(1, 2);
  for (int i = 0; i < 3; ++i) net[i].subscribe("t");
  net.pump();
  net.heartbeat_all();  // meshes form at the first heartbeat
  auto id = net[0].publish("t", to_bytes("hello"), net.now);
  ASSERT_TRUE(id);
  net.pump();
  ASSERT_EQ(net.delivered[2].size(), 1u);
  const auto& m = net.delivered[2][0];
  EXPECT_EQ(m.id, *id);
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(to_string(m.data), "hello");
  EXPECT_EQ(m.author, net.id(0));
  EXPECT_EQ(m.propagator, net.id(1));
  EXPECT_TRUE(net.delivered[0].empty());  // no echo of our own message
  EXPECT_EQ(net[0].stats().messages_published, 1u);
}

TEST(GossipsubRouter, ForwardsOnlyAfterAccept) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1);
  net.connect(1, 2);
  for (int i = 0; i < 3; ++i) net[i].subscribe("t");
  net.pump();
  net.heartbeat_all();  // meshes form at the first heartbeat
  net.validator = [](std::size_t node, const ReceivedMessage&) -> std::optional<Validation> {
    if (node == 1) return std::nullopt;
    return Validation::accept;
  };
  ASSERT_TRUE(net[0].publish("t", to_bytes("x"), net.now));
  net.pump();
  ASSERT_EQ(net.held[1].size(), 1u);
  EXPECT_TRUE(net.delivered[2].empty());
  net.decide(1, net.held[1][0], Validation::accept);
  EXPECT_EQ(net.delivered[2].size(), 1u);
}

TEST(GossipsubRouter, IgnoreDropsWithoutPenaltyRejectPenalisesThePropagator) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1);
  net.connect(1, 2);
  for (int i = 0; i < 3; ++i) net[i].subscribe("t");
  net.pump();
  net.heartbeat_all();  // meshes form at the first heartbeat
  Validation verdict = Validation::ignore;
  net.validator = [&](std::size_t node, const ReceivedMessage&) -> std::optional<Validation> {
    return node == 1 ? verdict : Validation::accept;
  };
  ASSERT_TRUE(net[0].publish("t", to_bytes("a"), net.now));
  net.pump();
  EXPECT_TRUE(net.delivered[2].empty());
  EXPECT_EQ(net[1].score(net.id(0)), 0);
  verdict = Validation::reject;
  ASSERT_TRUE(net[0].publish("t", to_bytes("b"), net.now));
  net.pump();
  EXPECT_TRUE(net.delivered[2].empty());
  EXPECT_LT(net[1].score(net.id(0)), 0);
  EXPECT_EQ(net[1].stats().rejected, 1u);
}

TEST(GossipsubRouter, InvalidSignaturesLeadToTheGraylist) {
  SimNet net;
  net.add();
  Scripted evil;
  Router& r = net[0];
  r.subscribe("t");
  ASSERT_TRUE(r.add_peer(evil.id, Protocol::v1_2, false));
  ASSERT_TRUE(r.handle_input(evil.id, subscribe_rpc("t"), net.now));
  std::uint64_t seq = 1;
  while (!r.graylisted(evil.id) && seq < 20) {
    Rpc rpc;
    rpc.publish.push_back(sign_message(evil.key, "t", to_bytes("x"), seq++));
    (*rpc.publish.back().data)[0] ^= 1;  // breaks the signature
    ASSERT_TRUE(r.handle_input(evil.id, encode_rpc(rpc), net.now));
  }
  EXPECT_TRUE(r.graylisted(evil.id));
  EXPECT_EQ(r.stats().invalid, seq - 1);
  EXPECT_FALSE(r.poll().has_value());
  // A valid message from a graylisted peer is not even looked at.
  Rpc good;
  good.publish.push_back(sign_message(evil.key, "t", to_bytes("ok"), seq));
  ASSERT_TRUE(r.handle_input(evil.id, encode_rpc(good), net.now));
  EXPECT_FALSE(r.poll().has_value());
  EXPECT_EQ(r.stats().graylisted_rpcs, 1u);
  // Scores decay: after enough heartbeats the peer is heard again.
  for (int i = 0; i < 200 && r.graylisted(evil.id); ++i) r.handle_timeout(net.now += 1s);
  EXPECT_FALSE(r.graylisted(evil.id));
}

TEST(GossipsubRouter, AForgedCopyDoesNotShadowTheRealMessageAndDuplicatesAreDropped) {
  SimNet net;
  net.add();
  Router& r = net[0];
  r.subscribe("t");
  Scripted author, relay;
  ASSERT_TRUE(r.add_peer(relay.id, Protocol::v1_2, false));
  const Message real = sign_message(author.key, "t", to_bytes("real"), 77);
  Message forged = real;
  forged.data = to_bytes("fake");  // same id (author, seqno), bad signature
  Rpc first;
  first.publish = {forged};
  ASSERT_TRUE(r.handle_input(relay.id, encode_rpc(first), net.now));
  EXPECT_FALSE(r.poll().has_value());
  Rpc second;
  second.publish = {real, real};
  ASSERT_TRUE(r.handle_input(relay.id, encode_rpc(second), net.now));
  auto event = r.poll();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(to_string(event->data), "real");
  EXPECT_FALSE(r.poll().has_value());
  EXPECT_EQ(r.stats().duplicates, 1u);
  EXPECT_EQ(r.stats().invalid, 1u);
}

TEST(GossipsubRouter, MalformedFramesAreErrorsAndBehaviourPenalties) {
  SimNet net;
  net.add();
  Scripted p;
  ASSERT_TRUE(net[0].add_peer(p.id, Protocol::v1_1, true));
  EXPECT_FALSE(net[0].handle_input(p.id, Bytes{0x0a, 0x05, 0x08}, net.now));
  EXPECT_EQ(net[0].stats().malformed_rpcs, 1u);
  Scripted stranger;
  EXPECT_EQ(net[0].handle_input(stranger.id, Bytes{}, net.now).error(),
            make_error_code(Error::not_found));
  EXPECT_EQ(net[0].add_peer(p.id, Protocol::v1_1, true).error(),
            make_error_code(Error::invalid_state));
}

TEST(GossipsubRouter, IHaveIsAnsweredWithIWantForUnseenIdsOnly) {
  SimNet net;
  net.add();
  Router& r = net[0];
  r.subscribe("t");
  Scripted p;
  ASSERT_TRUE(r.add_peer(p.id, Protocol::v1_2, true));
  auto own = r.publish("t", to_bytes("mine"), net.now);
  ASSERT_TRUE(own);
  (void)drain(r);
  Rpc ihave;
  ihave.control.ihave = {{"t", {Bytes{1, 2, 3}, *own}}, {"not-ours", {Bytes{9}}}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(ihave), net.now));
  auto rpc = merged(sent_to(r, p.id));
  ASSERT_EQ(rpc.control.iwant.size(), 1u);
  EXPECT_EQ(rpc.control.iwant[0].ids, (std::vector<Bytes>{Bytes{1, 2, 3}}));
}

TEST(GossipsubRouter, IHaveLimitsPerHeartbeat) {
  SimNet net;
  RouterConfig config;
  config.max_ihave_messages = 2;
  config.max_ihave_length = 3;
  net.add(config);
  Router& r = net[0];
  r.subscribe("t");
  Scripted p;
  ASSERT_TRUE(r.add_peer(p.id, Protocol::v1_2, true));
  std::size_t asked = 0;
  for (std::uint8_t i = 0; i < 4; ++i) {
    Rpc ihave;
    ihave.control.ihave = {{"t", {Bytes{i, 1}, Bytes{i, 2}}}};
    ASSERT_TRUE(r.handle_input(p.id, encode_rpc(ihave), net.now));
    for (const auto& w : merged(sent_to(r, p.id)).control.iwant) asked += w.ids.size();
  }
  EXPECT_EQ(asked, 3u);  // max_ihave_length per heartbeat
  r.handle_timeout(net.now += 1s);
  Rpc ihave;
  ihave.control.ihave = {{"t", {Bytes{7, 7}}}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(ihave), net.now));
  EXPECT_EQ(merged(sent_to(r, p.id)).control.iwant.size(), 1u);
}

TEST(GossipsubRouter, IWantIsAnsweredFromTheCacheUpToTheRetransmissionLimit) {
  SimNet net;
  net.add();
  Router& r = net[0];
  r.subscribe("t");
  Scripted p;
  ASSERT_TRUE(r.add_peer(p.id, Protocol::v1_2, true));
  auto id = r.publish("t", to_bytes("cached"), net.now);
  ASSERT_TRUE(id);
  (void)drain(r);
  Rpc iwant;
  iwant.control.iwant = {{{*id, Bytes{5, 5}}}};
  std::size_t served = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(r.handle_input(p.id, encode_rpc(iwant), net.now));
    served += merged(sent_to(r, p.id)).publish.size();
  }
  EXPECT_EQ(served, RouterConfig{}.gossip_retransmission);
  // After history_length heartbeats the message has left the cache.
  Scripted q;
  ASSERT_TRUE(r.add_peer(q.id, Protocol::v1_2, true));
  for (std::size_t i = 0; i < RouterConfig{}.history_length; ++i) r.handle_timeout(net.now += 1s);
  (void)drain(r);
  ASSERT_TRUE(r.handle_input(q.id, encode_rpc(iwant), net.now));
  EXPECT_TRUE(merged(sent_to(r, q.id)).publish.empty());
}

TEST(GossipsubRouter, GossipsIHaveToPeersOutsideTheMesh) {
  SimNet net;
  net.add();
  Router& r = net[0];
  r.subscribe("t");
  Scripted p;
  ASSERT_TRUE(r.add_peer(p.id, Protocol::v1_2, true));
  ASSERT_TRUE(r.handle_input(p.id, subscribe_rpc("t"), net.now));
  Rpc prune;
  prune.control.prune = {{"t", {}, 60}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(prune), net.now));  // p leaves our mesh
  ASSERT_FALSE(contains(r.mesh("t"), p.id));
  auto id = r.publish("t", to_bytes("g"), net.now);
  (void)drain(r);
  r.handle_timeout(net.now += 1s);
  auto rpc = merged(sent_to(r, p.id));
  ASSERT_EQ(rpc.control.ihave.size(), 1u);
  EXPECT_EQ(rpc.control.ihave[0].topic, "t");
  EXPECT_EQ(rpc.control.ihave[0].ids, (std::vector<Bytes>{*id}));
  EXPECT_TRUE(rpc.control.graft.empty());  // backoff: no re-graft
}

TEST(GossipsubRouter, GraftDuringBackoffIsPrunedAndPenalised) {
  SimNet net;
  net.add();
  Router& r = net[0];
  r.subscribe("t");
  Scripted p;
  ASSERT_TRUE(r.add_peer(p.id, Protocol::v1_2, true));
  ASSERT_TRUE(r.handle_input(p.id, subscribe_rpc("t"), net.now));
  Rpc graft;
  graft.control.graft = {{"t"}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(graft), net.now));
  EXPECT_TRUE(contains(r.mesh("t"), p.id));
  Rpc prune;
  prune.control.prune = {{"t", {}, 60}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(prune), net.now));
  EXPECT_FALSE(contains(r.mesh("t"), p.id));
  (void)drain(r);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(r.handle_input(p.id, encode_rpc(graft), net.now));
    auto sent = merged(sent_to(r, p.id));
    ASSERT_EQ(sent.control.prune.size(), 1u);
    EXPECT_EQ(sent.control.prune[0].backoff_seconds, 60u);
  }
  EXPECT_FALSE(contains(r.mesh("t"), p.id));
  EXPECT_LT(r.score(p.id), 0);
  // A GRAFT for a topic we are not in is refused.
  Rpc other;
  other.subscriptions = {{true, "u"}};
  other.control.graft = {{"u"}};
  ASSERT_TRUE(r.handle_input(p.id, encode_rpc(other), net.now));
  EXPECT_EQ(merged(sent_to(r, p.id)).control.prune.size(), 1u);
  EXPECT_TRUE(r.mesh("u").empty());
}

TEST(GossipsubRouter, IDontWantIsSentForLargeMessagesAndHonoured) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1);
  net.connect(0, 2);
  net.connect(1, 2);
  for (int i = 0; i < 3; ++i) net[i].subscribe("t");
  net.pump();
  net.heartbeat_all();  // meshes form at the first heartbeat
  net.validator = [](std::size_t node, const ReceivedMessage&) -> std::optional<Validation> {
    if (node == 1) return std::nullopt;
    return Validation::accept;
  };
  ASSERT_TRUE(net[0].publish("t", Bytes(RouterConfig{}.idontwant_min_data_size, 7), net.now));
  net.pump();
  EXPECT_EQ(net.delivered[2].size(), 1u);
  EXPECT_EQ(net[2].stats().idontwant_sent, 1u);  // to 1, its other mesh peer
  EXPECT_EQ(net[1].stats().idontwant_sent, 1u);  // to 2
  ASSERT_EQ(net.held[1].size(), 1u);
  const auto forwarded_before = net[1].stats().messages_forwarded;
  net.decide(1, net.held[1][0], Validation::accept);
  EXPECT_EQ(net[1].stats().idontwant_honoured, 1u);
  EXPECT_EQ(net[1].stats().messages_forwarded, forwarded_before);
  // Small messages carry no IDONTWANT.
  net.validator = [](std::size_t, const ReceivedMessage&) { return Validation::accept; };
  ASSERT_TRUE(net[0].publish("t", Bytes(10, 7), net.now));
  net.pump();
  EXPECT_EQ(net[2].stats().idontwant_sent, 1u);
}

TEST(GossipsubRouter, V11PeersGetNoIDontWant) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1, Protocol::v1_1);
  net.connect(0, 2, Protocol::v1_1);
  net.connect(1, 2, Protocol::v1_1);
  for (int i = 0; i < 3; ++i) net[i].subscribe("t");
  net.pump();
  net.heartbeat_all();  // meshes form at the first heartbeat
  ASSERT_TRUE(net[0].publish("t", Bytes(4096, 1), net.now));
  net.pump();
  EXPECT_EQ(net[1].stats().idontwant_sent + net[2].stats().idontwant_sent, 0u);
  EXPECT_EQ(net.delivered[1].size() + net.delivered[2].size(), 2u);
}

TEST(GossipsubRouter, FanoutForTopicsWeDoNotJoinExpires) {
  SimNet net;
  for (int i = 0; i < 3; ++i) net.add();
  net.connect(0, 1);
  net.connect(0, 2);
  net[1].subscribe("t");
  net[2].subscribe("t");
  net.pump();
  ASSERT_TRUE(net[0].publish("t", to_bytes("f"), net.now));
  net.pump();
  EXPECT_EQ(net[0].fanout("t").size(), 2u);
  EXPECT_EQ(net.delivered[1].size() + net.delivered[2].size(), 2u);
  net.heartbeat_all(RouterConfig{}.fanout_ttl - 1s);
  EXPECT_EQ(net[0].fanout("t").size(), 2u);
  net.heartbeat_all(2s);
  EXPECT_TRUE(net[0].fanout("t").empty());
}

TEST(GossipsubRouter, PublishLimits) {
  SimNet net;
  net.add();
  EXPECT_EQ(net[0].publish("t", Bytes(RouterConfig{}.max_message_size + 1), net.now).error(),
            make_error_code(Error::too_large));
  EXPECT_EQ(net[0].publish(std::string(kMaxTopicLength + 1, 't'), Bytes{}, net.now).error(),
            make_error_code(Error::too_large));
  EXPECT_TRUE(net[0].publish("t", Bytes(1000), net.now));  // no peers is not an error
}

TEST(GossipsubRouter, LargeBacklogsAreCutIntoFramesWithinTheLimits) {
  SimNet net;
  for (int i = 0; i < 2; ++i) net.add();
  net.connect(0, 1);
  net[0].subscribe("t");
  net[1].subscribe("t");
  net.pump();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(net[0].publish("t", Bytes(400 * 1024, 1), net.now));
  std::size_t frames = 0;
  for (const auto& o : drain(net[0])) {
    ++frames;
    EXPECT_LE(o.rpc.size(), kMaxRpcBytes);
    EXPECT_TRUE(decode_rpc(o.rpc));
  }
  EXPECT_GE(frames, 3u);
}

TEST(GossipsubRouter, HandleTimeoutRunsTheHeartbeatOnlyWhenDue) {
  SimNet net;
  net.add();
  Router& r = net[0];
  const TimePoint due = *r.poll_timeout();
  EXPECT_EQ(due, net.now + RouterConfig{}.heartbeat_interval);
  r.handle_timeout(due - 1ms);  // early: nothing is due
  EXPECT_EQ(r.poll_timeout(), due);
  r.handle_timeout(due + 250ms);  // late: runs, and schedules the next from now
  EXPECT_EQ(r.poll_timeout(), due + 250ms + RouterConfig{}.heartbeat_interval);
  Bytes out;
  EXPECT_FALSE(r.poll_transmit(out));  // no peers: nothing to send
  EXPECT_TRUE(out.empty());
}

TEST(GossipsubRouter, PeerLimit) {
  SimNet net;
  net.add();
  for (std::size_t i = 0; i < kMaxPeers; ++i) {
    Bytes seed(32, 0);
    store_be32(seed.data(), static_cast<std::uint32_t>(i));
    auto key = crypto::Ed25519KeyPair::from_seed(seed);
    ASSERT_TRUE(
        net[0].add_peer(wire::PeerId::from_public_key(key->public_key()), Protocol::v1_2, false));
  }
  Scripted extra;
  EXPECT_EQ(net[0].add_peer(extra.id, Protocol::v1_2, false).error(),
            make_error_code(Error::limit_exceeded));
}

TEST(GossipsubRouter, UnansweredValidationsExpire) {
  SimNet net;
  for (int i = 0; i < 2; ++i) net.add();
  net.connect(0, 1);
  net[0].subscribe("t");
  net[1].subscribe("t");
  net.pump();
  net.validator = [](std::size_t, const ReceivedMessage&) -> std::optional<Validation> {
    return std::nullopt;
  };
  ASSERT_TRUE(net[0].publish("t", to_bytes("late"), net.now));
  net.pump();
  ASSERT_EQ(net.held[1].size(), 1u);
  const auto dropped = net[1].stats().dropped;
  net.heartbeat_all(RouterConfig{}.validation_timeout);
  EXPECT_EQ(net[1].stats().dropped, dropped + 1);
  net[1].report_validation(net.held[1][0].id, Validation::accept);  // too late: ignored
  EXPECT_EQ(net[1].stats().messages_delivered, 0u);
}

}  // namespace
}  // namespace ipfsa::proto::gossipsub
