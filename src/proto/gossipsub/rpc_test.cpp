#include "proto/gossipsub/rpc.hpp"

#include <gtest/gtest.h>

namespace ipfsa::proto::gossipsub {
namespace {

Rpc full_rpc() {
  Rpc rpc;
  rpc.subscriptions = {{true, "announce"}, {false, "old"}};
  Message m;
  m.from = Bytes{0x00, 0x24, 0x08, 0x01};
  m.data = to_bytes("hello");
  m.seqno = Bytes{0, 0, 0, 0, 0, 0, 0, 7};
  m.topic = "announce";
  m.signature = Bytes(64, 0xab);
  m.key = Bytes{0x08, 0x01, 0x12, 0x00};
  rpc.publish.push_back(m);
  rpc.control.ihave = {{"announce", {Bytes{1, 2}, Bytes{3}}}};
  rpc.control.iwant = {{{Bytes{4, 5, 6}}}};
  rpc.control.graft = {{"announce"}};
  rpc.control.prune = {{"old", {{Bytes{9, 9}, Bytes{}}}, 60}};
  rpc.control.idontwant = {{{Bytes{7}}}};
  return rpc;
}

TEST(GossipsubRpc, EncodesTheSpecLayout) {
  Rpc rpc;
  rpc.subscriptions = {{true, "t"}};
  rpc.control.graft = {{"t"}};
  // RPC.subscriptions(1) { subscribe(1)=1, topicid(2)="t" }, RPC.control(3) { graft(3) {topic} }
  const Bytes expected{0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 't',
                       0x1a, 0x05, 0x1a, 0x03, 0x0a, 0x01, 't'};
  EXPECT_EQ(encode_rpc(rpc), expected);
  auto decoded = decode_rpc(expected);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, rpc);
}

TEST(GossipsubRpc, MessageFieldsInFieldOrderWithPresenceKept) {
  Message m;
  m.data = Bytes{};
  m.topic = "x";
  // data(2) present but empty, topic(4); nothing else.
  EXPECT_EQ(encode_message(m), (Bytes{0x12, 0x00, 0x22, 0x01, 'x'}));
  Rpc rpc;
  rpc.publish.push_back(m);
  auto back = decode_rpc(encode_rpc(rpc));
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->publish[0].data.has_value());
  EXPECT_FALSE(back->publish[0].from.has_value());
}

TEST(GossipsubRpc, RoundTripsEveryField) {
  const Rpc rpc = full_rpc();
  auto decoded = decode_rpc(encode_rpc(rpc));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, rpc);
}

TEST(GossipsubRpc, EveryTruncatedPrefixFailsCleanlyOrIsAShorterRpc) {
  const Bytes encoded = encode_rpc(full_rpc());
  std::size_t failures = 0;
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    auto r = decode_rpc(ByteView(encoded).first(n));
    if (!r) {
      ++failures;
      continue;
    }
    EXPECT_NE(*r, full_rpc()) << n;  // a prefix never decodes as the whole RPC
  }
  // Prefixes that cut inside a field (all but the field boundaries) must fail.
  EXPECT_GE(failures, encoded.size() - 4);
}

TEST(GossipsubRpc, UnknownFieldsAreSkipped) {
  Bytes frame{0x28, 0x05};  // field 5, varint 5
  append(frame, encode_rpc(full_rpc()));
  auto r = decode_rpc(frame);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, full_rpc());
}

TEST(GossipsubRpc, MalformedInputs) {
  // subscriptions as a varint
  EXPECT_EQ(decode_rpc(Bytes{0x08, 0x01}).error(), make_error_code(Error::malformed));
  // subscribe flag 2
  EXPECT_EQ(decode_rpc(Bytes{0x0a, 0x02, 0x08, 0x02}).error(), make_error_code(Error::malformed));
  // a message without topic
  EXPECT_EQ(decode_rpc(Bytes{0x12, 0x02, 0x12, 0x00}).error(), make_error_code(Error::malformed));
  // message.from as a varint
  EXPECT_EQ(decode_rpc(Bytes{0x12, 0x05, 0x08, 0x01, 0x22, 0x01, 'x'}).error(),
            make_error_code(Error::malformed));
  // two control fields
  EXPECT_EQ(decode_rpc(Bytes{0x1a, 0x00, 0x1a, 0x00}).error(), make_error_code(Error::malformed));
  // prune backoff as bytes
  EXPECT_EQ(decode_rpc(Bytes{0x1a, 0x04, 0x22, 0x02, 0x1a, 0x00}).error(),
            make_error_code(Error::malformed));
  // a group wire type
  EXPECT_FALSE(decode_rpc(Bytes{0x0b}));
  // length beyond the input
  EXPECT_EQ(decode_rpc(Bytes{0x0a, 0x05, 0x08}).error(), make_error_code(Error::truncated));
}

TEST(GossipsubRpc, FrameLimit) {
  Rpc rpc;
  Message m;
  m.topic = "t";
  m.data = Bytes(kMaxRpcBytes, 0);
  rpc.publish.push_back(m);
  EXPECT_EQ(decode_rpc(encode_rpc(rpc)).error(), make_error_code(Error::too_large));
}

TEST(GossipsubRpc, TopicLengthLimit) {
  Rpc ok;
  ok.subscriptions = {{true, std::string(kMaxTopicLength, 'a')}};
  EXPECT_TRUE(decode_rpc(encode_rpc(ok)));
  Rpc too_long;
  too_long.subscriptions = {{true, std::string(kMaxTopicLength + 1, 'a')}};
  EXPECT_EQ(decode_rpc(encode_rpc(too_long)).error(), make_error_code(Error::too_large));
}

TEST(GossipsubRpc, CountLimits) {
  Rpc subs;
  subs.subscriptions.assign(kMaxSubscriptionsPerRpc, {true, "t"});
  EXPECT_TRUE(decode_rpc(encode_rpc(subs)));
  subs.subscriptions.push_back({true, "t"});
  EXPECT_EQ(decode_rpc(encode_rpc(subs)).error(), make_error_code(Error::too_large));

  Rpc msgs;
  Message m;
  m.topic = "t";
  msgs.publish.assign(kMaxMessagesPerRpc, m);
  EXPECT_TRUE(decode_rpc(encode_rpc(msgs)));
  msgs.publish.push_back(m);
  EXPECT_EQ(decode_rpc(encode_rpc(msgs)).error(), make_error_code(Error::too_large));

  Rpc grafts;
  grafts.control.graft.assign(kMaxControlEntriesPerRpc, {"t"});
  EXPECT_TRUE(decode_rpc(encode_rpc(grafts)));
  grafts.control.prune.push_back({"t", {}, std::nullopt});
  EXPECT_EQ(decode_rpc(encode_rpc(grafts)).error(), make_error_code(Error::too_large));

  Rpc ids;
  ids.control.iwant = {{std::vector<Bytes>(kMaxIdsPerRpc, Bytes{1})}};
  EXPECT_TRUE(decode_rpc(encode_rpc(ids)));
  ids.control.idontwant = {{{Bytes{2}}}};
  EXPECT_EQ(decode_rpc(encode_rpc(ids)).error(), make_error_code(Error::too_large));

  Rpc long_id;
  long_id.control.ihave = {{"t", {Bytes(kMaxMessageIdLength, 1)}}};
  EXPECT_TRUE(decode_rpc(encode_rpc(long_id)));
  long_id.control.ihave[0].ids[0].push_back(1);
  EXPECT_EQ(decode_rpc(encode_rpc(long_id)).error(), make_error_code(Error::too_large));

  Rpc px;
  px.control.prune = {{"t", std::vector<PeerInfo>(kMaxPrunePeers, {Bytes{1}, {}}), 1}};
  EXPECT_TRUE(decode_rpc(encode_rpc(px)));
  px.control.prune[0].peers.push_back({Bytes{1}, {}});
  EXPECT_EQ(decode_rpc(encode_rpc(px)).error(), make_error_code(Error::too_large));
  Rpc big_info;
  big_info.control.prune = {{"t", {{Bytes{1}, Bytes(kMaxPeerInfoBytes, 0)}}, 1}};
  EXPECT_EQ(decode_rpc(encode_rpc(big_info)).error(), make_error_code(Error::too_large));
}

}  // namespace
}  // namespace ipfsa::proto::gossipsub
