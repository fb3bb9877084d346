// The swarm cache end to end in one process: real hosts on loopback, real stores, an in-memory
// upstream that counts calls.
#include "share/sharing.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "cache/test_util.hpp"
#include "p2p/host.hpp"
#include "p2p/testing/host_harness.hpp"
#include "share/rendezvous.hpp"
#include "share/signed_entry.hpp"
#include "wire/protobuf.hpp"

namespace ipfsa::share {
namespace {

namespace asio = io::asio;
using p2p::testing::test_config;

// Runs an io_context on its own thread for the whole test.
class IoThread {
 public:
  IoThread() : guard_(asio::make_work_guard(context)), thread_([this] { context.run(); }) {}
  ~IoThread() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    guard_.reset();
    context.stop();
    thread_.join();
  }
  // Runs `f` on the io thread and waits for its result.
  template <class F>
  auto call(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto future = task.get_future();
    asio::post(context, [&task] { task(); });
    return future.get();
  }
  asio::io_context context;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// GitHub as far as these tests care: answers every GET with a body naming the path, slowly
// enough that concurrent askers overlap.
// A TCP relay in front of a node: closes the first `refuse` connections as soon as it accepts them
// (as a Host admitting a burst of handshakes closes the oldest unfinished ones), and pipes later
// ones to the node. On the io thread.
class ClosingRelay {
 public:
  ClosingRelay(asio::io_context& context, std::uint16_t to_port, int refuse)
      : context_(context),
        acceptor_(context, {asio::ip::make_address("127.0.0.1"), 0}),
        to_({asio::ip::make_address("127.0.0.1"), to_port}),
        refuse_(refuse) {
    asio::co_spawn(context_, accept(), asio::detached);
  }
  wire::Multiaddr addr() const {
    return *wire::Multiaddr::tcp("127.0.0.1", acceptor_.local_endpoint().port());
  }
  int refused() const { return refused_; }
  void close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  using Socket = std::shared_ptr<asio::ip::tcp::socket>;
  io::Task<void> accept() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(io::kNoThrow);
      if (ec) co_return;
      if (refused_ < refuse_) {
        ++refused_;
        boost::system::error_code ignored;
        s.close(ignored);
        continue;
      }
      auto in = std::make_shared<asio::ip::tcp::socket>(std::move(s));
      auto out = std::make_shared<asio::ip::tcp::socket>(context_);
      auto [cec] = co_await out->async_connect(to_, io::kNoThrow);
      if (cec) continue;
      asio::co_spawn(context_, pipe(in, out), asio::detached);
      asio::co_spawn(context_, pipe(out, in), asio::detached);
    }
  }
  static io::Task<void> pipe(Socket from, Socket to) {
    std::array<std::uint8_t, 16384> buf;
    for (;;) {
      auto [rec, n] = co_await from->async_read_some(asio::buffer(buf), io::kNoThrow);
      if (rec) break;
      auto [wec, m] = co_await asio::async_write(*to, asio::buffer(buf.data(), n), io::kNoThrow);
      if (wec) break;
    }
    boost::system::error_code ignored;
    to->shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
  asio::io_context& context_;
  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::endpoint to_;
  int refuse_;
  int refused_ = 0;
};

struct FakeGitHub {
  std::atomic<int> calls{0};
  std::chrono::milliseconds latency{80};
  cache::Upstream for_path(std::string path) {
    return [this, path](const cache::ConditionalHeaders&) -> Result<cache::UpstreamResponse> {
      ++calls;
      std::this_thread::sleep_for(latency);
      return cache::UpstreamResponse{200, {{"etag", "\"v1\""}}, "{\"path\":\"" + path + "\"}"};
    };
  }
};

struct TestNode {
  TestNode(asio::io_context& context, FakeGitHub& github, SharingConfig config = {})
      : github_(github) {
    cache::StoreOptions o;
    o.file = dir.path() / "c.sqlite3";
    auto store = cache::Store::open(o);
    EXPECT_TRUE(store);
    cache = std::make_unique<cache::GitHubAPICache>(std::move(*store), cache::TtlPolicy(std::chrono::seconds(300)));
    host = std::make_unique<p2p::Host>(context, test_config("ipfs-accelerate/test"));
    sharing = std::make_unique<Sharing>(context, *host, *cache, host->config().identity, config);
  }
  // On the io thread.
  void start() {
    auto bound = host->listen(*wire::Multiaddr::tcp("127.0.0.1", 0));
    ASSERT_TRUE(bound);
    addr = bound->with_peer_id(host->peer_id());
    sharing->start([this](const Recipe& r) { return fetch_upstream(r); },
                   [this](Bytes a) {
                     if (on_publish) on_publish(a);
                     published.push_back(std::move(a));
                   },
                   [this](const std::string& resource, cache::WallTime) { limited.push_back(resource); });
  }
  // What the node's gateway does for a peer's request that reached it as the owner: the cache,
  // a fresh copy another member fetched meanwhile, then GitHub.
  Result<cache::EntryPtr> fetch_upstream(const Recipe& recipe) {
    auto key = recipe_key(recipe);
    if (!key) return key.error();
    auto lookup = cache->fetch(*key, github_.for_path(recipe.target),
                               [&](const cache::CacheKey& k, const cache::EntryPtr& stored) {
                                 return sharing->pull(k, recipe, stored, Sharing::PullScope::owner_copy);
                               });
    if (!lookup) return lookup.error();
    if (lookup->status == cache::CacheStatus::miss) sharing->announce_entry(*key, lookup->entry);
    return lookup->entry;
  }
  // What a local client's GET does: the cache, then the swarm, then GitHub.
  Result<cache::Lookup> get(const std::string& path) {
    const Recipe recipe = rest_recipe("api.github.com", path, "");
    auto key = recipe_key(recipe);
    if (!key) return key.error();
    auto lookup = cache->fetch(*key, github_.for_path(path),
                               [&](const cache::CacheKey& k, const cache::EntryPtr& stored) {
                                 return sharing->pull(k, recipe, stored);
                               });
    if (lookup && lookup->status == cache::CacheStatus::miss) sharing->announce_entry(*key, lookup->entry);
    return lookup;
  }

  FakeGitHub& github_;
  cache::testing::TempDir dir;
  std::unique_ptr<cache::GitHubAPICache> cache;
  std::unique_ptr<p2p::Host> host;
  std::unique_ptr<Sharing> sharing;
  wire::Multiaddr addr;
  std::vector<Bytes> published;  // io thread
  std::function<void(const Bytes&)> on_publish;  // io thread
  std::vector<std::string> limited;  // io thread: rate-limit notices about our token
};

class SwarmTest : public ::testing::Test {
 protected:
  // Starts n nodes, not connected. With `flood`, what a node publishes reaches every other node's
  // on_announcement at once (gossip without its mesh); without, it is only recorded.
  void start_nodes(int n, SharingConfig config = {}, bool flood = false) {
    for (int i = 0; i < n; ++i) nodes.push_back(std::make_unique<TestNode>(io.context, github, config));
    io.call([&] {
      for (auto& node : nodes) node->start();
      if (flood) {
        for (auto& node : nodes) {
          TestNode* from = node.get();
          from->on_publish = [this, from](const Bytes& a) {
            for (auto& other : nodes) {
              if (other.get() != from) other->sharing->on_announcement(from->host->peer_id(), a);
            }
          };
        }
      }
      return 0;
    });
  }
  void connect(std::size_t i, std::size_t j) {
    auto done = std::make_shared<std::promise<bool>>();
    asio::co_spawn(io.context, nodes[i]->host->dial(nodes[j]->addr),
                   [done](std::exception_ptr, auto r) { done->set_value(r.has_value()); });
    ASSERT_TRUE(done->get_future().get());
  }
  std::size_t members_of(std::size_t i) {
    return io.call([&] { return nodes[i]->sharing->members().size(); });
  }
  void make(int n, SharingConfig config = {}, bool flood = false) {
    start_nodes(n, config, flood);
    // Full mesh.
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      for (std::size_t j = i + 1; j < nodes.size(); ++j) connect(i, j);
    }
    ASSERT_TRUE(wait_for([&] {
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (members_of(i) != nodes.size()) return false;
      }
      return true;
    }));
  }
  // The limit only catches a hang (an ASan build on a saturated core is many times slower).
  static bool wait_for(const std::function<bool()>& done, Duration limit = std::chrono::seconds(120)) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }
  // A REST path under `prefix` whose key the member list of node 0 assigns to node `owner`.
  std::string path_owned_by(std::size_t owner, const std::string& prefix) {
    const auto members = io.call([&] { return nodes[0]->sharing->members(); });
    for (int i = 0;; ++i) {
      const std::string candidate = prefix + std::to_string(i);
      const auto key = *recipe_key(rest_recipe("api.github.com", candidate, ""));
      if (*owner_of(key.hash, members) == nodes[owner]->host->peer_id()) return candidate;
    }
  }
  // A REST path whose owner is node `owner` and whose successor (the next in rank) is node `next`.
  std::string path_ranked(std::size_t owner, std::size_t next, const std::string& prefix) {
    const auto members = io.call([&] { return nodes[0]->sharing->members(); });
    for (int i = 0;; ++i) {
      const std::string candidate = prefix + std::to_string(i);
      const auto key = *recipe_key(rest_recipe("api.github.com", candidate, ""));
      const auto ranked = rank_members(key.hash, members);
      if (ranked[0] == nodes[owner]->host->peer_id() && ranked[1] == nodes[next]->host->peer_id()) {
        return candidate;
      }
    }
  }
  void TearDown() override {
    for (auto& node : nodes) node->sharing->stop();
    io.call([&] {
      for (auto& node : nodes) node->host->close();
      return 0;
    });
    io.stop();
  }

  IoThread io;
  FakeGitHub github;
  std::vector<std::unique_ptr<TestNode>> nodes;
  std::unique_ptr<ClosingRelay> relay;  // destroyed after TearDown stopped the io thread
};

TEST_F(SwarmTest, TenConcurrentRequestsOverFiveNodesMakeOneUpstreamCall) {
  make(5);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 10; ++i) {
    clients.emplace_back([&, i] {
      auto r = nodes[static_cast<std::size_t>(i % 5)]->get("/repos/o/one");
      if (r && *r->entry->body == "{\"path\":\"/repos/o/one\"}") ++ok;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(github.calls, 1);
  // Every node now answers from its own store.
  for (auto& node : nodes) {
    auto again = node->get("/repos/o/one");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, cache::CacheStatus::hit);
  }
  EXPECT_EQ(github.calls, 1);
  // The owner fetched and announced; the others pulled it from the owner.
  std::uint64_t from_owner = 0, served_upstream = 0;
  for (auto& node : nodes) {
    const auto s = node->sharing->stats();
    from_owner += s.pulled_from_owner;
    served_upstream += s.served_upstream;
    EXPECT_EQ(s.rejected, 0u);
  }
  EXPECT_GE(from_owner, 4u);
  EXPECT_LE(served_upstream, 8u);
}

// A chain 0 - 1 - 2: node 0 and node 2 are not connected, yet every node names the same owner
// (the member exchange and the relayed newcomer record), and node 0 dials node 2 when it owns a
// key. Before the membership, node 0 computed owners over {0, 1} and node 2 over {1, 2}: two
// owners, two upstream calls.
TEST_F(SwarmTest, AChainAgreesOnOwnersAndDialsTheOwnerOnDemand) {
  start_nodes(3, {}, /*flood=*/true);
  connect(0, 1);
  connect(2, 1);
  ASSERT_TRUE(wait_for([&] { return members_of(0) == 3 && members_of(1) == 3 && members_of(2) == 3; }));
  const auto m0 = io.call([&] { return nodes[0]->sharing->members(); });
  EXPECT_EQ(m0, io.call([&] { return nodes[2]->sharing->members(); }));
  EXPECT_FALSE(io.call([&] { return nodes[0]->host->connection(nodes[2]->host->peer_id()) != nullptr; }));
  const std::string path = path_owned_by(2, "/repos/o/chain");
  for (std::size_t asker : {0u, 1u, 0u}) {
    auto r = nodes[asker]->get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->entry->body, "{\"path\":\"" + path + "\"}");
  }
  EXPECT_EQ(github.calls, 1);
  EXPECT_EQ(nodes[0]->sharing->stats().on_demand_dials, 1u);
  EXPECT_EQ(nodes[0]->sharing->stats().pulled_from_owner, 1u);
  EXPECT_EQ(nodes[2]->sharing->stats().served_upstream, 1u);
}

// Views that differ for a moment: node 0 has not heard of node 2 (no gossip here, and it met only
// node 1, before node 2 joined), so it takes node 1 for the owner of a key node 2 owns. Node 1
// passes the request on once; node 2 fetches; one upstream call. The forwarded request carries no
// hops left, so node 2 answers it whatever its view says.
TEST_F(SwarmTest, AMemberThatIsNotTheOwnerInItsViewForwardsOnce) {
  start_nodes(3);
  connect(0, 1);
  ASSERT_TRUE(wait_for([&] { return members_of(0) == 2 && members_of(1) == 2; }));
  connect(2, 1);
  ASSERT_TRUE(wait_for([&] { return members_of(1) == 3 && members_of(2) == 3; }));
  ASSERT_EQ(members_of(0), 2u);
  const std::string path = [&] {
    const auto all = io.call([&] { return nodes[1]->sharing->members(); });
    for (int i = 0;; ++i) {
      const std::string candidate = "/repos/o/fwd" + std::to_string(i);
      const auto key = *recipe_key(rest_recipe("api.github.com", candidate, ""));
      const auto ranked = rank_members(key.hash, all);
      if (ranked[0] == nodes[2]->host->peer_id() && ranked[1] == nodes[1]->host->peer_id()) return candidate;
    }
  }();
  auto r = nodes[0]->get(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(r->entry->origin, nodes[2]->host->peer_id().to_string());
  EXPECT_EQ(github.calls, 1);
  EXPECT_EQ(nodes[1]->sharing->stats().forwarded, 1u);
  EXPECT_EQ(nodes[1]->sharing->stats().served_upstream, 0u);
  EXPECT_EQ(nodes[2]->sharing->stats().served_upstream, 1u);
  EXPECT_EQ(nodes[2]->sharing->stats().forwarded, 0u);
}

// A member record that does not verify is refused and penalises whoever sent it.
TEST_F(SwarmTest, AForgedMemberRecordIsRejected) {
  start_nodes(2);
  const auto other = crypto::Ed25519KeyPair::generate();
  auto forged = sign_member_record(other, cache::wall_now().time_since_epoch().count(),
                                   {*wire::Multiaddr::tcp("127.0.0.1", 9)});
  forged.peer = nodes[1]->host->peer_id();  // in node 1's name, signed by someone else
  const Bytes a = encode_announcement(Announcement{kAnnouncementVersion, 1, forged});
  const auto verdict = io.call([&] { return nodes[0]->sharing->on_announcement(nodes[1]->host->peer_id(), a); });
  EXPECT_EQ(verdict, Verdict::reject);
  EXPECT_EQ(members_of(0), 1u);
  EXPECT_EQ(nodes[0]->sharing->stats().rejected, 1u);
}

TEST_F(SwarmTest, EntriesFromPeersKeepTheirOriginAndVerify) {
  make(3);
  const std::string path = "/repos/o/origin";
  const auto key = *recipe_key(rest_recipe("api.github.com", path, ""));
  const auto owner = *owner_of(key.hash, io.call([&] { return nodes[0]->sharing->members(); }));
  TestNode* asker = nullptr;
  for (auto& n : nodes) {
    if (!(n->host->peer_id() == owner)) asker = n.get();
  }
  ASSERT_NE(asker, nullptr);
  auto r = asker->get(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(r->entry->origin, owner.to_string());
  EXPECT_TRUE(verify_entry(*r->entry, key.hash));
  EXPECT_EQ(asker->cache->stats().peer_hits, 1u);
}

TEST_F(SwarmTest, ADeadOwnerCostsNoMoreThanItsDeadline) {
  SharingConfig config;
  config.owner_timeout = std::chrono::milliseconds(300);
  make(3, config);
  // Find a key owned by node 2 whose successor is node 1, then make node 2 unresponsive (its
  // handler never answers).
  const std::string path = path_ranked(2, 1, "/repos/o/k");
  io.call([&] {
    nodes[2]->host->set_stream_handler(std::string(kCacheProtocol), [](p2p::Stream s) -> io::Task<void> {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(120));
      co_await t.async_wait(io::kNoThrow);
      s.reset();
    });
    return 0;
  });
  const auto start = Clock::now();
  auto r = nodes[0]->get(path);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r);
  // The successor took over: node 1 (whose own view still named node 2, so it tried it once
  // itself) fetched, and node 0 got the entry from it. One upstream call in the swarm.
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(github.calls, 1);
  // Correct: two owner timeouts (300 ms each) plus one upstream call. Broken (waiting for the
  // silent owner): 120 s. The bound sits far from both.
  EXPECT_LT(took, std::chrono::seconds(30));
  const auto asker = nodes[0]->sharing->stats();
  EXPECT_EQ(asker.owner_timeouts, 1u);
  EXPECT_EQ(asker.pulled_from_successor, 1u);
  const auto successor = nodes[1]->sharing->stats();
  EXPECT_EQ(successor.forwarded, 1u);
  EXPECT_EQ(successor.owner_unreachable, 1u);
  EXPECT_EQ(successor.served_upstream, 1u);
  // Both now leave node 2 out of their lists until it states itself again, and agree on that.
  const auto members0 = io.call([&] { return nodes[0]->sharing->members(); });
  const auto members1 = io.call([&] { return nodes[1]->sharing->members(); });
  EXPECT_EQ(members0.size(), 2u);
  EXPECT_EQ(members0, members1);
}

// The owner's successor fetched a key while the owner was away (restarting, or unreachable for a
// moment) and announced it. The owner, back and asked again, takes that copy back instead of
// calling GitHub a second time within its TTL: for a peer's request and for its own client's.
TEST_F(SwarmTest, AReturningOwnerTakesBackTheCopyItsSuccessorFetched) {
  make(4, {}, /*flood=*/true);
  const std::string asked = path_ranked(2, 1, "/repos/o/back");
  const std::string own = path_ranked(2, 1, "/repos/o/own");
  const auto fetch_as_successor = [&](const std::string& path) {
    auto fetched = nodes[1]->fetch_upstream(rest_recipe("api.github.com", path, ""));
    ASSERT_TRUE(fetched);
  };
  fetch_as_successor(asked);
  fetch_as_successor(own);
  ASSERT_EQ(github.calls, 2);
  // Node 3 asks the owner (node 2), who holds nothing: it takes node 1's copy.
  auto r = nodes[3]->get(asked);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(*r->entry->body, "{\"path\":\"" + asked + "\"}");
  // The owner's own client asks for the other key.
  auto mine = nodes[2]->get(own);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, cache::CacheStatus::peer);
  EXPECT_EQ(github.calls, 2);
  EXPECT_EQ(nodes[2]->sharing->stats().taken_back, 2u);
  // The owner keeps the copies: asked again, it answers from its store.
  EXPECT_EQ(nodes[2]->get(asked)->status, cache::CacheStatus::hit);
  EXPECT_EQ(nodes[0]->get(asked)->status, cache::CacheStatus::peer);
  EXPECT_EQ(github.calls, 2);
}

// An owner we must dial on demand closes our first two connections during the handshake (it is
// admitting a burst of dials): we dial again after a short pause and ask it, rather than count it
// as gone and turn to its successor.
TEST_F(SwarmTest, AnOwnerThatClosesOurFirstDialsIsDialledAgain) {
  start_nodes(3);
  // All three meet (the member exchange), then node 0 drops its connection to node 1, so that it
  // must dial node 1 on demand, through the relay. (No gossip here: no heartbeat brings node 1's
  // real address back into node 0's address book meanwhile.)
  connect(1, 2);
  connect(0, 2);
  connect(0, 1);
  ASSERT_TRUE(wait_for([&] { return members_of(0) == 3 && members_of(1) == 3; }));
  const auto owner_id = nodes[1]->host->peer_id();
  io.call([&] {
    nodes[0]->host->connection(owner_id)->close(make_error_code(Error::cancelled));
    return 0;
  });
  ASSERT_TRUE(wait_for([&] {
    return io.call([&] { return !nodes[0]->host->connection(owner_id) && !nodes[1]->host->connection(nodes[0]->host->peer_id()); });
  }));
  const std::string path = path_owned_by(1, "/repos/o/redial");
  const auto port = nodes[1]->addr.tcp_target()->port;
  io.call([&] {
    relay = std::make_unique<ClosingRelay>(io.context, port, 2);
    nodes[0]->host->address_book().remove(nodes[1]->host->peer_id());
    nodes[0]->host->address_book().add(nodes[1]->host->peer_id(), {relay->addr()});
    return 0;
  });
  auto r = nodes[0]->get(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(github.calls, 1);
  EXPECT_EQ(io.call([&] { return relay->refused(); }), 2);
  const auto asker = nodes[0]->sharing->stats();
  EXPECT_EQ(asker.owner_unreachable, 0u);
  EXPECT_EQ(asker.pulled_from_owner, 1u);
  EXPECT_EQ(asker.on_demand_dials, 1u);
  EXPECT_EQ(nodes[1]->sharing->stats().served_upstream, 1u);
  io.call([&] {
    relay->close();
    return 0;
  });
}

// A member that announced a copy and no longer has it (its store was cleared) answers "not
// found": the owner asks it once and then fetches itself. Nothing is lost, one call more.
TEST_F(SwarmTest, AnOwnerWhoseHolderLostTheCopyFetchesItself) {
  make(3, {}, /*flood=*/true);
  const std::string path = path_ranked(2, 1, "/repos/o/lost");
  ASSERT_TRUE(nodes[1]->fetch_upstream(rest_recipe("api.github.com", path, "")));
  ASSERT_TRUE(nodes[1]->cache->clear());
  auto r = nodes[0]->get(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, cache::CacheStatus::peer);
  EXPECT_EQ(github.calls, 2);
  EXPECT_EQ(nodes[2]->sharing->stats().taken_back, 0u);
  EXPECT_EQ(nodes[2]->sharing->stats().served_upstream, 1u);
}

// stop() releases a caller blocked on a silent owner at once, whatever the owner deadline.
TEST_F(SwarmTest, StopReleasesAPullWaitingForASilentOwner) {
  SharingConfig config;
  config.owner_timeout = std::chrono::seconds(120);
  config.fetch_timeout = std::chrono::seconds(120);
  make(2, config);
  const std::string path = path_owned_by(1, "/repos/o/s");
  auto asked = std::make_shared<std::promise<void>>();
  io.call([&] {
    nodes[1]->host->set_stream_handler(
        std::string(kCacheProtocol), [asked](p2p::Stream s) -> io::Task<void> {
          asked->set_value();
          asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(300));
          co_await t.async_wait(io::kNoThrow);
          s.reset();
        });
    return 0;
  });
  const Recipe recipe = rest_recipe("api.github.com", path, "");
  const auto key = *recipe_key(recipe);
  auto pulled = std::async(std::launch::async,
                           [&] { return nodes[0]->sharing->pull(key, recipe, nullptr); });
  ASSERT_EQ(asked->get_future().wait_for(std::chrono::seconds(120)), std::future_status::ready);
  nodes[0]->sharing->stop();
  // Broken: the caller waits out the 120 s owner deadline. The bound sits far from both.
  ASSERT_EQ(pulled.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(pulled.get(), nullptr);
}

// `stored` is our expired copy: an entry from the swarm fetched no later than it is no news.
TEST_F(SwarmTest, APulledEntryMustBeNewerThanTheStoredOne) {
  make(2);
  const std::string path = path_owned_by(1, "/repos/o/n");
  const Recipe recipe = rest_recipe("api.github.com", path, "");
  const auto key = *recipe_key(recipe);
  const auto at = [](cache::WallTime t) {
    auto e = cache::make_entry(200, {{"etag", "\"v0\""}}, "{}", t, t + std::chrono::seconds(1));
    EXPECT_TRUE(e);
    return std::make_shared<const cache::Entry>(std::move(*e));
  };
  const auto later = at(cache::wall_now() + std::chrono::hours(1));
  EXPECT_EQ(nodes[0]->sharing->pull(key, recipe, later), nullptr);  // the owner fetched it now
  EXPECT_EQ(github.calls, 1);
  const auto older = at(cache::wall_now() - std::chrono::hours(1));
  auto got = nodes[0]->sharing->pull(key, recipe, older);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got->body, "{\"path\":\"" + path + "\"}");
  EXPECT_EQ(github.calls, 1);  // the owner served its cached copy
}

// A member that serves a body that does not match the CID it signed: rejected, not stored, and
// after kMaxOffences the liar is disconnected.
TEST_F(SwarmTest, ABodyNotMatchingItsCidIsRejectedAndTheSenderCutOff) {
  SharingConfig config;
  config.max_offences = 2;
  make(2, config);
  TestNode& liar = *nodes[1];
  io.call([&] {
    liar.host->set_stream_handler(std::string(kCacheProtocol), [&liar](p2p::Stream s) -> io::Task<void> {
      auto in = co_await s.read_length_prefixed(kMaxRequestBytes);
      if (!in) co_return;
      auto request = decode_request(*in);
      auto made = cache::make_entry(200, {}, "{\"honest\":true}", cache::wall_now(),
                                    cache::wall_now() + std::chrono::minutes(5));
      auto signed_entry = sign_entry(*made, request->key_hash, liar.host->config().identity,
                                     liar.host->peer_id());
      Response response;
      response.status = ResponseStatus::ok;
      cache::Entry tampered = *signed_entry;
      tampered.body = std::make_shared<const std::string>("{\"honest\":false}");
      // Meta without the store's XXH3 check, so only the CID can catch the swap.
      cache::Entry meta_only = tampered;
      meta_only.body = nullptr;
      response.meta = cache::encode_meta(meta_only);
      Bytes out = frame(encode_response(response));
      append(out, frame(as_bytes(*tampered.body)));
      (void)co_await s.write(out);
      (void)s.close_write();
    });
    return 0;
  });
  int rejected_paths = 0;
  for (int i = 0; i < 40 && rejected_paths < 2; ++i) {
    const std::string path = "/repos/liar/" + std::to_string(i);
    const auto key = *recipe_key(rest_recipe("api.github.com", path, ""));
    const auto members = io.call([&] { return nodes[0]->sharing->members(); });
    if (members.size() < 2 || !(*owner_of(key.hash, members) == liar.host->peer_id())) continue;
    auto r = nodes[0]->get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, cache::CacheStatus::miss);  // fell back to GitHub
    EXPECT_EQ(*r->entry->body, "{\"path\":\"" + path + "\"}");
    ++rejected_paths;
  }
  EXPECT_EQ(rejected_paths, 2);
  EXPECT_EQ(nodes[0]->sharing->stats().rejected, 2u);
  EXPECT_TRUE(wait_for([&] {
    return io.call([&] { return nodes[0]->host->connection(liar.host->peer_id()) == nullptr; });
  }));
}

TEST_F(SwarmTest, ForgedAndMalformedAnnouncementsAreRejected) {
  make(2);
  const auto a = nodes[0]->host->peer_id();
  const auto b = nodes[1]->host->peer_id();
  EntryAnnouncement e{std::string(64, 'a'), "bafkreiexample", "", 1, 2, 3, b.to_string()};
  const Bytes in_bs_name = encode_announcement({kAnnouncementVersion, 1, e});
  auto verdicts = io.call([&] {
    std::vector<Verdict> v;
    v.push_back(nodes[0]->sharing->on_announcement(a, in_bs_name));   // a speaking for b
    v.push_back(nodes[0]->sharing->on_announcement(b, in_bs_name));   // b itself
    v.push_back(nodes[0]->sharing->on_announcement(b, Bytes{1, 2, 3}));
    Bytes newer = in_bs_name;
    newer[1] = 7;  // version 7
    v.push_back(nodes[0]->sharing->on_announcement(b, newer));
    v.push_back(nodes[0]->sharing->on_announcement(
        b, encode_announcement({kAnnouncementVersion, 1, Invalidation{"DELETE everything"}})));
    return v;
  });
  EXPECT_EQ(verdicts, (std::vector<Verdict>{Verdict::reject, Verdict::accept, Verdict::reject,
                                            Verdict::ignore, Verdict::reject}));
}

TEST_F(SwarmTest, InvalidationsAndRateLimitNoticesAct) {
  SharingConfig config;
  config.token_fingerprint = std::string(32, 'f');
  make(2, config);
  ASSERT_TRUE(nodes[0]->get("/repos/o/r/issues"));
  ASSERT_TRUE(nodes[0]->get("/repos/o/rx"));
  const auto b = nodes[1]->host->peer_id();
  io.call([&] {
    const auto inv = encode_announcement({kAnnouncementVersion, 1, Invalidation{"GET api.github.com/repos/o/r"}});
    EXPECT_EQ(nodes[0]->sharing->on_announcement(b, inv), Verdict::accept);
    const auto soon = cache::wall_now() + std::chrono::minutes(10);
    const auto notice = encode_announcement(
        {kAnnouncementVersion, 1, RateLimitNotice{std::string(32, 'f'), soon.time_since_epoch().count(), "core"}});
    EXPECT_EQ(nodes[0]->sharing->on_announcement(b, notice), Verdict::accept);
    const auto other = encode_announcement(
        {kAnnouncementVersion, 1, RateLimitNotice{std::string(32, 'e'), soon.time_since_epoch().count(), "search"}});
    EXPECT_EQ(nodes[0]->sharing->on_announcement(b, other), Verdict::accept);
    return 0;
  });
  EXPECT_EQ(io.call([&] { return nodes[0]->limited; }), std::vector<std::string>{"core"});
  EXPECT_TRUE(wait_for([&] {
    const auto key = *recipe_key(rest_recipe("api.github.com", "/repos/o/r/issues", ""));
    auto e = nodes[0]->cache->get_stale(key);
    return !e || !*e;
  }));
  const auto kept = *recipe_key(rest_recipe("api.github.com", "/repos/o/rx", ""));
  auto e = nodes[0]->cache->get_stale(kept);
  EXPECT_TRUE(e && *e);  // "/repos/o/r" does not reach "/repos/o/rx"
}

}  // namespace
}  // namespace ipfsa::share
