// Host under connection exhaustion: hundreds of handshakes that trickle a byte now and then (from
// many addresses, or re-opened from one as fast as slots free) cannot lock new peers out, a
// handshake cannot outlive the upgrade's overall deadline, and a peer with another swarm key is
// turned away at its first bytes with the reason in the log.
//
// Every deadline that could free a slot (handshake_step_timeout, upgrade_timeout) is set far
// beyond the test's own waits, so whoever gets in got in because a stalled handshake was closed
// to make room, not because one timed out.
#include <gtest/gtest.h>

#include "base/test_support.hpp"
#include "crypto/random.hpp"
#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "p2p/upgrade.hpp"
#include "proto/multistream/multistream.hpp"
#include "wire/varint.hpp"

namespace ipfsa::p2p {
namespace {

using namespace std::chrono_literals;
using testing::HostFixture;
using testing::Node;
using testing::run_task;
using testing::run_until;
using test_support::LogCapture;
using test_support::raise_descriptor_limit;

// Far beyond any wait of the test (testing::kTestDeadline): these never free a slot here.
constexpr Duration kNeverStep = 120s;
constexpr Duration kNeverUpgrade = 240s;

Bytes multistream_line(std::string_view text) {
  Bytes out = wire::encode_uvarint(text.size() + 1);
  append(out, as_bytes(text));
  out.push_back('\n');
  return out;
}

// What a trickling dialer sends at once: the multistream header, the /noise proposal and the
// length of a Noise message it then sends a byte at a time (it never completes in the test).
Bytes trickle_prelude() {
  Bytes out = multistream_line(proto::multistream::kProtocolId);
  append(out, multistream_line("/noise"));
  out.push_back(0xea);  // 60,000 bytes to come
  out.push_back(0x60);
  return out;
}

// A raw TCP client from a chosen loopback source address that sends the prelude, then one byte
// per trickle() call, and notices when the server closes it.
struct Trickler {
  explicit Trickler(io::asio::io_context& ctx) : socket(ctx) {}
  io::tcp::socket socket;
  bool connected = false;
  bool closed = false;    // by the server (or a failed connect)
  bool finished = false;  // run_trickler returned
  std::function<void()> on_closed;

  void trickle() {
    if (!connected || closed) return;
    const std::uint8_t byte = 0x42;
    boost::system::error_code ignored;
    socket.write_some(io::asio::buffer(&byte, 1), ignored);
  }
};

io::Task<void> run_trickler(Trickler& t, io::asio::ip::address source, io::tcp::endpoint server) {
  boost::system::error_code ec;
  t.socket.open(io::tcp::v4(), ec);
  if (!ec) t.socket.bind(io::tcp::endpoint(source, 0), ec);
  if (!ec) std::tie(ec) = co_await t.socket.async_connect(server, io::kNoThrow);
  if (!ec) {
    t.connected = true;
    const Bytes prelude = trickle_prelude();
    std::tie(ec, std::ignore) =
        co_await io::asio::async_write(t.socket, io::asio::buffer(prelude), io::kNoThrow);
  }
  std::uint8_t sink[1024];
  while (!ec) {  // the server's multistream answers are ignored; a close ends the loop
    std::tie(ec, std::ignore) =
        co_await t.socket.async_read_some(io::asio::buffer(sink), io::kNoThrow);
  }
  t.closed = true;
  t.socket.close(ec);
  t.finished = true;
  if (t.on_closed) t.on_closed();
}

// Writes one byte to every live trickler every `interval` while `running`; sets `done` at the end.
io::Task<void> trickle_loop(std::vector<std::unique_ptr<Trickler>>& all, const bool& running,
                            Duration interval, bool& done) {
  io::asio::steady_timer timer(co_await io::asio::this_coro::executor);
  while (running) {
    timer.expires_after(interval);
    co_await timer.async_wait(io::kNoThrow);
    if (!running) break;
    for (auto& t : all) t->trickle();
  }
  done = true;
}

io::asio::ip::address loopback(int b, int c, int d) {
  return io::asio::ip::make_address_v4(static_cast<std::uint32_t>((127u << 24) | (b << 16) | (c << 8) | d));
}

class HostExhaustionTest : public HostFixture {
 protected:
  HostExhaustionTest() { raise_descriptor_limit(); }
  ~HostExhaustionTest() override {
    // Everything spawned here refers to members: let it end before they go.
    trickling_ = false;
    churning_ = false;
    for (auto& t : tricklers_) {
      boost::system::error_code ignored;
      t->socket.close(ignored);
    }
    EXPECT_TRUE(run_until(ctx_, [&] {
      return trickle_loop_done_ &&
             std::all_of(tricklers_.begin(), tricklers_.end(),
                         [](const auto& t) { return t->finished; });
    }));
  }

  static HostConfig patient_config(std::string agent) {
    auto config = testing::test_config(std::move(agent));
    config.handshake_step_timeout = kNeverStep;
    config.upgrade_timeout = kNeverUpgrade;
    return config;
  }

  // A server whose deadlines never free a slot during the test, and a good peer connected to it.
  void start() {
    server_ = &make_node(patient_config("server/1"));
    good_ = &make_node(patient_config("good/1"));
    ASSERT_TRUE(dial(*good_, server_->addr));
    ASSERT_TRUE(
        run_until(ctx_, [&] { return good_->identifies == 1 && server_->identifies == 1; }));
    ASSERT_TRUE(echo_works(*good_, *server_));
    server_endpoint_ = testing::endpoint_of(server_->addr.without_peer_id());
  }

  Trickler& add_trickler(io::asio::ip::address source) {
    tricklers_.push_back(std::make_unique<Trickler>(ctx_));
    Trickler& t = *tricklers_.back();
    io::asio::co_spawn(ctx_, run_trickler(t, source, server_endpoint_), io::asio::detached);
    return t;
  }

  void start_trickling() {
    trickling_ = true;
    trickle_loop_done_ = false;
    io::asio::co_spawn(ctx_, trickle_loop(tricklers_, trickling_, 100ms, trickle_loop_done_),
                       io::asio::detached);
  }

  // From now on the flooder re-opens every socket the server closes, at once, from `source`
  // (at most kMaxReopen times).
  void start_churn(io::asio::ip::address source) {
    churning_ = true;
    for (auto& t : tricklers_) {
      if (!t->finished) t->on_closed = [this, source] { reopen(source); };
    }
    // Two more (the first may take a free slot): one closes the oldest, which comes back and
    // closes the next oldest, and so on.
    reopen(source);
    reopen(source);
  }
  void reopen(io::asio::ip::address source) {
    constexpr std::size_t kMaxReopen = 20000;
    if (!churning_ || reopened_ >= kMaxReopen) return;
    ++reopened_;
    add_trickler(source).on_closed = [this, source] { reopen(source); };
  }

  std::size_t count(bool Trickler::*flag) const {
    return static_cast<std::size_t>(std::count_if(
        tricklers_.begin(), tricklers_.end(), [&](const auto& t) { return (*t).*flag; }));
  }
  std::size_t open_tricklers() const {
    return static_cast<std::size_t>(std::count_if(
        tricklers_.begin(), tricklers_.end(), [](const auto& t) { return t->connected && !t->closed; }));
  }

  void expect_good_peer_served() {
    EXPECT_EQ(good_->disconnects, 0);
    EXPECT_EQ(server_->disconnects, 0);
    EXPECT_NE(server_->host->connection(good_->host->peer_id()), nullptr);
    EXPECT_TRUE(echo_works(*good_, *server_));
    EXPECT_TRUE(echo_works(*server_, *good_));
  }

  Node* server_ = nullptr;
  Node* good_ = nullptr;
  io::tcp::endpoint server_endpoint_;
  std::vector<std::unique_ptr<Trickler>> tricklers_;
  bool trickling_ = false;
  bool trickle_loop_done_ = true;
  bool churning_ = false;
  std::size_t reopened_ = 0;
};

TEST_F(HostExhaustionTest, FiveHundredTricklingHandshakesDoNotLockANewPeerOut) {
  LogCapture log;
  start();
  // 500 tricklers from 50 addresses, 10 each (under the per-address bound): only the global
  // bound applies.
  constexpr std::size_t kTricklers = 500;
  static_assert(10 < kMaxPendingInboundPerAddress && kTricklers > kMaxPendingInbound);
  for (std::size_t i = 0; i < kTricklers; ++i) {
    add_trickler(loopback(0, 1, static_cast<int>(1 + i % 50)));
  }
  start_trickling();
  // Every trickler got in and the server made room by closing the oldest: it holds exactly
  // kMaxPendingInbound handshakes, and the rest were closed.
  constexpr std::size_t kEvicted = kTricklers - kMaxPendingInbound;
  ASSERT_TRUE(run_until(ctx_, [&] {
    return count(&Trickler::connected) == kTricklers && count(&Trickler::closed) == kEvicted &&
           server_->host->evicted_inbound() == kEvicted;
  })) << count(&Trickler::connected) << " connected, " << count(&Trickler::closed)
      << " closed, " << server_->host->evicted_inbound() << " evicted";
  EXPECT_EQ(server_->host->pending_inbound(), kMaxPendingInbound);
  // The survivors are the newest: the first kEvicted in accept order were closed. (Connects
  // complete in any order, so only count them.)
  EXPECT_EQ(open_tricklers(), kMaxPendingInbound);

  // A new peer gets in while the server is full of trickling handshakes that no deadline will
  // end during the test: its own handshake closed the oldest one.
  Node& newcomer = make_node(patient_config("newcomer/1"), false);
  auto c = dial(newcomer, server_->addr);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(echo_works(newcomer, *server_));
  EXPECT_EQ(server_->host->evicted_inbound(), kEvicted + 1);
  ASSERT_TRUE(run_until(ctx_, [&] { return count(&Trickler::closed) == kEvicted + 1; }));
  EXPECT_EQ(open_tricklers(), kMaxPendingInbound - 1) << "the stallers are still held open";
  EXPECT_EQ(server_->host->pending_inbound(), kMaxPendingInbound - 1);
  expect_good_peer_served();
  // One line for the whole burst, at WARN.
  auto lines = log.lines({"inbound handshakes at the limit"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("warning ", 0), 0u) << lines[0];
  EXPECT_TRUE(log.lines({"closed to make room"}).empty()) << "per-connection lines above DEBUG";
}

TEST_F(HostExhaustionTest, OneAddressReopeningAsFastAsSlotsFreeHoldsOnlyItsOwnShare) {
  LogCapture log;
  start();
  const auto flooder = loopback(0, 2, 1);
  constexpr std::size_t kTricklers = 100;
  for (std::size_t i = 0; i < kTricklers; ++i) add_trickler(flooder);
  start_trickling();
  constexpr std::size_t kEvicted = kTricklers - kMaxPendingInboundPerAddress;
  ASSERT_TRUE(run_until(ctx_, [&] {
    return count(&Trickler::connected) == kTricklers && server_->host->evicted_inbound() == kEvicted &&
           count(&Trickler::closed) == kEvicted;
  }));
  EXPECT_EQ(server_->host->pending_inbound(), kMaxPendingInboundPerAddress);

  // A peer from the flooding address itself still gets in (its handshake closes that address's
  // oldest), without touching anyone else's slots. (It stays connected to the end.)
  std::optional<Result<Upgraded>> upgraded;
  {
    auto identity = crypto::Ed25519KeyPair::generate();
    io::tcp::socket socket(ctx_);
    socket.open(io::tcp::v4());
    socket.bind(io::tcp::endpoint(flooder, 0));
    socket.connect(server_endpoint_);
    upgraded = run_task(
        ctx_, upgrade_outbound(Pipe(std::move(socket)),
                               UpgradeConfig{&identity, nullptr, kNeverStep, true, kNeverUpgrade},
                               server_->host->peer_id()));
    ASSERT_TRUE(upgraded && *upgraded) << "a peer sharing the flooder's address was locked out";
    const auto peer = wire::PeerId::from_public_key(identity.public_key());
    ASSERT_TRUE(run_until(ctx_, [&] { return server_->host->connection(peer) != nullptr; }));
    EXPECT_EQ(server_->host->evicted_inbound(), kEvicted + 1);
  }

  // Now the flooder re-opens every closed socket at once, as fast as the server frees them.
  start_churn(flooder);
  ASSERT_TRUE(run_until(ctx_, [&] { return reopened_ >= 50; }))
      << reopened_ << " reopened, " << server_->host->evicted_inbound() << " evicted, "
      << server_->host->pending_inbound() << " pending, " << open_tricklers() << " open";
  // A new peer from elsewhere gets in during the churn; the flooder never held more than its
  // share, so nobody else was closed for it.
  const auto evicted_before = server_->host->evicted_inbound();
  Node& newcomer = make_node(patient_config("newcomer/1"), false);
  auto c = dial(newcomer, server_->addr);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(echo_works(newcomer, *server_));
  EXPECT_GT(server_->host->evicted_inbound(), evicted_before) << "the churn was not going on";
  EXPECT_LE(server_->host->pending_inbound(), kMaxPendingInboundPerAddress);
  churning_ = false;
  expect_good_peer_served();
  EXPECT_EQ(log.lines({"inbound handshakes at the limit"}).size(), 1u);
}

TEST_F(HostExhaustionTest, ATricklingHandshakeEndsAtTheUpgradeDeadline) {
  LogCapture log;
  // Steps never time out (a byte arrives every 100 ms); the whole upgrade does.
  auto config = patient_config("server/1");
  config.upgrade_timeout = 300ms;
  server_ = &make_node(std::move(config));
  server_endpoint_ = testing::endpoint_of(server_->addr.without_peer_id());
  Trickler& t = add_trickler(loopback(0, 0, 1));
  start_trickling();
  ASSERT_TRUE(run_until(ctx_, [&] { return t.closed; }))
      << "a trickling handshake outlived the upgrade deadline";
  EXPECT_TRUE(t.connected);
  ASSERT_TRUE(run_until(ctx_, [&] {
    return !log.lines({"inbound connection from", "overall deadline"}).empty();
  }));
  EXPECT_EQ(server_->host->pending_inbound(), 0u);
  // The listener still works.
  Node& peer = make_node(patient_config("peer/1"), false);
  ASSERT_TRUE(dial(peer, server_->addr));
  EXPECT_TRUE(echo_works(peer, *server_));
}

TEST_F(HostExhaustionTest, AWrongSwarmKeyIsTurnedAwayAtOnceWithTheReasonLogged) {
  LogCapture log;
  const SecretBytes key(crypto::random_bytes(32));
  const SecretBytes other_key(crypto::random_bytes(32));
  auto with_key = [](const SecretBytes* k, std::string agent) {
    auto c = patient_config(std::move(agent));
    if (k) c.psk = *k;
    return c;
  };
  Node& server = make_node(with_key(&key, "server/1"));
  Node& member = make_node(with_key(&key, "member/1"), false);
  Node& outsider = make_node(with_key(&other_key, "outsider/1"));
  Node& public_peer = make_node(with_key(nullptr, "public/1"));
  ASSERT_TRUE(dial(member, server.addr));

  // No deadline could end these attempts during the test: each one fails on its first bytes.
  constexpr int kAttempts = 20;
  for (int i = 0; i < kAttempts; ++i) {
    auto r = run_task(ctx_, outsider.host->dial(server.addr));
    ASSERT_TRUE(r) << "attempt " << i << " hung";
    ASSERT_FALSE(*r) << "attempt " << i << " connected";
    EXPECT_NE(r->error(), Error::timeout) << r->error().message();
  }
  // The server says why, once per attempt, at INFO; so does the dialer.
  ASSERT_TRUE(run_until(ctx_, [&] {
    return log.lines({"inbound connection from", "another swarm key"}).size() ==
           static_cast<std::size_t>(kAttempts);
  })) << log.lines({"inbound connection from"}).size() << " inbound failures logged";
  for (const auto& line : log.lines({"inbound connection from"})) {
    EXPECT_EQ(line.rfind("info ", 0), 0u) << line;
    EXPECT_NE(line.find("another swarm key"), std::string::npos) << line;
  }
  EXPECT_EQ(log.lines({"dial", "failed during upgrade", "another swarm key"}).size(),
            static_cast<std::size_t>(kAttempts));

  // A peer without a key is recognised as such, both ways.
  auto none = run_task(ctx_, public_peer.host->dial(server.addr));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto reverse = run_task(ctx_, server.host->dial(public_peer.addr));
  ASSERT_TRUE(reverse) << "a private dialer hung on a public listener";
  EXPECT_FALSE(*reverse);
  EXPECT_NE(reverse->error(), Error::timeout);
  EXPECT_FALSE(log.lines({"does not use a private network"}).empty());

  EXPECT_EQ(outsider.connects + public_peer.connects, 0);
  ASSERT_EQ(server.host->connections().size(), 1u);
  EXPECT_TRUE(echo_works(member, server));
  EXPECT_EQ(member.disconnects, 0);
}

}  // namespace
}  // namespace ipfsa::p2p
