// cache_bench: the cache engine's latency beside Redis GET on the same machine (issue 3, item 5).
//   1. hot lookup: GitHubAPICache::fetch() of a fresh 4 KiB entry (precomputed key), and with the
//      key built from the request (rest_key + fetch), p50/p99.
//   2. a 1M-entry store: build (once; reused if present), open time, RSS, index-only lookup and
//      get() p50 for random keys.
//   3. Redis GET p50 (1 client, 4 KiB values) from redis-benchmark against a redis-server started
//      here on a free loopback port; the anchor from docs (55 us) if redis is not installed.
// Options: --entries N (default 1000000), --dir PATH (default $TMPDIR/ipfsa-cache-bench),
//          --no-redis.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cache/github_api_cache.hpp"

namespace {

using namespace ipfsa::cache;
using Steady = std::chrono::steady_clock;

constexpr double kRedisAnchorP50Us = 55.0;  // docs anchors 2.6: Redis 7.0.15 GET, 1 client
constexpr int kHotKeys = 1000;
constexpr int kHotLookups = 200000;
constexpr int kStoreLookups = 200000;
constexpr std::size_t kHotBody = 4096;
constexpr std::size_t kStoreBody = 200;

struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
};

Percentiles percentiles(std::vector<double>& ns) {
  std::sort(ns.begin(), ns.end());
  return {ns[ns.size() / 2] / 1000.0, ns[ns.size() * 99 / 100] / 1000.0};
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

CacheKey bench_key(std::size_t i) {
  RestRequest r;
  const std::string target =
      "/repos/bench/repo-" + std::to_string(i % 997) + "/issues/" + std::to_string(i);
  r.target = target;
  return *rest_key(r);
}

Upstream body_of(std::size_t size) {
  return [size](const ConditionalHeaders&) -> ipfsa::Result<UpstreamResponse> {
    return UpstreamResponse{
        200, {{"content-type", "application/json"}, {"etag", "\"x\""}}, std::string(size, 'b')};
  };
}

double hot_lookups(const std::filesystem::path& dir) {
  std::filesystem::remove_all(dir / "hot");
  Config config;
  config.dir = dir / "hot";
  auto cache = GitHubAPICache::open(config);
  if (!cache) {
    std::fprintf(stderr, "%s\n", cache.error().c_str());
    std::exit(1);
  }
  std::vector<CacheKey> keys;
  for (int i = 0; i < kHotKeys; ++i) {
    keys.push_back(bench_key(static_cast<std::size_t>(i)));
    (void)(*cache)->fetch(keys.back(), body_of(kHotBody));
  }
  const Upstream never = [](const ConditionalHeaders&) -> ipfsa::Result<UpstreamResponse> {
    std::fprintf(stderr, "unexpected upstream call\n");
    std::exit(1);
  };
  std::vector<double> ns;
  ns.reserve(kHotLookups);
  std::mt19937 rng(1);
  for (int i = 0; i < kHotLookups; ++i) {
    const auto& key = keys[rng() % keys.size()];
    const auto t0 = Steady::now();
    auto r = (*cache)->fetch(key, never);
    const auto t1 = Steady::now();
    if (!r || r->status != CacheStatus::hit) std::exit(1);
    ns.push_back(static_cast<double>((t1 - t0).count()));
  }
  const auto hot = percentiles(ns);
  ns.clear();
  for (int i = 0; i < kHotLookups / 4; ++i) {
    const std::string target = "/repos/bench/repo-" + std::to_string((i % kHotKeys) % 997) +
                               "/issues/" + std::to_string(i % kHotKeys);
    const auto t0 = Steady::now();
    RestRequest req;
    req.target = target;
    auto key = rest_key(req);
    auto r = (*cache)->fetch(*key, never);
    const auto t1 = Steady::now();
    if (!r) std::exit(1);
    ns.push_back(static_cast<double>((t1 - t0).count()));
  }
  const auto with_key = percentiles(ns);
  std::printf(
      "hot lookup, fetch() hit, 4 KiB body:          p50 %6.2f us  p99 %6.2f us  (target p50 < 5 "
      "us)\n",
      hot.p50_us, hot.p99_us);
  std::printf("hot lookup incl. rest_key() from the request: p50 %6.2f us  p99 %6.2f us\n",
              with_key.p50_us, with_key.p99_us);
  return hot.p50_us;
}

Config store_config(const std::filesystem::path& dir, std::size_t entries) {
  Config config;
  config.dir = dir / ("store-" + std::to_string(entries));
  config.max_entries = std::max<std::uint64_t>(entries, kDefaultMaxEntries);
  return config;
}

// Builds the store in a child process so the measuring process starts small.
void build_store(const std::filesystem::path& dir, std::size_t entries) {
  const Config config = store_config(dir, entries);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid != 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::exit(1);
    return;
  }
  {
    auto cache = GitHubAPICache::open(config);
    if (!cache) {
      std::fprintf(stderr, "%s\n", cache.error().c_str());
      std::exit(1);
    }
    const auto have = (*cache)->stats().total_entries;
    if (have < entries) {
      std::printf("building a %zu-entry store in %s (once; reused by later runs)...\n", entries,
                  config.dir.c_str());
      const auto t0 = Steady::now();
      for (std::size_t i = have; i < entries; ++i) {
        const auto key = bench_key(i);
        auto r = (*cache)->put(
            key, UpstreamResponse{200, {{"etag", "\"e\""}}, std::string(kStoreBody, 'v')});
        if (!r || !r->stored) {
          std::fprintf(stderr, "put %zu failed\n", i);
          std::exit(1);
        }
      }
      const double s = std::chrono::duration<double>(Steady::now() - t0).count();
      std::printf("  %zu puts in %.1f s: %.0f puts/s (one transaction each)\n", entries - have, s,
                  static_cast<double>(entries - have) / s);
    }
  }
  std::fflush(stdout);
  ::_exit(0);
}

std::pair<double, double> big_store(const std::filesystem::path& dir, std::size_t entries) {
  const Config config = store_config(dir, entries);
  const long rss_before = rss_kib();
  const auto t0 = Steady::now();
  auto cache = GitHubAPICache::open(config);
  const double open_s = std::chrono::duration<double>(Steady::now() - t0).count();
  if (!cache) std::exit(1);
  const long rss_open = rss_kib();
  std::printf("%zu-entry store: open %.3f s (target < 1 s), %llu entries, %.0f MiB of entries\n",
              entries, open_s, static_cast<unsigned long long>((*cache)->stats().total_entries),
              static_cast<double>((*cache)->stats().total_size_bytes) / (1 << 20));
  std::printf(
      "  RSS %ld MiB before open, +%ld MiB after (index; bound ~64 B x max_entries = %llu MiB)\n",
      rss_before / 1024, (rss_open - rss_before) / 1024,
      static_cast<unsigned long long>(config.max_entries * 64 / (1 << 20)));
  std::mt19937_64 rng(2);
  std::vector<std::size_t> sample;
  for (int i = 0; i < kStoreLookups; ++i) sample.push_back(rng() % entries);
  std::vector<double> ns;
  ns.reserve(kStoreLookups);
  for (const std::size_t i : sample) {
    const auto key = bench_key(i);
    const auto t0 = Steady::now();
    auto meta = (*cache)->store().peek(key.digest);
    const auto t1 = Steady::now();
    if (!meta) std::exit(1);
    ns.push_back(static_cast<double>((t1 - t0).count()));
  }
  const auto peek = percentiles(ns);
  ns.clear();
  for (const std::size_t i : sample) {
    const auto key = bench_key(i);
    const auto t0 = Steady::now();
    auto got = (*cache)->store().get(key.digest);
    const auto t1 = Steady::now();
    if (!got) std::exit(1);
    ns.push_back(static_cast<double>((t1 - t0).count()));
  }
  const auto get = percentiles(ns);
  std::printf("  metadata lookup (index only), random key:   p50 %6.2f us  p99 %6.2f us\n",
              peek.p50_us, peek.p99_us);
  std::printf(
      "  get() random key (SQLite read unless hot):   p50 %6.2f us  p99 %6.2f us  (target p50 < 5 "
      "us)\n",
      get.p50_us, get.p99_us);
  std::printf("  RSS +%ld MiB after %d lookups (hot body cache bound %llu MiB)\n",
              (rss_kib() - rss_before) / 1024, kStoreLookups,
              static_cast<unsigned long long>(config.hot_bytes >> 20));
  return {peek.p50_us, get.p50_us};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// Redis GET p50 in microseconds, or a negative value if redis is not available.
double redis_get_p50() {
  if (std::system("command -v redis-server >/dev/null 2>&1 && command -v redis-benchmark "
                  ">/dev/null 2>&1") != 0) {
    return -1;
  }
  const int port = free_loopback_port();
  if (port <= 0) return -1;
  const std::string port_text = std::to_string(port);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execlp("redis-server", "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--loglevel", "warning",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  double p50 = -1;
  for (int attempt = 0; attempt < 50 && p50 < 0; ++attempt) {
    ::usleep(100000);
    const std::string ping = "redis-cli -p " + port_text + " ping >/dev/null 2>&1";
    if (std::system(ping.c_str()) != 0) continue;
    const std::string cmd =
        "redis-benchmark -p " + port_text + " -t set,get -n 100000 -c 1 -d 4096 --csv 2>/dev/null";
    FILE* out = ::popen(cmd.c_str(), "r");
    if (out == nullptr) break;
    char line[512];
    while (std::fgets(line, sizeof line, out) != nullptr) {
      // "GET","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",...
      if (std::string(line).rfind("\"GET\"", 0) != 0) continue;
      std::vector<double> fields;
      for (char* p = line; (p = std::strchr(p, ',')) != nullptr;) {
        ++p;
        fields.push_back(std::strtod(p + (*p == '"'), nullptr));
      }
      if (fields.size() >= 4) {
        std::printf(
            "Redis GET (redis-benchmark, 1 client, 4 KiB, loopback port %d): %.0f req/s, p50 %.1f "
            "us, p99 %.1f us\n",
            port, fields[0], fields[3] * 1000, fields.size() >= 6 ? fields[5] * 1000 : 0.0);
        p50 = fields[3] * 1000;
      }
    }
    ::pclose(out);
    break;
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  return p50;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t entries = 1'000'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ipfsa-cache-bench";
  bool redis = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--entries" && i + 1 < argc) {
      entries = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--no-redis") {
      redis = false;
    } else {
      std::fprintf(stderr, "usage: cache_bench [--entries N] [--dir PATH] [--no-redis]\n");
      return 2;
    }
  }
  if (entries == 0) entries = 1;
  std::filesystem::create_directories(dir);
  build_store(dir, entries);
  const auto [peek, get] = big_store(dir, entries);
  const double hot = hot_lookups(dir);
  double redis_p50 = redis ? redis_get_p50() : -1;
  if (redis_p50 <= 0) {
    redis_p50 = kRedisAnchorP50Us;
    std::printf(
        "Redis not measured (absent or --no-redis): using the anchor p50 %.0f us "
        "(docs anchors 2.6, Redis 7.0.15 GET, 1 client, 2-core box)\n",
        redis_p50);
  }
  std::printf("ratios (Redis GET p50 / ours): hot fetch %.0fx, 1M metadata %.0fx, 1M get %.0fx\n",
              redis_p50 / hot, redis_p50 / peek, redis_p50 / get);
  return 0;
}
