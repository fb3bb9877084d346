// Upstream calls for the whole swarm: P peers in one process (real hosts on loopback, real
// stores, full mesh), each requesting the same K keys concurrently through the cache and the
// swarm, against an in-memory GitHub with a fixed latency. The target (issue 4) is exactly one
// upstream call per key: P x K requests must cost K calls. Also prints the request latency.
//
//   build/release/bench/swarm/swarm_bench [--peers 10] [--keys 100] [--latency-ms 50]
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "cache/github_api_cache.hpp"
#include "p2p/host.hpp"
#include "share/cache_protocol.hpp"
#include "share/sharing.hpp"

using namespace ipfsa;
namespace asio = io::asio;

namespace {

struct Options {
  int peers = 10;
  int keys = 100;
  int latency_ms = 50;
};

struct BenchNode {
  std::filesystem::path dir;
  std::unique_ptr<cache::GitHubAPICache> cache;
  std::unique_ptr<p2p::Host> host;
  std::unique_ptr<share::Sharing> sharing;
  wire::Multiaddr addr;
};

std::atomic<int> g_calls{0};

cache::Upstream upstream_for(std::string path, int latency_ms) {
  return [path, latency_ms](const cache::ConditionalHeaders&) -> Result<cache::UpstreamResponse> {
    ++g_calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
    return cache::UpstreamResponse{200, {{"etag", "\"v1\""}}, "{\"path\":\"" + path + "\"}"};
  };
}

template <class F>
auto on_io(asio::io_context& io, F f) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto future = task.get_future();
  asio::post(io, [&task] { task(); });
  return future.get();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--peers") o.peers = std::clamp(value, 2, 64);
    if (flag == "--keys") o.keys = std::clamp(value, 1, 10000);
    if (flag == "--latency-ms") o.latency_ms = std::clamp(value, 0, 5000);
  }
  spdlog::set_level(spdlog::level::warn);
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  const auto base = std::filesystem::temp_directory_path() / ("swarm_bench." + std::to_string(getpid()));
  std::vector<std::unique_ptr<BenchNode>> nodes;
  for (int i = 0; i < o.peers; ++i) {
    auto n = std::make_unique<BenchNode>();
    n->dir = base / std::to_string(i);
    std::filesystem::create_directories(n->dir);
    cache::StoreOptions so;
    so.file = n->dir / "c.sqlite3";
    auto store = cache::Store::open(so);
    if (!store) {
      std::fprintf(stderr, "store: %s\n", store.error().c_str());
      return 1;
    }
    n->cache = std::make_unique<cache::GitHubAPICache>(std::move(*store), cache::TtlPolicy(std::chrono::seconds(600)));
    p2p::HostConfig hc{crypto::Ed25519KeyPair::generate(), std::nullopt, "ipfs-accelerate/bench"};
    n->host = std::make_unique<p2p::Host>(io, std::move(hc));
    n->sharing = std::make_unique<share::Sharing>(io, *n->host, *n->cache, n->host->config().identity);
    nodes.push_back(std::move(n));
  }
  on_io(io, [&] {
    for (auto& n : nodes) {
      n->addr = n->host->listen(*wire::Multiaddr::tcp("127.0.0.1", 0))->with_peer_id(n->host->peer_id());
      BenchNode* self = n.get();
      const int latency = o.latency_ms;
      n->sharing->start(
          [self, latency](const share::Recipe& r) -> Result<cache::EntryPtr> {
            auto key = share::recipe_key(r);
            if (!key) return key.error();
            auto l = self->cache->fetch(*key, upstream_for(r.target, latency));
            if (!l) return l.error();
            return l->entry;
          },
          [](Bytes) {});
    }
    return 0;
  });
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (std::size_t j = i + 1; j < nodes.size(); ++j) {
      std::promise<bool> done;
      asio::co_spawn(io, nodes[i]->host->dial(nodes[j]->addr),
                     [&done](std::exception_ptr, auto r) { done.set_value(r.has_value()); });
      if (!done.get_future().get()) {
        std::fprintf(stderr, "dial failed\n");
        return 1;
      }
    }
  }
  const auto mesh_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (on_io(io, [&] {
    for (auto& n : nodes) {
      if (n->sharing->members().size() != nodes.size()) return true;
    }
    return false;
  })) {
    if (std::chrono::steady_clock::now() > mesh_deadline) {
      std::fprintf(stderr, "mesh did not form\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // Every peer requests every key, all at once: one thread per (peer, key) slice.
  std::vector<std::thread> clients;
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(o.peers));
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  for (int p = 0; p < o.peers; ++p) {
    for (int lane = 0; lane < 10; ++lane) {
      clients.emplace_back([&, p, lane] {
        BenchNode& n = *nodes[static_cast<std::size_t>(p)];
        for (int k = lane; k < o.keys; k += 10) {
          const std::string path = "/repos/bench/r" + std::to_string(k);
          const share::Recipe recipe = share::rest_recipe("api.github.com", path, "");
          auto key = share::recipe_key(recipe);
          const auto t0 = std::chrono::steady_clock::now();
          auto l = n.cache->fetch(*key, upstream_for(path, o.latency_ms),
                                  [&](const cache::CacheKey& kk, const cache::EntryPtr& stored) {
                                    return n.sharing->pull(kk, recipe, stored);
                                  });
          const auto t1 = std::chrono::steady_clock::now();
          if (!l) ++failures;
          static std::mutex m;
          std::lock_guard lock(m);
          latencies[static_cast<std::size_t>(p)].push_back(
              std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      });
    }
  }
  for (auto& t : clients) t.join();
  const double total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double q) { return all.empty() ? 0.0 : all[static_cast<std::size_t>(q * (all.size() - 1))]; };

  const int calls = g_calls.load();
  std::printf("swarm: %d peers x %d keys requested concurrently, upstream latency %d ms\n", o.peers,
              o.keys, o.latency_ms);
  std::printf("  upstream calls      %6d   target %d (one per key)   ratio %.2f  %s\n", calls,
              o.keys, static_cast<double>(calls) / o.keys, calls == o.keys ? "MET" : "MISSED");
  std::printf("  requests            %6zu   failures %d   wall %.0f ms\n", all.size(), failures.load(),
              total_ms);
  std::printf("  request latency     p50 %.1f ms   p99 %.1f ms   max %.1f ms\n", pct(0.5), pct(0.99),
              pct(1.0));

  for (auto& n : nodes) n->sharing->stop();
  on_io(io, [&] {
    for (auto& n : nodes) n->host->close();
    return 0;
  });
  guard.reset();
  io.stop();
  io_thread.join();
  nodes.clear();
  std::filesystem::remove_all(base);
  return calls == o.keys && failures == 0 ? 0 : 1;
}
