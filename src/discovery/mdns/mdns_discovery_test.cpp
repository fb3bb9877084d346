// MdnsDiscovery on real sockets. Multicast on port 5353 must not leak to (or from) the machine's
// network, so each test runs in a forked child inside a fresh network namespace with only `lo`
// (up, multicast on); the child's exit code is the verdict. Needs root (CAP_SYS_ADMIN): skipped
// otherwise.
#include "discovery/mdns/mdns_discovery.hpp"

#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

#include "crypto/ed25519.hpp"
#include "io/asio.hpp"
#include "io/testing.hpp"
#include "proto/mdns/discovery.hpp"
#include "proto/mdns/dns_message.hpp"

namespace ipfsa::discovery {
namespace {

namespace asio = io::asio;
using udp = asio::ip::udp;

constexpr int kSkip = 77;
constexpr Duration kDeadline = std::chrono::seconds(10);

// Runs `body` in a child process in a new network namespace; returns its exit code (kSkip when
// the namespace cannot be made).
int run_in_netns(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWNET) != 0) std::_Exit(kSkip);
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) std::_Exit(kSkip);
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_MULTICAST);
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) std::_Exit(kSkip);
    close(fd);
    std::exit(body());
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define EXPECT_IN_NETNS(...)                                                       \
  do {                                                                             \
    const int code = run_in_netns(__VA_ARGS__);                                    \
    if (code == kSkip) GTEST_SKIP() << "needs root to create a network namespace"; \
    EXPECT_EQ(code, 0) << "the child's stderr says why";                           \
  } while (0)

// Checks inside the child: prints and returns a non-zero code.
#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      return 1;                                                                     \
    }                                                                               \
  } while (0)

wire::PeerId new_peer() {
  return wire::PeerId::from_public_key(crypto::Ed25519KeyPair::generate().public_key());
}

bool run_until(asio::io_context& context, const std::function<bool()>& done) {
  return io::testing::run_until(context, done, kDeadline);
}

MdnsConfig fast() {
  MdnsConfig c;
  c.query_interval = std::chrono::milliseconds(100);
  c.min_response_interval = Duration::zero();
  return c;
}

using Seen = std::map<wire::PeerId, std::vector<std::vector<wire::Multiaddr>>>;

MdnsDiscovery::PeerHandler record(Seen& seen) {
  return [&seen](const wire::PeerId& id, const std::vector<wire::Multiaddr>& addrs) {
    seen[id].push_back(addrs);
  };
}

TEST(MdnsDiscoveryNet, TwoInstancesFindEachOther) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    const auto a = new_peer(), b = new_peer();
    const std::vector<wire::Multiaddr> a_addrs = {
        *wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/4001")};
    const std::vector<wire::Multiaddr> b_addrs = {
        *wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/4002"),
        *wire::Multiaddr::parse("/ip6/::1/tcp/4002/p2p/" + b.to_string())};
    Seen seen_by_a, seen_by_b;
    MdnsDiscovery da(
        context, a, [&] { return a_addrs; }, record(seen_by_a), fast());
    MdnsDiscovery db(
        context, b, [&] { return b_addrs; }, record(seen_by_b), fast());
    CHECK(da.start());
    CHECK(db.start());
    CHECK(da.running() && db.running());
    CHECK(da.peer_name() != db.peer_name());
    CHECK(run_until(context, [&] { return seen_by_a.contains(b) && seen_by_b.contains(a); }));
    CHECK(!seen_by_a.contains(a) && !seen_by_b.contains(b));  // never ourselves
    CHECK(seen_by_b[a].front() == a_addrs);
    CHECK(seen_by_a[b].front() ==
          (std::vector<wire::Multiaddr>{b_addrs[0], b_addrs[1].without_peer_id()}));
    return 0;
  });
}

// Counts the responses that announce `peer` on the group, as a third listener.
struct GroupListener {
  explicit GroupListener(asio::io_context& context) : socket(context) {
    socket.open(udp::v4());
    socket.set_option(udp::socket::reuse_address(true));
    socket.bind(udp::endpoint(asio::ip::address_v4::any(), kMdnsPort));
    socket.set_option(asio::ip::multicast::join_group(asio::ip::make_address_v4(kMdnsGroupV4),
                                                      asio::ip::address_v4::loopback()));
    receive();
  }
  void receive() {
    socket.async_receive_from(asio::buffer(buffer), from, [this](auto ec, std::size_t n) {
      if (ec) return;
      if (auto m = proto::mdns::decode(ByteView(buffer.data(), n)); m && m->is_response()) {
        for (auto& p : proto::mdns::parse_response(*m, self)) ++responses[p.id];
      }
      receive();
    });
  }
  udp::socket socket;
  udp::endpoint from;
  std::array<std::uint8_t, proto::mdns::kMaxMdnsPacketBytes> buffer{};
  wire::PeerId self = new_peer();
  std::map<wire::PeerId, int> responses;
};

TEST(MdnsDiscoveryNet, ReportsAPeerAgainOnlyWhenItsAddressesChange) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    GroupListener listener(context);
    const auto a = new_peer(), b = new_peer();
    std::vector<wire::Multiaddr> b_addrs = {*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/1")};
    Seen seen_by_a, unused;
    MdnsDiscovery da(
        context, a, [] { return std::vector{*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/2")}; },
        record(seen_by_a), fast());
    MdnsDiscovery db(
        context, b, [&] { return b_addrs; }, record(unused), fast());
    CHECK(da.start());
    CHECK(db.start());
    // B answers every query (A's and its own, 10 per second); A reports it once.
    CHECK(run_until(context, [&] { return listener.responses[b] >= 6; }));
    CHECK(seen_by_a[b].size() == 1u);
    b_addrs.push_back(*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/3"));
    CHECK(run_until(context, [&] { return seen_by_a[b].size() == 2u; }));
    CHECK(seen_by_a[b][1] == b_addrs);
    const int before = listener.responses[b];
    CHECK(run_until(context, [&] { return listener.responses[b] >= before + 6; }));
    CHECK(seen_by_a[b].size() == 2u);
    return 0;
  });
}

TEST(MdnsDiscoveryNet, AnswersALegacyQuerierByUnicastWithItsId) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    const auto a = new_peer();
    Seen unused;
    MdnsConfig config = fast();
    config.query_interval = std::chrono::hours(1);
    MdnsDiscovery da(
        context, a, [] { return std::vector{*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/7")}; },
        record(unused), config);
    CHECK(da.start());
    udp::socket querier(context, udp::endpoint(asio::ip::address_v4::loopback(), 0));
    const udp::endpoint group(asio::ip::make_address_v4(kMdnsGroupV4), kMdnsPort);
    querier.set_option(asio::ip::multicast::outbound_interface(asio::ip::address_v4::loopback()));
    // Garbage first: dropped without harm.
    const std::array<std::uint8_t, 3> junk{1, 2, 3};
    querier.send_to(asio::buffer(junk), group);
    Bytes query = proto::mdns::build_query();
    store_be16(query.data(), 0xBEEF);
    querier.send_to(asio::buffer(query), group);
    std::array<std::uint8_t, 2048> buffer{};
    std::optional<proto::mdns::Message> reply;
    udp::endpoint from;
    querier.async_receive_from(asio::buffer(buffer), from, [&](auto ec, std::size_t n) {
      if (!ec) reply = *proto::mdns::decode(ByteView(buffer.data(), n));
    });
    CHECK(run_until(context, [&] { return reply.has_value(); }));
    CHECK(reply->id == 0xBEEF);
    CHECK(reply->questions.size() == 1u &&
          reply->answers.at(0).ttl == proto::mdns::kLegacyTtlSeconds);
    const auto peers = proto::mdns::parse_response(*reply, new_peer());
    CHECK(peers.size() == 1u && peers[0].id == a);
    CHECK(peers[0].addrs.at(0).to_string() == "/ip4/127.0.0.1/tcp/7");
    return 0;
  });
}

TEST(MdnsDiscoveryNet, CoalescesQueriesInsideTheResponseInterval) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    GroupListener listener(context);
    listener.socket.set_option(
        asio::ip::multicast::outbound_interface(asio::ip::address_v4::loopback()));
    const auto a = new_peer();
    MdnsConfig config;
    config.query_interval = std::chrono::hours(1);
    config.min_response_interval = std::chrono::milliseconds(500);
    config.ipv6 = false;
    Seen unused;
    MdnsDiscovery da(
        context, a, [] { return std::vector{*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/7")}; },
        record(unused), config);
    CHECK(da.start());
    // A answers its own start-up query at once.
    CHECK(run_until(context, [&] { return listener.responses[a] == 1; }));
    const auto first = Clock::now();
    // A burst of queries from port 5353 inside the interval: one response, at its end.
    const udp::endpoint group(asio::ip::make_address_v4(kMdnsGroupV4), kMdnsPort);
    const Bytes query = proto::mdns::build_query();
    for (int i = 0; i < 5; ++i) listener.socket.send_to(asio::buffer(query), group);
    CHECK(run_until(context, [&] { return listener.responses[a] == 2; }));
    CHECK(Clock::now() - first >= std::chrono::milliseconds(400));
    // Nothing else is owed: no third response (this part has to wait).
    const auto end = Clock::now() + std::chrono::milliseconds(1200);
    while (Clock::now() < end) context.run_one_for(std::chrono::milliseconds(20));
    CHECK(listener.responses[a] == 2);
    return 0;
  });
}

TEST(MdnsDiscoveryNet, StopEndsCallbacksAndStartIsOnce) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    const auto a = new_peer(), b = new_peer();
    const std::vector<wire::Multiaddr> addrs = {*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/9")};
    int calls = 0;
    auto da = std::make_unique<MdnsDiscovery>(
        context, a, [&] { return addrs; },
        [&](const wire::PeerId&, const std::vector<wire::Multiaddr>&) { ++calls; }, fast());
    Seen unused;
    MdnsDiscovery db(
        context, b, [&] { return addrs; }, record(unused), fast());
    CHECK(da->start());
    CHECK(db.start());
    CHECK(run_until(context, [&] { return calls == 1; }));
    da->stop();
    CHECK(!da->running());
    CHECK(da->start().error() == Error::invalid_state);
    da.reset();
    // B keeps answering; A's sockets are closed and its handler is never called again.
    GroupListener listener(context);
    CHECK(run_until(context, [&] { return listener.responses[b] >= 3; }));
    CHECK(calls == 1);
    return 0;
  });
}

TEST(MdnsDiscoveryNet, HandlerMayDestroyTheDiscovery) {
  EXPECT_IN_NETNS([] {
    asio::io_context context;
    const auto a = new_peer(), b = new_peer();
    const std::vector<wire::Multiaddr> addrs = {*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/9")};
    std::unique_ptr<MdnsDiscovery> da;
    int calls = 0;
    da = std::make_unique<MdnsDiscovery>(
        context, a, [&] { return addrs; },
        [&](const wire::PeerId&, const std::vector<wire::Multiaddr>&) {
          ++calls;
          da.reset();  // from inside its own callback (ASan checks what follows)
        },
        fast());
    Seen unused;
    MdnsDiscovery db(
        context, b, [&] { return addrs; }, record(unused), fast());
    CHECK(da->start());
    CHECK(db.start());
    CHECK(run_until(context, [&] { return calls == 1; }));
    CHECK(da == nullptr);
    GroupListener listener(context);
    CHECK(run_until(context, [&] { return listener.responses[b] >= 3; }));
    CHECK(calls == 1);
    return 0;
  });
}

TEST(MdnsDiscovery, ReportsAPortItCannotShare) {
  asio::io_context context;
  udp::socket holder(context, udp::endpoint(asio::ip::address_v4::any(), 0));  // no SO_REUSEADDR
  MdnsConfig config;
  config.port = holder.local_endpoint().port();
  config.ipv6 = false;
  int calls = 0;
  MdnsDiscovery d(
      context, new_peer(), [] { return std::vector<wire::Multiaddr>{}; },
      [&](const wire::PeerId&, const std::vector<wire::Multiaddr>&) { ++calls; }, config);
  auto started = d.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), Error::io_failure);
  EXPECT_FALSE(d.running());
  d.stop();  // harmless
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace ipfsa::discovery
