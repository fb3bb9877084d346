// Ping through the Host: the proto/ping engine on real streams, the per-peer inbound stream bound
// (proto::ping::kMaxInboundStreams) and a wrong echo.
#include "p2p/ping.hpp"

#include <gtest/gtest.h>

#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "proto/ping/ping.hpp"

namespace ipfsa::p2p {
namespace {

using testing::HostFixture;
using testing::Node;
using testing::run_task;
using testing::run_until;

class PingTest : public HostFixture {};

// One 32-byte exchange on `stream`: the echo, or the stream's error.
io::Task<Result<Bytes>> exchange(Stream& stream, std::uint8_t fill) {
  const Bytes payload(proto::ping::kPayloadSize, fill);
  if (auto w = co_await stream.write(payload); !w) co_return w.error();
  Bytes echo(proto::ping::kPayloadSize);
  if (auto r = co_await stream.read_exact(echo); !r) co_return r.error();
  co_return echo;
}

TEST_F(PingTest, InboundPingStreamsArePerPeerBounded) {
  Node& a = make_node();
  Node& b = make_node();
  ASSERT_TRUE(dial(a, b.addr));
  const std::vector<std::string> ping_protocol{std::string(proto::ping::kProtocolId)};
  std::vector<Stream> open;
  for (std::size_t i = 0; i < proto::ping::kMaxInboundStreams; ++i) {
    auto s = run_task(ctx_, a.host->new_stream(b.host->peer_id(), ping_protocol));
    ASSERT_TRUE(s && *s);
    open.push_back(**s);
    auto echo = run_task(ctx_, exchange(open.back(), static_cast<std::uint8_t>(i)));
    ASSERT_TRUE(echo && *echo);
    EXPECT_EQ(**echo, Bytes(proto::ping::kPayloadSize, static_cast<std::uint8_t>(i)));
  }
  EXPECT_EQ(b.host->ping_service().inbound(a.host->peer_id()), proto::ping::kMaxInboundStreams);

  // One more from the same peer is reset; the open ones keep working.
  auto extra = run_task(ctx_, a.host->new_stream(b.host->peer_id(), ping_protocol));
  ASSERT_TRUE(extra && *extra);
  auto refused = run_task(ctx_, exchange(**extra, 0xee));
  ASSERT_TRUE(refused);
  EXPECT_FALSE(*refused);
  EXPECT_EQ(b.host->ping_service().refused(), 1u);
  auto again = run_task(ctx_, exchange(open[0], 0x55));
  ASSERT_TRUE(again && *again);

  // Another peer has its own budget.
  Node& c = make_node();
  ASSERT_TRUE(dial(c, b.addr));
  auto r = run_task(ctx_, c.host->ping(b.host->peer_id(), 1, std::chrono::milliseconds(1),
                                       [](int, Result<Duration>) {}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r) << r->error().message();

  // Closing one frees its slot.
  ASSERT_TRUE(open[0].close_write());
  ASSERT_TRUE(run_until(ctx_, [&] {
    return b.host->ping_service().inbound(a.host->peer_id()) ==
           proto::ping::kMaxInboundStreams - 1;
  }));
  auto later = run_task(ctx_, a.host->ping(b.host->peer_id(), 2, std::chrono::milliseconds(1),
                                           [](int, Result<Duration>) {}));
  ASSERT_TRUE(later);
  EXPECT_TRUE(*later) << later->error().message();
}

TEST_F(PingTest, AWrongEchoIsAProtocolViolation) {
  Node& a = make_node();
  Node& b = make_node();
  b.host->set_stream_handler("/ipfsa-test/bad-ping/1.0.0", [](Stream st) -> io::Task<void> {
    Bytes payload(proto::ping::kPayloadSize);
    if (auto r = co_await st.read_exact(payload); !r) co_return;
    payload[7] ^= 0x01;  // one bit off
    (void)co_await st.write(payload);
  });
  ASSERT_TRUE(dial(a, b.addr));
  auto s = run_task(ctx_, a.host->new_stream(b.host->peer_id(), {"/ipfsa-test/bad-ping/1.0.0"}));
  ASSERT_TRUE(s && *s);
  std::vector<Result<Duration>> reports;
  auto r = run_task(ctx_, run_ping(**s, 3, std::chrono::milliseconds(1), std::chrono::seconds(30),
                                   [&](int, Result<Duration> rtt) { reports.push_back(rtt); }));
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error(), make_error_code(Error::protocol_violation));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].error(), make_error_code(Error::protocol_violation));
}

}  // namespace
}  // namespace ipfsa::p2p
