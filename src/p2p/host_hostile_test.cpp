// Host against broken and hostile peers: private-network key mismatches, raw TCP clients sending
// garbage or stalling, a handshaken peer sending an invalid Yamux frame or too many streams, and
// Host::close(). In every case a well-behaved peer stays connected and served.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "crypto/random.hpp"
#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "p2p/upgrade.hpp"
#include "proto/multistream/multistream.hpp"
#include "proto/yamux/frame.hpp"
#include "wire/varint.hpp"

namespace ipfsa::p2p {
namespace {

using testing::DrainResult;
using testing::HostFixture;
using testing::kEchoProtocol;
using testing::Node;
using testing::run_task;
using testing::run_until;

// The multistream header line as sent on the wire (uvarint length + "/multistream/1.0.0\n").
Bytes multistream_line(std::string_view text) {
  Bytes out = wire::encode_uvarint(text.size() + 1);
  append(out, as_bytes(text));
  out.push_back('\n');
  return out;
}

// Timeouts of the server that no test reaches: a client closed at all was closed by the check
// under test. kHangUp is how long a test waits for the server to hang up: far beyond a prompt
// close however loaded the machine, and far short of kNever.
constexpr Duration kNever = std::chrono::seconds(240);
constexpr Duration kHangUp = std::chrono::seconds(60);

class HostHostileTest : public HostFixture {
 protected:
  // A server with the given step timeout (the whole upgrade's deadline out of reach) and a good
  // peer connected to it.
  void start(Duration step_timeout) {
    auto config = testing::test_config("server/1");
    config.handshake_step_timeout = step_timeout;
    config.upgrade_timeout = kNever;
    server_ = &make_node(std::move(config));
    good_ = &make_node();
    auto c = dial(*good_, server_->addr);
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_TRUE(
        run_until(ctx_, [&] { return good_->identifies == 1 && server_->identifies == 1; }));
    ASSERT_TRUE(echo_works(*good_, *server_));
  }

  // The good peer is still connected on the same connection, and served.
  void expect_good_peer_served() {
    EXPECT_EQ(good_->disconnects, 0);
    EXPECT_EQ(server_->disconnects, 0);
    EXPECT_EQ(good_->host->connections().size(), 1u);
    EXPECT_NE(server_->host->connection(good_->host->peer_id()), nullptr);
    EXPECT_TRUE(echo_works(*good_, *server_));
    EXPECT_TRUE(echo_works(*server_, *good_));
  }

  // Connects a raw socket to the server, sends `bytes`, and reads until the server hangs up.
  DrainResult raw_exchange(ByteView bytes, Duration deadline) {
    io::tcp::socket socket(ctx_);
    socket.connect(testing::endpoint_of(server_->addr.without_peer_id()));
    if (!bytes.empty()) {
      io::asio::write(socket, io::asio::buffer(bytes.data(), bytes.size()));
    }
    auto r = run_task(ctx_, testing::drain_until_closed(socket, deadline), deadline * 2);
    return r ? std::move(*r) : DrainResult{{}, {}, true, deadline};
  }

  Node* server_ = nullptr;
  Node* good_ = nullptr;
};

// --- pnet ---

TEST_F(HostHostileTest, PrivateNetworkKeysMustMatch) {
  const SecretBytes key(crypto::random_bytes(32));
  const SecretBytes other_key(crypto::random_bytes(32));
  auto with_key = [](const SecretBytes& k) {
    auto c = testing::test_config();
    c.psk = k;
    c.handshake_step_timeout = std::chrono::milliseconds(500);
    return c;
  };
  Node& server = make_node(with_key(key));
  Node& member = make_node(with_key(key));
  Node& outsider = make_node(with_key(other_key));
  Node& public_peer = make_node(testing::test_config(), true);

  ASSERT_TRUE(dial(member, server.addr));
  EXPECT_TRUE(echo_works(member, server));

  auto wrong = dial(outsider, server.addr);
  EXPECT_FALSE(wrong);
  auto none = dial(public_peer, server.addr);
  EXPECT_FALSE(none);
  // ...and the other way round: the private server cannot reach the public peer.
  auto reverse = dial(server, public_peer.addr);
  EXPECT_FALSE(reverse);

  testing::run_for(ctx_, std::chrono::milliseconds(100));
  EXPECT_EQ(outsider.connects + public_peer.connects, 0);
  EXPECT_TRUE(outsider.host->connections().empty());
  EXPECT_TRUE(public_peer.host->connections().empty());
  ASSERT_EQ(server.host->connections().size(), 1u);
  EXPECT_EQ(server.host->connections()[0]->remote_peer(), member.host->peer_id());

  // The listener keeps serving: the old member and a new one.
  EXPECT_TRUE(echo_works(member, server));
  Node& late_member = make_node(with_key(key));
  ASSERT_TRUE(dial(late_member, server.addr));
  EXPECT_TRUE(echo_works(late_member, server));
  EXPECT_EQ(server.host->connections().size(), 2u);
  EXPECT_EQ(member.disconnects, 0);
}

// --- raw TCP clients ---

TEST_F(HostHostileTest, GarbageBytesAreRejectedPromptly) {
  start(kNever);
  Bytes garbage(300, 'G');  // 'G' = a 71-byte line that does not end in '\n'
  auto r = raw_exchange(garbage, kHangUp);
  EXPECT_FALSE(r.timed_out) << "the server did not hang up on garbage";
  // Nothing but (at most) the server's multistream header came back.
  const Bytes header = multistream_line(proto::multistream::kProtocolId);
  EXPECT_LE(r.received.size(), header.size());
  EXPECT_TRUE(std::equal(r.received.begin(), r.received.end(), header.begin()));
  expect_good_peer_served();
}

TEST_F(HostHostileTest, HttpRequestIsRejectedPromptly) {
  start(kNever);
  auto r = raw_exchange(as_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(100, 'x')),
                        kHangUp);
  EXPECT_FALSE(r.timed_out);
  expect_good_peer_served();
}

TEST_F(HostHostileTest, OversizedMultistreamLengthIsRejectedPromptly) {
  start(kNever);
  Bytes bytes = multistream_line(proto::multistream::kProtocolId);
  append(bytes, wire::encode_uvarint(1u << 20));  // a 1 MiB "line"
  append(bytes, Bytes(64, 'a'));
  auto r = raw_exchange(bytes, kHangUp);
  EXPECT_FALSE(r.timed_out);
  expect_good_peer_served();
}

TEST_F(HostHostileTest, UnknownSecurityProtocolIsRefused) {
  start(std::chrono::seconds(5));
  Bytes bytes = multistream_line(proto::multistream::kProtocolId);
  append(bytes, multistream_line("/tls/1.0.0"));
  io::tcp::socket socket(ctx_);
  socket.connect(testing::endpoint_of(server_->addr.without_peer_id()));
  io::asio::write(socket, io::asio::buffer(bytes));
  // The server answers "na" and waits for another proposal: then our silence times out... in
  // 5 s. Read just the answer.
  Bytes expected = multistream_line(proto::multistream::kProtocolId);
  append(expected, multistream_line(proto::multistream::kNotAvailable));
  Bytes got(expected.size());
  auto r = run_task(ctx_, [&]() -> io::Task<boost::system::error_code> {
    auto [ec, n] = co_await io::asio::async_read(socket, io::asio::buffer(got), io::kNoThrow);
    co_return ec;
  }());
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r) << r->message();
  EXPECT_EQ(got, expected);
  expect_good_peer_served();
}

TEST_F(HostHostileTest, StallingAfterConnectIsClosedAtTheStepDeadline) {
  start(std::chrono::milliseconds(200));
  auto r = raw_exchange({}, kHangUp);
  EXPECT_FALSE(r.timed_out) << "a silent client was never disconnected";
  EXPECT_GE(r.elapsed, std::chrono::milliseconds(150)) << "closed before its step deadline";
  expect_good_peer_served();
}

TEST_F(HostHostileTest, StallingInsideTheNoiseHandshakeIsClosedAtTheStepDeadline) {
  start(std::chrono::milliseconds(200));
  Bytes bytes = multistream_line(proto::multistream::kProtocolId);
  append(bytes, multistream_line("/noise"));
  auto r = raw_exchange(bytes, kHangUp);
  EXPECT_FALSE(r.timed_out) << "a client stalling in Noise was never disconnected";
  expect_good_peer_served();
}

TEST_F(HostHostileTest, HandshakeFloodIsBoundedAndRecovers) {
  start(kNever);  // no deadline frees a slot: only the bound does
  // More silent clients than kMaxPendingInbound, all from 127.0.0.1: the oldest are closed until
  // kMaxPendingInboundPerAddress remain pending.
  constexpr std::size_t kClients = kMaxPendingInbound + 16;
  constexpr std::size_t kKept = std::min(kMaxPendingInbound, kMaxPendingInboundPerAddress);
  std::vector<std::unique_ptr<io::tcp::socket>> sockets;
  std::vector<std::optional<DrainResult>> results(kClients);
  for (std::size_t i = 0; i < kClients; ++i) {
    sockets.push_back(std::make_unique<io::tcp::socket>(ctx_));
    sockets.back()->connect(testing::endpoint_of(server_->addr.without_peer_id()));
  }
  for (std::size_t i = 0; i < kClients; ++i) {
    io::asio::co_spawn(
        ctx_,
        [&, i]() -> io::Task<void> {
          results[i].emplace(co_await testing::drain_until_closed(*sockets[i], kHangUp));
        },
        io::asio::detached);
  }
  auto closed = [&] {
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(), [](auto& r) { return r.has_value(); }));
  };
  ASSERT_TRUE(run_until(ctx_, [&] {
    return closed() == kClients - kKept && server_->host->pending_inbound() == kKept;
  })) << closed() << " closed, " << server_->host->pending_inbound() << " pending";
  for (auto& r : results) {
    if (r) {
      EXPECT_FALSE(r->timed_out) << "closed by the test's own deadline, not the server";
    }
  }
  // The existing connection is served during the flood, and a newcomer from the same address
  // gets in: it closes the oldest pending handshake instead of being refused.
  EXPECT_TRUE(echo_works(*good_, *server_));
  Node& newcomer = make_node();
  ASSERT_TRUE(dial(newcomer, server_->addr));
  EXPECT_TRUE(echo_works(newcomer, *server_));
  EXPECT_TRUE(run_until(ctx_, [&] { return closed() == kClients - kKept + 1; })) << closed();
  EXPECT_EQ(server_->host->connections().size(), 2u);
  // The flooders leave: every slot they held is free again.
  for (auto& socket : sockets) {
    boost::system::error_code ignored;
    socket->close(ignored);
  }
  ASSERT_TRUE(run_until(ctx_, [&] {
    return closed() == kClients && server_->host->pending_inbound() == 0;
  })) << server_->host->pending_inbound() << " pending";
  expect_good_peer_served();
}

// --- a peer that completes the handshake, then misbehaves ---

TEST_F(HostHostileTest, InvalidYamuxFrameAfterTheHandshakeClosesOnlyThatConnection) {
  start(std::chrono::seconds(5));
  auto identity = crypto::Ed25519KeyPair::generate();
  const auto attacker = wire::PeerId::from_public_key(identity.public_key());
  io::tcp::socket socket(ctx_);
  socket.connect(testing::endpoint_of(server_->addr.without_peer_id()));
  auto upgraded = run_task(
      ctx_, upgrade_outbound(Pipe(std::move(socket)),
                             UpgradeConfig{&identity, nullptr, std::chrono::seconds(5), true},
                             server_->host->peer_id()));
  ASSERT_TRUE(upgraded);
  ASSERT_TRUE(*upgraded) << upgraded->error().message();
  auto& secured = (*upgraded)->secured;
  ASSERT_TRUE(run_until(ctx_, [&] { return server_->host->connection(attacker) != nullptr; }));
  EXPECT_EQ(server_->connects, 2);

  // A Yamux header with version 7: a protocol violation.
  Bytes frame(proto::yamux::kHeaderSize, 0);
  frame[0] = 7;
  Bytes ciphertext;
  secured.channel.encrypt(frame, ciphertext);
  io::asio::write(*secured.pipe.tcp(), io::asio::buffer(ciphertext));
  auto r = run_task(ctx_, testing::drain_until_closed(*secured.pipe.tcp(), std::chrono::seconds(3)));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->timed_out) << "the server kept a connection that broke Yamux";
  EXPECT_TRUE(run_until(ctx_, [&] { return server_->disconnects == 1; }));
  EXPECT_EQ(server_->host->connection(attacker), nullptr);
  // The good peer's connection is a different one and unaffected.
  EXPECT_EQ(server_->host->connections().size(), 1u);
  EXPECT_EQ(good_->disconnects, 0);
  EXPECT_TRUE(echo_works(*good_, *server_));
  EXPECT_TRUE(echo_works(*server_, *good_));
}

TEST_F(HostHostileTest, StreamsBeyondTheServersYamuxLimitAreRefused) {
  // The server accepts at most 4 inbound streams per connection.
  auto config = testing::test_config("server/1");
  config.yamux.max_streams = 4;
  server_ = &make_node(std::move(config));
  server_->host->set_stream_handler("/hold/1.0.0",
                                    [](Stream st) { return testing::echo_handler(st); });
  good_ = &make_node();
  // Confirmed negotiation: new_stream() itself sees the server's RST.
  auto greedy_config = testing::test_config();
  greedy_config.optimistic_negotiation = false;
  Node& greedy = make_node(std::move(greedy_config));
  ASSERT_TRUE(dial(*good_, server_->addr));
  ASSERT_TRUE(dial(greedy, server_->addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return server_->identifies == 2 && greedy.identifies == 1; }));
  // Wait until the identify streams are gone on the server side.
  ASSERT_TRUE(run_until(ctx_, [&] {
    auto c = server_->host->connection(greedy.host->peer_id());
    return c && c->stream_count() == 0;
  }));

  std::vector<Stream> held;
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = run_task(ctx_, greedy.host->new_stream(server_->host->peer_id(), {"/hold/1.0.0"}));
    ASSERT_TRUE(r) << "new_stream hung";
    if (*r) {
      held.push_back(**r);
    } else {
      ++refused;
      EXPECT_EQ(r->error(), Error::stream_reset) << r->error().message();
    }
  }
  EXPECT_EQ(held.size(), 4u);
  EXPECT_EQ(refused, 4);
  // Refused streams did not cost the greedy peer its connection; the held ones work.
  for (auto& st : held) {
    auto reply = run_task(ctx_, [&]() -> io::Task<Result<Bytes>> {
      if (auto w = co_await st.write(to_bytes("held")); !w) co_return w.error();
      (void)st.close_write();
      co_return co_await st.read_to_end(64);
    }());
    ASSERT_TRUE(reply && *reply);
    EXPECT_EQ(to_string(**reply), "held");
  }
  EXPECT_NE(server_->host->connection(greedy.host->peer_id()), nullptr);
  // The other peer's budget is its own.
  EXPECT_TRUE(echo_works(*good_, *server_));
  EXPECT_EQ(good_->disconnects, 0);
}

// A handshaken peer that opens a stream with a huge receive window, asks for a firehose and then
// never reads the socket again: the server's socket writes block.
class StuckReaderTest : public HostHostileTest {
 protected:
  // Returns once the server's write to us is blocked (or, with `or_closed`, once the server
  // dropped the connection first).
  void start_firehose(proto::yamux::Config yamux, bool or_closed = false) {
    auto config = testing::test_config("server/1");
    config.yamux = yamux;
    server_ = &make_node(std::move(config));
    server_->host->set_stream_handler(
        "/firehose/1.0.0", [committed = committed_](Stream st) -> io::Task<void> {
          const Bytes chunk(kChunk, 0xf1);
          for (int i = 0; i < 64; ++i) {
            if (auto w = co_await st.write(chunk); !w) co_return;
            *committed += chunk.size();
          }
        });
    good_ = &make_node();
    ASSERT_TRUE(dial(*good_, server_->addr));
    ASSERT_TRUE(run_until(ctx_, [&] { return server_->identifies == 1; }));

    // A small, fixed receive buffer on our side (an explicit SO_RCVBUF also stops autotuning).
    io::tcp::socket socket(ctx_);
    socket.open(io::tcp::v4());
    socket.set_option(io::asio::socket_base::receive_buffer_size(64 * 1024));
    io::asio::socket_base::receive_buffer_size rcvbuf;
    socket.get_option(rcvbuf);
    socket.connect(testing::endpoint_of(server_->addr.without_peer_id()));
    upgraded_ = run_task(
        ctx_, upgrade_outbound(Pipe(std::move(socket)),
                               UpgradeConfig{&identity_, nullptr, std::chrono::seconds(5), true},
                               server_->host->peer_id()));
    ASSERT_TRUE(upgraded_ && *upgraded_);
    const auto attacker = wire::PeerId::from_public_key(identity_.public_key());
    ASSERT_TRUE(run_until(ctx_, [&] { return server_->host->connection(attacker) != nullptr; }));
    server_side_ = server_->host->connection(attacker);

    // Stream 1: SYN with a 32 MiB window increase, then the negotiation in one data frame.
    Bytes plain;
    proto::yamux::append_header(
        plain, {proto::yamux::FrameType::window_update, proto::yamux::kFlagSyn, 1, 32u << 20});
    Bytes lines = multistream_line(proto::multistream::kProtocolId);
    append(lines, multistream_line("/firehose/1.0.0"));
    proto::yamux::append_header(
        plain, {proto::yamux::FrameType::data, 0, 1, static_cast<std::uint32_t>(lines.size())});
    append(plain, lines);
    Bytes ciphertext;
    (*upgraded_)->secured.channel.encrypt(plain, ciphertext);
    io::asio::write(*(*upgraded_)->secured.pipe.tcp(), io::asio::buffer(ciphertext));
    // The server's write is blocked for certain once its handler has committed more than both
    // kernels can hold (our receive buffer, its send buffer at most tcp_wmem's maximum): the rest
    // waits in the server's own buffers, and we never read.
    const std::size_t kernels = max_send_buffer() + static_cast<std::size_t>(rcvbuf.value());
    blocked_at_ = kernels + kChunk;
    ASSERT_TRUE(run_until(ctx_, [&] {
      return *committed_ > blocked_at_ || (or_closed && server_->disconnects > 0);
    })) << "the firehose committed " << *committed_ << " bytes; kernels hold up to " << kernels;
  }

  // tcp_wmem's third field: the largest send buffer autotuning gives a socket.
  static std::size_t max_send_buffer() {
    std::ifstream in("/proc/sys/net/ipv4/tcp_wmem");
    std::size_t min = 0, def = 0, max = 0;
    in >> min >> def >> max;
    EXPECT_GT(max, 0u) << "cannot read /proc/sys/net/ipv4/tcp_wmem";
    return max;
  }

  static constexpr std::size_t kChunk = 1024 * 1024;
  std::size_t blocked_at_ = 0;  // committed bytes beyond which the server's write is blocked
  std::shared_ptr<std::size_t> committed_ = std::make_shared<std::size_t>(0);

  crypto::Ed25519KeyPair identity_ = crypto::Ed25519KeyPair::generate();
  std::optional<Result<Upgraded>> upgraded_;
  std::weak_ptr<Connection> server_side_;
};

// A peer that stops reading cannot keep a closed connection (socket, buffers, descriptor) alive:
// Connection::close() gives the flush kCloseFlushTimeout, then closes the socket.
TEST_F(StuckReaderTest, HostCloseReleasesAConnectionWhosePeerStoppedReading) {
  start_firehose({});
  ASSERT_FALSE(server_side_.expired());
  server_->host->close();
  EXPECT_TRUE(run_until(ctx_, [&] { return server_side_.expired(); }))
      << "the connection (and its socket) outlives Host::close() while its write is blocked";
  EXPECT_TRUE(run_until(ctx_, [&] { return good_->disconnects == 1; }));
}

// The same, reached without any local call: the keepalive timeout closes the connection.
TEST_F(StuckReaderTest, KeepaliveTimeoutReleasesAConnectionWhosePeerStoppedReading) {
  proto::yamux::Config yamux;
  yamux.keepalive_interval = std::chrono::milliseconds(100);
  // The first ping goes out with the connection and we never answer: the timeout runs while the
  // firehose fills the buffers (tens of milliseconds here). Should a machine take longer, the
  // close comes first and the test still proves the release, of a connection not yet blocked.
  yamux.ping_timeout = std::chrono::seconds(2);
  start_firehose(yamux, /*or_closed=*/true);
  if (*committed_ <= blocked_at_) {
    std::cout << "note: the keepalive closed the connection before its write was blocked\n";
  }
  EXPECT_TRUE(run_until(ctx_, [&] { return server_->disconnects == 1; }))
      << "an unanswered keepalive did not close the connection";
  EXPECT_TRUE(run_until(ctx_, [&] { return server_side_.expired(); }))
      << "the timed-out connection (and its socket) is never released while its write is blocked";
  // The good peer answers pings and stays.
  EXPECT_EQ(server_->host->connections().size(), 1u);
  EXPECT_TRUE(echo_works(*good_, *server_));
}

TEST_F(HostHostileTest, SilentPeerIsClosedByTheKeepaliveTimeout) {
  auto config = testing::test_config("server/1");
  config.yamux.keepalive_interval = std::chrono::milliseconds(100);
  config.yamux.ping_timeout = std::chrono::milliseconds(300);
  server_ = &make_node(std::move(config));
  good_ = &make_node();
  ASSERT_TRUE(dial(*good_, server_->addr));
  auto identity = crypto::Ed25519KeyPair::generate();
  io::tcp::socket socket(ctx_);
  socket.connect(testing::endpoint_of(server_->addr.without_peer_id()));
  auto upgraded = run_task(
      ctx_, upgrade_outbound(Pipe(std::move(socket)),
                             UpgradeConfig{&identity, nullptr, std::chrono::seconds(5), true},
                             server_->host->peer_id()));
  ASSERT_TRUE(upgraded && *upgraded);
  // We read (and drop) everything but never answer the pings.
  auto r = run_task(
      ctx_, testing::drain_until_closed(*(*upgraded)->secured.pipe.tcp(), kHangUp), kHangUp * 2);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->timed_out) << "an unanswered keepalive did not close the connection";
  EXPECT_EQ(server_->disconnects, 1);
  EXPECT_EQ(server_->host->connections().size(), 1u);
  EXPECT_TRUE(echo_works(*good_, *server_));
}

// --- close ---

TEST_F(HostHostileTest, CloseEndsEverythingWithoutHangs) {
  Node& a = make_node();
  Node& b = make_node();
  std::optional<boost::system::error_code> server_read;
  b.host->set_stream_handler("/hold/1.0.0", [&](Stream st) -> io::Task<void> {
    std::uint8_t byte = 0;
    auto r = co_await st.read_some(std::span<std::uint8_t>(&byte, 1));
    server_read = r ? boost::system::error_code{} : r.error();
  });
  ASSERT_TRUE(dial(a, b.addr));
  ASSERT_TRUE(run_until(ctx_, [&] { return a.identifies == 1 && b.identifies == 1; }));
  auto s = run_task(ctx_, a.host->new_stream(b.host->peer_id(), {"/hold/1.0.0"}));
  ASSERT_TRUE(s && *s);
  std::optional<Result<std::size_t>> client_read;
  io::asio::co_spawn(
      ctx_,
      [&, st = **s]() mutable -> io::Task<void> {
        std::uint8_t byte = 0;
        client_read.emplace(co_await st.read_some(std::span<std::uint8_t>(&byte, 1)));
      },
      io::asio::detached);
  testing::run_for(ctx_, std::chrono::milliseconds(50));
  ASSERT_FALSE(client_read.has_value());

  a.host->close();
  ASSERT_TRUE(run_until(ctx_, [&] {
    return client_read.has_value() && server_read.has_value() && a.disconnects == 1 &&
           b.disconnects == 1;
  }));
  EXPECT_FALSE(*client_read);
  EXPECT_TRUE(*server_read);  // an error, not end of stream
  EXPECT_TRUE(a.host->connections().empty());
  EXPECT_TRUE(b.host->connections().empty());
  EXPECT_TRUE(a.host->listen_addrs().empty());
  // The listener is gone: dialling a fails.
  auto again = dial(b, a.addr);
  EXPECT_FALSE(again);
  // New streams on the old handle fail at once.
  auto w = run_task(ctx_, s->value().write(to_bytes("x")));
  ASSERT_TRUE(w);
  EXPECT_FALSE(*w);
  // Closing twice is harmless.
  a.host->close();
  EXPECT_EQ(a.disconnects, 1);
}

}  // namespace
}  // namespace ipfsa::p2p
