#include "proto/multistream/multistream.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ipfsa::proto::multistream {
namespace {

const TimePoint kNow{};  // the negotiation has no deadline of its own: any instant will do

Bytes hex(std::string_view h) { return *hex_decode(h); }
Bytes line(std::string_view text) {
  Bytes out;
  append_message(out, text);
  return out;
}
Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}
Bytes outgoing(Dialer& d) {
  Bytes out;
  const auto t = d.poll_transmit(out);
  EXPECT_EQ(t ? t->size : 0, out.size());
  return out;
}
Bytes outgoing(Listener& l) {
  Bytes out;
  const auto t = l.poll_transmit(out);
  EXPECT_EQ(t ? t->size : 0, out.size());
  return out;
}

// ---- Spec byte sequences ----

TEST(MultistreamMessage, SpecVectors) {
  // Connections spec: "na" is 0x036e610a. multistream-select README: "ls" is 0x036c730a.
  EXPECT_EQ(line("na"), hex("036e610a"));
  EXPECT_EQ(line("ls"), hex("036c730a"));
  // The header: 0x13 = 19 = 18 characters + '\n'.
  EXPECT_EQ(line(kProtocolId), concat({{0x13}, to_bytes("/multistream/1.0.0\n")}));
}

TEST(MultistreamMessage, LongLineUsesTwoBytePrefix) {
  const std::string id(kMaxProtocolIdSize, 'p');
  const Bytes out = line(id);
  ASSERT_EQ(out.size(), 2 + kMaxMessageSize);
  EXPECT_EQ(out[0], 0x80);  // 1024 = 0x80 0x08
  EXPECT_EQ(out[1], 0x08);
  EXPECT_EQ(out.back(), '\n');
}

TEST(MultistreamMessage, ParseRequiresNewline) {
  EXPECT_EQ(*parse_message(to_bytes("/noise\n")), "/noise");
  EXPECT_EQ(*parse_message(to_bytes("\n")), "");
  EXPECT_EQ(parse_message(to_bytes("/noise")).error(), Error::protocol_violation);
  EXPECT_EQ(parse_message(Bytes{}).error(), Error::protocol_violation);
}

// ---- Dialer ----

TEST(MultistreamDialer, FirstFlightPipelinesHeaderAndProposal) {
  Dialer dialer({"/noise", "/tls/1.0.0"});
  // What js-libp2p's select() writes: lp("/multistream/1.0.0\n") lp("/noise\n").
  EXPECT_EQ(outgoing(dialer),
            concat({hex("13"), to_bytes("/multistream/1.0.0\n"), hex("07"), to_bytes("/noise\n")}));
  EXPECT_TRUE(outgoing(dialer).empty());  // drained
  EXPECT_FALSE(dialer.done());
}

TEST(MultistreamDialer, AcceptInOneChunkKeepsApplicationBytes) {
  Dialer dialer({"/noise"});
  (void)outgoing(dialer);
  const Bytes app = hex("00200102030405");
  EXPECT_FALSE(dialer.poll());
  ASSERT_TRUE(dialer.handle_input(concat({line(kProtocolId), line("/noise"), app}), kNow));
  ASSERT_TRUE(dialer.done());
  EXPECT_EQ(dialer.protocol(), "/noise");
  auto event = dialer.poll();  // reported once
  ASSERT_TRUE(event);
  EXPECT_EQ(event->protocol, "/noise");
  EXPECT_FALSE(dialer.poll());
  EXPECT_EQ(dialer.take_remaining(), app);
  EXPECT_TRUE(dialer.take_remaining().empty());
  // Later bytes are the protocol's too.
  ASSERT_TRUE(dialer.handle_input(app, kNow));
  EXPECT_EQ(dialer.take_remaining(), app);
}

TEST(MultistreamDialer, EveryTwoChunkSplitGivesTheSameResult) {
  const Bytes app = to_bytes("application");
  const Bytes in = concat({line(kProtocolId), line("na"), line("/yamux/1.0.0"), app});
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    Dialer dialer({"/mplex/6.7.0", "/yamux/1.0.0"});
    (void)outgoing(dialer);
    ASSERT_TRUE(dialer.handle_input(ByteView(in).first(cut), kNow)) << cut;
    ASSERT_TRUE(dialer.handle_input(ByteView(in).subspan(cut), kNow)) << cut;
    ASSERT_TRUE(dialer.done()) << cut;
    EXPECT_EQ(dialer.protocol(), "/yamux/1.0.0");
    EXPECT_EQ(dialer.take_remaining(), app) << cut;
    EXPECT_EQ(outgoing(dialer), line("/yamux/1.0.0")) << cut;
  }
}

TEST(MultistreamDialer, EveryTruncationIsIncompleteNotAnError) {
  const Bytes in = concat({line(kProtocolId), line("/noise")});
  for (std::size_t n = 0; n < in.size(); ++n) {
    Dialer dialer({"/noise"});
    ASSERT_TRUE(dialer.handle_input(ByteView(in).first(n), kNow)) << n;
    EXPECT_FALSE(dialer.done()) << n;
  }
}

TEST(MultistreamDialer, NaFallsBackToTheNextProposal) {
  Dialer dialer({"/tls/1.0.0", "/noise"});
  (void)outgoing(dialer);
  ASSERT_TRUE(dialer.handle_input(concat({line(kProtocolId), line("na")}), kNow));
  EXPECT_FALSE(dialer.done());
  EXPECT_EQ(outgoing(dialer), line("/noise"));
  ASSERT_TRUE(dialer.handle_input(line("/noise"), kNow));
  ASSERT_TRUE(dialer.done());
  EXPECT_EQ(dialer.protocol(), "/noise");
}

TEST(MultistreamDialer, AllRefusedIsNegotiationFailed) {
  Dialer dialer({"/a", "/b"});
  auto r = dialer.handle_input(concat({line(kProtocolId), line("na"), line("na")}), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::negotiation_failed);
  EXPECT_FALSE(dialer.done());
  EXPECT_EQ(dialer.handle_input(line("/a"), kNow).error(), Error::invalid_state);
}

TEST(MultistreamDialer, FirstMessageMustBeTheHeader) {
  Dialer dialer({"/noise"});
  EXPECT_EQ(dialer.handle_input(line("/noise"), kNow).error(), Error::protocol_violation);
  Dialer other({"/noise"});
  EXPECT_EQ(other.handle_input(line("/multistream/2.0.0"), kNow).error(), Error::protocol_violation);
}

TEST(MultistreamDialer, AnswerNeitherEchoNorNaIsAViolation) {
  Dialer dialer({"/noise"});
  EXPECT_EQ(dialer.handle_input(concat({line(kProtocolId), line("/tls/1.0.0")}), kNow).error(),
            Error::protocol_violation);
}

TEST(MultistreamDialer, LineWithoutNewlineIsAViolation) {
  Dialer dialer({"/noise"});
  const Bytes bad = concat({hex("12"), to_bytes("/multistream/1.0.0")});
  EXPECT_EQ(dialer.handle_input(bad, kNow).error(), Error::protocol_violation);
  Dialer empty({"/noise"});
  EXPECT_EQ(empty.handle_input(hex("00"), kNow).error(), Error::protocol_violation);
}

TEST(MultistreamDialer, OversizeLengthRejectedFromThePrefixAlone) {
  Dialer dialer({"/noise"});
  EXPECT_EQ(dialer.handle_input(hex("8108"), kNow).error(), Error::too_large);  // 1025
  Dialer dialer2({"/noise"});
  EXPECT_EQ(dialer2.handle_input(hex("ffff"), kNow).error(), Error::too_large);  // needs a third byte
}

TEST(MultistreamDialer, MaximalLineAccepted) {
  const std::string id(kMaxProtocolIdSize, 'x');
  Dialer dialer({id});
  ASSERT_TRUE(dialer.handle_input(concat({line(kProtocolId), line(id)}), kNow));
  ASSERT_TRUE(dialer.done());
  EXPECT_EQ(dialer.protocol(), id);
}

// ---- Listener ----

TEST(MultistreamListener, SendsHeaderFirst) {
  Listener listener({"/noise"});
  EXPECT_EQ(outgoing(listener), line(kProtocolId));
}

TEST(MultistreamListener, PipelinedHeaderProposalAndData) {
  Listener listener({"/yamux/1.0.0", "/noise"});
  (void)outgoing(listener);
  const Bytes app = hex("000000010000000100000000");
  ASSERT_TRUE(listener.handle_input(concat({line(kProtocolId), line("/noise"), app}), kNow));
  ASSERT_TRUE(listener.done());
  EXPECT_EQ(listener.protocol(), "/noise");
  EXPECT_EQ(outgoing(listener), line("/noise"));
  EXPECT_EQ(listener.take_remaining(), app);
  auto event = listener.poll();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->protocol, "/noise");
  EXPECT_FALSE(listener.poll());
}

TEST(MultistreamListener, EveryTwoChunkSplit) {
  const Bytes app = to_bytes("xyz");
  const Bytes in = concat({line(kProtocolId), line("/unknown"), line("/noise"), app});
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    Listener listener({"/noise"});
    ASSERT_TRUE(listener.handle_input(ByteView(in).first(cut), kNow)) << cut;
    ASSERT_TRUE(listener.handle_input(ByteView(in).subspan(cut), kNow)) << cut;
    ASSERT_TRUE(listener.done()) << cut;
    EXPECT_EQ(outgoing(listener), concat({line(kProtocolId), line("na"), line("/noise")}));
    EXPECT_EQ(listener.take_remaining(), app) << cut;
  }
}

TEST(MultistreamListener, UnknownThenKnown) {
  Listener listener({"/noise"});
  (void)outgoing(listener);
  ASSERT_TRUE(listener.handle_input(concat({line(kProtocolId), line("/tls/1.0.0")}), kNow));
  EXPECT_FALSE(listener.done());
  EXPECT_EQ(outgoing(listener), line("na"));
  ASSERT_TRUE(listener.handle_input(line("/noise"), kNow));
  EXPECT_TRUE(listener.done());
  EXPECT_EQ(outgoing(listener), line("/noise"));
}

TEST(MultistreamListener, EmptyProposalAndRepeatedHeaderGetNa) {
  Listener listener({"/noise"});
  (void)outgoing(listener);
  ASSERT_TRUE(listener.handle_input(concat({line(kProtocolId), line(""), line(kProtocolId)}), kNow));
  EXPECT_EQ(outgoing(listener), concat({line("na"), line("na")}));
  EXPECT_FALSE(listener.done());
}

TEST(MultistreamListener, FirstMessageMustBeTheHeader) {
  Listener listener({"/noise"});
  EXPECT_EQ(listener.handle_input(line("/noise"), kNow).error(), Error::protocol_violation);
  EXPECT_EQ(listener.handle_input(line(kProtocolId), kNow).error(), Error::invalid_state);
}

TEST(MultistreamListener, ProposalLimit) {
  Listener listener({"/noise"});
  Bytes in = line(kProtocolId);
  for (std::size_t i = 0; i < kMaxProposals; ++i) append(in, line("/nope/" + std::to_string(i)));
  ASSERT_TRUE(listener.handle_input(in, kNow));
  (void)outgoing(listener);
  // The next proposal, even a supported one, is over the limit.
  EXPECT_EQ(listener.handle_input(line("/noise"), kNow).error(), Error::limit_exceeded);
}

TEST(MultistreamListener, LastAllowedProposalCanSucceed) {
  Listener listener({"/noise"});
  Bytes in = line(kProtocolId);
  for (std::size_t i = 0; i + 1 < kMaxProposals; ++i) append(in, line("/nope"));
  append(in, line("/noise"));
  ASSERT_TRUE(listener.handle_input(in, kNow));
  EXPECT_TRUE(listener.done());
}

TEST(MultistreamListener, OversizeAndMissingNewline) {
  Listener a({"/noise"});
  EXPECT_EQ(a.handle_input(hex("8108"), kNow).error(), Error::too_large);
  Listener b({"/noise"});
  EXPECT_EQ(b.handle_input(concat({line(kProtocolId), hex("06"), to_bytes("/noise")}), kNow).error(),
            Error::protocol_violation);
  Listener c({"/noise"});
  EXPECT_EQ(c.handle_input(hex("8000"), kNow).error(), Error::non_canonical);
}

TEST(MultistreamListener, ListInJsLayout) {
  Listener listener({"/noise", "/yamux/1.0.0"});
  (void)outgoing(listener);
  ASSERT_TRUE(listener.handle_input(concat({line(kProtocolId), line("ls")}), kNow));
  // js-libp2p handle(): one message = lp("/noise\n") lp("/yamux/1.0.0\n") "\n".
  const Bytes body = concat(
      {hex("07"), to_bytes("/noise\n"), hex("0d"), to_bytes("/yamux/1.0.0\n"), to_bytes("\n")});
  EXPECT_EQ(outgoing(listener), concat({Bytes{static_cast<std::uint8_t>(body.size())}, body}));
  EXPECT_FALSE(listener.done());
}

TEST(MultistreamListener, ListIsBoundedByTheMessageLimit) {
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("/" + std::string(60, 'a' + (i % 26)));
  Listener listener(many);
  (void)outgoing(listener);
  ASSERT_TRUE(listener.handle_input(concat({line(kProtocolId), line("ls")}), kNow));
  const Bytes out = outgoing(listener);
  wire::LengthPrefixedReader reader(kMaxMessageSize);  // a peer's reader accepts it
  ByteView view(out);
  auto message = reader.read(view);
  ASSERT_TRUE(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_TRUE(view.empty());
  EXPECT_EQ((*message)->back(), '\n');
  EXPECT_EQ((*message)->size(), 16u * 63 + 1);  // 16 entries of 1 + 62 bytes fit, then '\n'
}

// ---- Both sides in a loop ----

struct Outcome {
  Result<void> dialer = Result<void>{};
  Result<void> listener = Result<void>{};
  bool done = false;
};

// Pumps bytes both ways in chunks of random size until both finish or one fails; the dialer also
// writes `app` right after its first flight (optimistic pipelining).
Outcome negotiate(Dialer& dialer, Listener& listener, std::mt19937& rng, const Bytes& app,
                  Bytes& listener_app) {
  Bytes to_listener, to_dialer;
  dialer.poll_transmit(to_listener);
  append(to_listener, app);
  listener.poll_transmit(to_dialer);
  Outcome outcome;
  for (int round = 0; round < 10000 && !(dialer.done() && listener.done()); ++round) {
    if (to_listener.empty() && to_dialer.empty()) break;
    auto pump = [&](Bytes& queue, auto& receiver, Result<void>& result) {
      if (queue.empty()) return;
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, queue.size())(rng);
      result = receiver.handle_input(ByteView(queue).first(n), kNow);
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
    };
    pump(to_listener, listener, outcome.listener);
    if (!outcome.listener) return outcome;
    listener.poll_transmit(to_dialer);
    pump(to_dialer, dialer, outcome.dialer);
    if (!outcome.dialer) return outcome;
    dialer.poll_transmit(to_listener);
  }
  if (listener.done()) {
    listener_app = listener.take_remaining();
    append(listener_app, to_listener);
  }
  outcome.done = dialer.done() && listener.done();
  return outcome;
}

TEST(MultistreamLoop, AgreesOnTheFirstCommonProtocol) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Dialer dialer({"/tls/1.0.0", "/mplex/6.7.0", "/yamux/1.0.0", "/noise"});
    Listener listener({"/noise", "/yamux/1.0.0"});
    Bytes got;
    auto outcome = negotiate(dialer, listener, rng, {}, got);
    ASSERT_TRUE(outcome.dialer);
    ASSERT_TRUE(outcome.listener);
    ASSERT_TRUE(outcome.done);
    EXPECT_EQ(dialer.protocol(), "/yamux/1.0.0");
    EXPECT_EQ(listener.protocol(), "/yamux/1.0.0");
    EXPECT_TRUE(got.empty());
  }
}

TEST(MultistreamLoop, PipelinedDataReachesTheListenerProtocol) {
  std::mt19937 rng(11);
  const Bytes app = to_bytes("first application bytes");
  for (int trial = 0; trial < 200; ++trial) {
    Dialer dialer({"/ipfs/id/1.0.0"});
    Listener listener({"/ipfs/ping/1.0.0", "/ipfs/id/1.0.0"});
    Bytes got;
    auto outcome = negotiate(dialer, listener, rng, app, got);
    ASSERT_TRUE(outcome.done);
    EXPECT_EQ(listener.protocol(), "/ipfs/id/1.0.0");
    EXPECT_EQ(got, app);
  }
}

TEST(MultistreamLoop, NoCommonProtocol) {
  std::mt19937 rng(3);
  Dialer dialer({"/a", "/b"});
  Listener listener({"/c"});
  Bytes got;
  auto outcome = negotiate(dialer, listener, rng, {}, got);
  ASSERT_FALSE(outcome.dialer);
  EXPECT_EQ(outcome.dialer.error(), Error::negotiation_failed);
  EXPECT_FALSE(listener.done());
}

}  // namespace
}  // namespace ipfsa::proto::multistream
