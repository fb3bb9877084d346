// Host streams: negotiation, echo, large payloads, concurrency, half-close, reset, length-prefixed
// reads. In-process on loopback, one io_context, every wait bounded.
#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "wire/varint.hpp"

namespace ipfsa::p2p {
namespace {

using testing::HostFixture;
using testing::kEchoProtocol;
using testing::Node;
using testing::run_task;
using testing::run_until;

class HostStreamTest : public HostFixture {
 protected:
  void SetUp() override {
    // a confirms every negotiation before new_stream() returns (the optimistic path has its own
    // tests below).
    auto confirmed = testing::test_config();
    confirmed.optimistic_negotiation = false;
    a_ = &make_node(std::move(confirmed));
    b_ = &make_node();
    auto c = dial(*a_, b_->addr);
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_TRUE(run_until(ctx_, [&] { return a_->identifies == 1 && b_->identifies == 1; }));
  }

  Result<Stream> open(std::vector<std::string> protocols) {
    auto r = run_task(ctx_, a_->host->new_stream(b_->host->peer_id(), std::move(protocols)));
    if (!r) return make_error_code(Error::timeout);
    return std::move(*r);
  }

  Node* a_ = nullptr;
  Node* b_ = nullptr;
  // State the handlers on b record (members: handlers may outlive a test body's locals).
  std::optional<Result<Bytes>> server_read_;
  std::optional<boost::system::error_code> server_error_;
  int handled_ = 0;
};

TEST_F(HostStreamTest, EchoOverANegotiatedStream) {
  auto s = open({std::string(kEchoProtocol)});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->protocol(), kEchoProtocol);
  EXPECT_EQ(s->remote_peer(), b_->host->peer_id());
  const Bytes payload = to_bytes("hello, stream");
  auto reply = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
    if (auto w = co_await s->write(payload); !w) co_return w.error();
    if (auto c = s->close_write(); !c) co_return c.error();
    co_return co_await s->read_to_end(1024);
  }());
  ASSERT_TRUE(reply);
  ASSERT_TRUE(*reply) << reply->error().message();
  EXPECT_EQ(**reply, payload);
}

TEST_F(HostStreamTest, UnknownProtocolFailsNegotiation) {
  auto s = open({"/does-not-exist/1.0.0"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), Error::negotiation_failed);
  // The connection is unaffected.
  EXPECT_TRUE(echo_works(*a_, *b_));
  EXPECT_EQ(a_->host->connections().size(), 1u);
}

TEST_F(HostStreamTest, OptimisticNegotiationReportsARefusalAtTheFirstRead) {
  auto& c = make_node();  // optimistic by default
  ASSERT_TRUE(dial(c, b_->addr));
  auto result = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
    std::vector<std::string> protocols{"/does-not-exist/1.0.0"};
    auto s = co_await c.host->new_stream(b_->host->peer_id(), std::move(protocols));
    if (!s) co_return s.error();  // the proposal is not answered yet: this succeeds
    (void)co_await s->write(as_bytes("data the listener must not take as a proposal"));
    co_return co_await s->read_to_end(1024);
  }());
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error(), Error::negotiation_failed);
  EXPECT_TRUE(echo_works(c, *b_));  // the connection is unaffected
}

TEST_F(HostStreamTest, OptimisticNegotiationDeliversDataSentWithTheProposal) {
  auto& c = make_node();
  ASSERT_TRUE(dial(c, b_->addr));
  EXPECT_TRUE(echo_works(c, *b_));
  const Bytes payload = crypto::random_bytes(300 * 1024);
  auto reply = echo(c, *b_, payload);
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(*reply, payload);
}

TEST_F(HostStreamTest, BetweenOurNodesTheFinGoesOutWithTheProposal) {
  // Agents starting with kEarlyFinAgentPrefix get the FIN at once (no round trip held back).
  auto& x = make_node(testing::test_config(std::string(kEarlyFinAgentPrefix) + "test"));
  auto& y = make_node(testing::test_config(std::string(kEarlyFinAgentPrefix) + "test"));
  ASSERT_TRUE(dial(x, y.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return x.identifies == 1 && y.identifies == 1; }));
  for (std::size_t size : {1u, 100u, 70000u}) {
    const Bytes payload = crypto::random_bytes(size);
    auto reply = echo(x, y, payload);
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_EQ(*reply, payload);
  }
}

TEST_F(HostStreamTest, RemovedHandlerIsNoLongerNegotiated) {
  b_->host->remove_stream_handler(std::string(kEchoProtocol));
  auto s = open({std::string(kEchoProtocol)});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), Error::negotiation_failed);
}

TEST_F(HostStreamTest, FallsBackToTheFirstSupportedProtocol) {
  b_->host->set_stream_handler("/second/1.0.0", [this](Stream st) -> io::Task<void> {
    ++handled_;
    (void)st.close_write();
    co_return;
  });
  auto s = open({"/nope/2.0.0", "/nope/1.0.0", "/second/1.0.0", std::string(kEchoProtocol)});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->protocol(), "/second/1.0.0");
  auto end = run_task(ctx_, s->read_to_end(16));
  ASSERT_TRUE(end);
  ASSERT_TRUE(*end) << end->error().message();
  EXPECT_TRUE((*end)->empty());
  EXPECT_EQ(handled_, 1);
}

TEST_F(HostStreamTest, OneMebibytePayloadRoundTrips) {
  const Bytes payload = crypto::random_bytes(1024 * 1024);
  auto reply = echo(*a_, *b_, payload);
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->size(), payload.size());
  EXPECT_TRUE(*reply == payload);
}

TEST_F(HostStreamTest, FiftyConcurrentStreams) {
  constexpr int kStreams = 50;
  std::vector<Bytes> payloads;
  std::vector<std::optional<Result<Bytes>>> replies(kStreams);
  for (int i = 0; i < kStreams; ++i) payloads.push_back(crypto::random_bytes(1000 + 997 * i));
  for (int i = 0; i < kStreams; ++i) {
    io::asio::co_spawn(
        ctx_,
        [&, i]() -> io::Task<void> {
          replies[i].emplace(co_await testing::request(*a_->host, b_->host->peer_id(),
                                                       std::string(kEchoProtocol), payloads[i]));
        },
        io::asio::detached);
  }
  ASSERT_TRUE(run_until(ctx_, [&] {
    return std::all_of(replies.begin(), replies.end(), [](auto& r) { return r.has_value(); });
  }));
  for (int i = 0; i < kStreams; ++i) {
    ASSERT_TRUE(*replies[i]) << i << ": " << replies[i]->error().message();
    EXPECT_TRUE(**replies[i] == payloads[i]) << i;
  }
  EXPECT_EQ(a_->host->connections().size(), 1u);
  // Finished streams are forgotten on both sides.
  EXPECT_TRUE(run_until(ctx_, [&] {
    return a_->host->connections()[0]->stream_count() == 0 &&
           b_->host->connections()[0]->stream_count() == 0;
  }));
}

TEST_F(HostStreamTest, HalfCloseKeepsTheOtherDirectionOpen) {
  // b greets, half-closes, then still reads what a sends afterwards.
  b_->host->set_stream_handler("/half/1.0.0", [this](Stream st) -> io::Task<void> {
    if (auto w = co_await st.write(to_bytes("greeting")); !w) co_return;
    (void)st.close_write();
    server_read_.emplace(co_await st.read_to_end(1024));
  });
  auto s = open({"/half/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto greeting = run_task(ctx_, s->read_to_end(1024));
  ASSERT_TRUE(greeting);
  ASSERT_TRUE(*greeting) << greeting->error().message();
  EXPECT_EQ(to_string(**greeting), "greeting");
  // After b's FIN, reads keep returning end of stream.
  std::uint8_t byte = 0;
  auto again = run_task(ctx_, s->read_some(std::span<std::uint8_t>(&byte, 1)));
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(**again, 0u);
  EXPECT_FALSE(server_read_.has_value()) << "b must still be waiting for a's data";

  auto w = run_task(ctx_, s->write(to_bytes("late data")));
  ASSERT_TRUE(w);
  ASSERT_TRUE(*w) << w->error().message();
  ASSERT_TRUE(s->close_write());
  ASSERT_TRUE(run_until(ctx_, [&] { return server_read_.has_value(); }));
  ASSERT_TRUE(*server_read_) << server_read_->error().message();
  EXPECT_EQ(to_string(**server_read_), "late data");
  // Writing after our own close_write fails.
  auto late = run_task(ctx_, s->write(to_bytes("x")));
  ASSERT_TRUE(late);
  ASSERT_FALSE(*late);
  EXPECT_EQ(late->error(), Error::stream_closed);
}

TEST_F(HostStreamTest, ResetByTheServerIsSeenByTheClient) {
  b_->host->set_stream_handler("/reset/1.0.0", [this](Stream st) -> io::Task<void> {
    std::uint8_t byte = 0;
    auto r = co_await st.read_exact(std::span<std::uint8_t>(&byte, 1));
    ++handled_;
    if (r) st.reset();
  });
  auto s = open({"/reset/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto result = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
    if (auto w = co_await s->write(to_bytes("x")); !w) co_return w.error();
    co_return co_await s->read_to_end(1024);
  }());
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error(), Error::stream_reset);
  EXPECT_EQ(handled_, 1);
  // Later calls fail the same way; the connection is unaffected.
  auto w = run_task(ctx_, s->write(to_bytes("y")));
  ASSERT_TRUE(w);
  EXPECT_FALSE(*w);
  EXPECT_TRUE(echo_works(*a_, *b_));
}

TEST_F(HostStreamTest, ResetByTheClientIsSeenByTheServer) {
  b_->host->set_stream_handler("/wait/1.0.0", [this](Stream st) -> io::Task<void> {
    ++handled_;
    auto r = co_await st.read_to_end(1024);
    server_error_ = r ? boost::system::error_code{} : r.error();
  });
  auto s = open({"/wait/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto w = run_task(ctx_, s->write(to_bytes("partial")));
  ASSERT_TRUE(w && *w);
  ASSERT_TRUE(run_until(ctx_, [&] { return handled_ == 1; }));
  s->reset();
  ASSERT_TRUE(run_until(ctx_, [&] { return server_error_.has_value(); }));
  EXPECT_EQ(*server_error_, Error::stream_reset);
  // Our own handle fails after the reset.
  std::uint8_t byte = 0;
  auto r = run_task(ctx_, s->read_some(std::span<std::uint8_t>(&byte, 1)));
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_TRUE(echo_works(*a_, *b_));
}

TEST_F(HostStreamTest, ReadToEndPastTheLimitIsTooLargeAndResets) {
  b_->host->set_stream_handler("/big/1.0.0", [this](Stream st) -> io::Task<void> {
    auto w = co_await st.write(Bytes(100 * 1024, 0x5a));
    if (w) (void)st.close_write();
    // The client resets once it has seen too much: our next read fails.
    std::uint8_t byte = 0;
    auto r = co_await st.read_some(std::span<std::uint8_t>(&byte, 1));
    server_error_ = r ? boost::system::error_code{} : r.error();
  });
  auto s = open({"/big/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto r = run_task(ctx_, s->read_to_end(10 * 1024));
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error(), Error::too_large);
  ASSERT_TRUE(run_until(ctx_, [&] { return server_error_.has_value(); }));
  EXPECT_EQ(*server_error_, Error::stream_reset);
}

TEST_F(HostStreamTest, ReadLengthPrefixed) {
  const Bytes body = crypto::random_bytes(1000);
  b_->host->set_stream_handler("/lp/1.0.0", [this, body](Stream st) -> io::Task<void> {
    Bytes message = wire::encode_uvarint(body.size());
    append(message, body);
    // Twice: once read within the limit, once rejected.
    append(message, Bytes(message));
    if (auto w = co_await st.write(message); !w) co_return;
    (void)st.close_write();
    co_return;
  });
  auto s = open({"/lp/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto first = run_task(ctx_, s->read_length_prefixed(1000));
  ASSERT_TRUE(first);
  ASSERT_TRUE(*first) << first->error().message();
  EXPECT_EQ(**first, body);
  auto second = run_task(ctx_, s->read_length_prefixed(999));
  ASSERT_TRUE(second);
  ASSERT_FALSE(*second);
  EXPECT_EQ(second->error(), Error::too_large);
}

TEST_F(HostStreamTest, ReadLengthPrefixedTruncatedByEndOfStream) {
  b_->host->set_stream_handler("/lp-short/1.0.0", [](Stream st) -> io::Task<void> {
    Bytes message = wire::encode_uvarint(50);
    append(message, Bytes(10, 1));  // 10 of the promised 50 bytes
    if (auto w = co_await st.write(message); !w) co_return;
    (void)st.close_write();
  });
  auto s = open({"/lp-short/1.0.0"});
  ASSERT_TRUE(s) << s.error().message();
  auto r = run_task(ctx_, s->read_length_prefixed(100));
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error(), Error::truncated);
}

TEST_F(HostStreamTest, StreamsBeyondTheLocalYamuxLimitFailAndEarlierOnesWork) {
  // A host whose own sessions allow only 3 outbound streams.
  auto config = testing::test_config();
  config.yamux.max_streams = 3;
  Node& c = make_node(std::move(config));
  b_->host->set_stream_handler("/hold/1.0.0", [](Stream st) { return testing::echo_handler(st); });
  ASSERT_TRUE(dial(c, b_->addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return c.identifies == 1; }));
  ASSERT_TRUE(run_until(ctx_, [&] { return c.host->connections()[0]->stream_count() == 0; }));
  std::vector<Stream> held;
  for (int i = 0; i < 3; ++i) {
    auto r = run_task(ctx_, c.host->new_stream(b_->host->peer_id(), {"/hold/1.0.0"}));
    ASSERT_TRUE(r && *r) << i;
    held.push_back(**r);
  }
  auto excess = run_task(ctx_, c.host->new_stream(b_->host->peer_id(), {"/hold/1.0.0"}));
  ASSERT_TRUE(excess);
  ASSERT_FALSE(*excess);
  EXPECT_EQ(excess->error(), Error::too_many_streams);
  // The held streams still work.
  for (auto& st : held) {
    auto reply = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
      if (auto w = co_await st.write(to_bytes("still here")); !w) co_return w.error();
      (void)st.close_write();
      co_return co_await st.read_to_end(64);
    }());
    ASSERT_TRUE(reply && *reply);
    EXPECT_EQ(to_string(**reply), "still here");
  }
  // With the slots free again, new streams open.
  EXPECT_TRUE(run_until(ctx_, [&] { return c.host->connections()[0]->stream_count() == 0; }));
  EXPECT_TRUE(echo_works(c, *b_));
}

}  // namespace
}  // namespace ipfsa::p2p
