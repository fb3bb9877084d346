#include "cache/github_api_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "base/env.hpp"
#include "cache/test_util.hpp"

namespace ipfsa::cache {
namespace {

using namespace std::chrono_literals;
using testing::key_for;
using testing::TempDir;

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions o;
    o.file = dir_.path() / "c.sqlite3";
    auto store = Store::open(o);
    ASSERT_TRUE(store) << store.error();
    cache_ = std::make_unique<GitHubAPICache>(std::move(*store), TtlPolicy(300s),
                                              [this] { return now(); });
  }
  WallTime now() const { return WallTime(std::chrono::milliseconds(now_ms_.load())); }
  void advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }

  // An upstream that records what it was asked and answers `response`.
  Upstream answer(UpstreamResponse response) {
    return [this, response](const ConditionalHeaders& c) -> Result<UpstreamResponse> {
      ++calls_;
      last_conditional_ = c;
      return response;
    };
  }
  Upstream fail_with(Error e) {
    return [this, e](const ConditionalHeaders& c) -> Result<UpstreamResponse> {
      ++calls_;
      last_conditional_ = c;
      return e;
    };
  }
  static UpstreamResponse ok(std::string body, Headers headers = {}) {
    return {200, std::move(headers), std::move(body)};
  }

  TempDir dir_;
  std::atomic<std::int64_t> now_ms_{1'700'000'000'000};
  std::unique_ptr<GitHubAPICache> cache_;
  std::atomic<int> calls_{0};
  ConditionalHeaders last_conditional_;
};

TEST_F(FetchTest, MissThenHit) {
  const auto key = key_for("/repos/o/r");
  auto first = cache_->fetch(key, answer(ok("{\"id\":1}", {{"ETag", "\"v1\""}})));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, CacheStatus::miss);
  EXPECT_TRUE(first->stored);
  EXPECT_EQ(*first->entry->body, "{\"id\":1}");
  EXPECT_TRUE(last_conditional_.empty());
  EXPECT_EQ(first->entry->expires_at, now() + 300s);  // repos class
  auto second = cache_->fetch(key, answer(ok("never")));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, CacheStatus::hit);
  EXPECT_EQ(*second->entry->body, "{\"id\":1}");
  EXPECT_EQ(calls_, 1);
  const auto s = cache_->stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.api_calls_made_rest, 1u);
  EXPECT_EQ(s.api_calls_made_graphql, 0u);
  EXPECT_EQ(s.api_calls_saved, 1u);
  EXPECT_DOUBLE_EQ(s.hit_rate, 0.5);
  EXPECT_EQ(s.total_entries, 1u);
  EXPECT_GT(s.total_size_bytes, 0u);
}

TEST_F(FetchTest, TtlClassDecidesExpiry) {
  const auto runs = key_for("/repos/o/r/actions/runs");
  ASSERT_TRUE(cache_->fetch(runs, answer(ok("[]"))));
  advance(59s);
  EXPECT_EQ(cache_->fetch(runs, answer(ok("[1]")))->status, CacheStatus::hit);
  advance(1s);
  EXPECT_EQ(cache_->fetch(runs, answer(ok("[1]")))->status, CacheStatus::miss);
  EXPECT_EQ(calls_, 2);
  EXPECT_EQ(cache_->stats().expirations, 1u);
}

TEST_F(FetchTest, ExpiredEntryIsRevalidatedWith304) {
  const auto key = key_for("/repos/o/r/actions/runners");
  ASSERT_TRUE(cache_->fetch(
      key, answer(ok("runners",
                     {{"ETag", "\"e1\""}, {"Last-Modified", "Tue, 01 Oct 2024 00:00:00 GMT"}}))));
  advance(31s);
  auto r = cache_->fetch(key, answer({304, {{"ETag", "\"e1\""}}, ""}));
  ASSERT_TRUE(r);
  EXPECT_EQ(last_conditional_.if_none_match, "\"e1\"");
  EXPECT_EQ(last_conditional_.if_modified_since, "Tue, 01 Oct 2024 00:00:00 GMT");
  EXPECT_EQ(r->status, CacheStatus::revalidated);
  EXPECT_EQ(*r->entry->body, "runners");
  EXPECT_EQ(r->entry->expires_at, now() + 30s);
  EXPECT_EQ(cache_->fetch(key, answer(ok("x")))->status, CacheStatus::hit);
  EXPECT_EQ(calls_, 2);
  const auto s = cache_->stats();
  EXPECT_EQ(s.revalidations_304, 1u);
  EXPECT_EQ(s.expirations, 1u);
  EXPECT_EQ(s.api_calls_made_rest, 2u);
  EXPECT_EQ(s.api_calls_saved, 2u);  // the 304 and the hit
  // The renewal is on disk: a reopened store still has the new expiry.
  EXPECT_EQ(cache_->store().peek(key.digest)->expires_ms, (now() + 30s).time_since_epoch().count());
}

TEST_F(FetchTest, A304UpdatesTheValidator) {
  const auto key = key_for("/repos/o/r");
  ASSERT_TRUE(cache_->fetch(key, answer(ok("b", {{"ETag", "\"old\""}}))));
  advance(301s);
  ASSERT_TRUE(cache_->fetch(key, answer({304, {{"ETag", "\"new\""}}, ""})));
  advance(301s);
  ASSERT_TRUE(cache_->fetch(key, answer({304, {}, ""})));
  EXPECT_EQ(last_conditional_.if_none_match, "\"new\"");
}

TEST_F(FetchTest, ExpiredEntryReplacedBy200) {
  const auto key = key_for("/repos/o/r");
  ASSERT_TRUE(cache_->fetch(key, answer(ok("old", {{"ETag", "\"1\""}}))));
  advance(301s);
  auto r = cache_->fetch(key, answer(ok("new", {{"ETag", "\"2\""}})));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, CacheStatus::miss);
  EXPECT_EQ(*r->entry->body, "new");
  EXPECT_EQ(*(*cache_->get(key))->body, "new");
  EXPECT_EQ((*cache_->get(key))->header("etag"), "\"2\"");
}

TEST_F(FetchTest, StaleIfError) {
  const auto key = key_for("/repos/o/r");
  ASSERT_TRUE(cache_->fetch(key, answer(ok("cached"))));
  advance(301s);
  const std::vector<Upstream> failures = {
      fail_with(Error::timeout),
      fail_with(Error::io_failure),
      answer({503, {}, "unavailable"}),
      answer({500, {}, ""}),
      answer({429, {{"Retry-After", "30"}}, ""}),
      answer({403, {{"X-RateLimit-Remaining", "0"}}, "rate limited"}),
      answer({403, {{"retry-after", "60"}}, "secondary"}),
      fail_with(Error::rate_limited),  // the client refused it: the token is blocked
      fail_with(Error::rate_limited),
  };
  for (const auto& upstream : failures) {
    auto r = cache_->fetch(key, upstream);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, CacheStatus::stale);
    EXPECT_EQ(*r->entry->body, "cached");
  }
  const auto s = cache_->stats();
  EXPECT_EQ(s.stale_served, failures.size());
  // Counted by how each attempt ended: the first fetch and five HTTP answers reached GitHub, two
  // got no answer, two were never sent.
  EXPECT_EQ(s.api_calls_made(), 6u);
  EXPECT_EQ(s.upstream_failures, 2u);
  EXPECT_EQ(s.api_calls_refused_locally, 2u);
  // A plain 403 (no rate limit) is the answer, not a reason to serve stale; the old entry stays.
  auto forbidden = cache_->fetch(key, answer({403, {}, "forbidden"}));
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, CacheStatus::miss);
  EXPECT_EQ(forbidden->entry->status, 403);
  EXPECT_FALSE(forbidden->stored);
  EXPECT_EQ(*(*cache_->get_stale(key))->body, "cached");
}

TEST_F(FetchTest, ErrorsWithoutAStoredEntry) {
  const auto key = key_for("/repos/o/r");
  auto down = cache_->fetch(key, fail_with(Error::timeout));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error(), Error::timeout);
  auto server = cache_->fetch(key, answer({502, {}, "bad gateway"}));
  ASSERT_TRUE(server);
  EXPECT_EQ(server->status, CacheStatus::miss);
  EXPECT_EQ(server->entry->status, 502);
  EXPECT_FALSE(server->stored);
  EXPECT_FALSE(cache_->get_stale(key));
  auto unasked = cache_->fetch(key, answer({304, {}, ""}));
  ASSERT_FALSE(unasked);
  EXPECT_EQ(unasked.error(), Error::protocol_violation);
  EXPECT_EQ(cache_->stats().misses, 3u);
}

TEST_F(FetchTest, NotFoundIsCachedBriefly) {
  const auto key = key_for("/orgs/someuser/repos");
  auto r = cache_->fetch(key, answer({404, {}, "{\"message\":\"Not Found\"}"}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->stored);
  EXPECT_EQ(r->entry->expires_at, now() + kNotFoundTtl);
  EXPECT_EQ(cache_->fetch(key, answer(ok("x")))->entry->status, 404);
  advance(kNotFoundTtl);
  EXPECT_EQ(cache_->fetch(key, answer(ok("x")))->entry->status, 200);
}

TEST_F(FetchTest, ZeroTtlAndOversizedBodiesPassThrough) {
  const auto rate = key_for("/rate_limit");
  auto r = cache_->fetch(rate, answer(ok("{\"rate\":{}}")));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->stored);
  EXPECT_EQ(*r->entry->body, "{\"rate\":{}}");
  EXPECT_EQ(cache_->fetch(rate, answer(ok("{}")))->status, CacheStatus::miss);
  const auto big = key_for("/repos/o/r/big");
  auto b = cache_->fetch(big, answer(ok(std::string(kMaxEntryBytes + 1, 'x'))));
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->stored);
  EXPECT_EQ(b->entry->body->size(), kMaxEntryBytes + 1);
  EXPECT_FALSE(cache_->get_stale(big));
}

TEST_F(FetchTest, GraphqlCallsAreCountedApart) {
  GraphqlRequest q;
  q.query = "{viewer{login}}";
  const auto key = *graphql_key(q);
  ASSERT_TRUE(cache_->fetch(key, answer(ok("{\"data\":{}}"))));
  EXPECT_EQ(cache_->fetch(key, answer(ok("")))->status, CacheStatus::hit);
  EXPECT_EQ(cache_->stats().api_calls_made_graphql, 1u);
  EXPECT_EQ(cache_->stats().api_calls_made_rest, 0u);
}

TEST_F(FetchTest, SingleFlightMakesOneUpstreamCall) {
  constexpr int kThreads = 16;
  const auto key = key_for("/repos/o/r/actions/runs");
  std::atomic<bool> timed_out{false};
  const Upstream slow = [&](const ConditionalHeaders&) -> Result<UpstreamResponse> {
    ++calls_;
    // Hold the call open until every other thread is waiting on it.
    const auto deadline = std::chrono::steady_clock::now() + 120s;  // only catches a hang
    while (cache_->followers_waiting(key) < kThreads - 1) {
      if (std::chrono::steady_clock::now() > deadline) {
        timed_out = true;
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
    return ok("shared body");
  };
  std::vector<std::thread> threads;
  std::vector<Result<Lookup>> results(kThreads, Error::invalid_state);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = cache_->fetch(key, slow); });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(calls_, 1);
  int misses = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->entry->body, "shared body");
    misses += r->status == CacheStatus::miss;
  }
  EXPECT_EQ(misses, 1);
  const auto s = cache_->stats();
  EXPECT_EQ(s.coalesced, kThreads - 1u);
  EXPECT_EQ(s.hits, kThreads - 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.api_calls_made(), 1u);
  EXPECT_EQ(cache_->followers_waiting(key), 0u);
}

TEST_F(FetchTest, SingleFlightSharesFailuresAndSurvivesAThrowingUpstream) {
  constexpr int kThreads = 4;
  const auto key = key_for("/repos/o/r");
  const Upstream throwing = [&](const ConditionalHeaders&) -> Result<UpstreamResponse> {
    ++calls_;
    const auto deadline = std::chrono::steady_clock::now() + 120s;  // only catches a hang
    while (cache_->followers_waiting(key) < kThreads - 1 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    throw std::runtime_error("boom");
  };
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto r = cache_->fetch(key, throwing);
      if (!r && r.error() == Error::io_failure) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(failures, kThreads);
  // The next fetch is a new flight.
  EXPECT_TRUE(cache_->fetch(key, answer(ok("fine"))));
  EXPECT_EQ(calls_, 2);
}

TEST_F(FetchTest, InvalidateUnderCutsAtASegmentEnd) {
  const auto repo = key_for("/repos/o/r");
  const auto issues = key_for("/repos/o/r/issues");
  const auto query = key_for("/repos/o/r?x=1");
  const auto sibling = key_for("/repos/o/rx");
  for (const auto* k : {&repo, &issues, &query, &sibling}) ASSERT_TRUE(cache_->put(*k, ok("{}")));
  EXPECT_EQ(cache_->invalidate_under("GET api.github.com/repos/o/r"), 3u);
  EXPECT_FALSE(cache_->get_stale(repo));
  EXPECT_FALSE(cache_->get_stale(issues));
  EXPECT_FALSE(cache_->get_stale(query));
  EXPECT_TRUE(cache_->get_stale(sibling));
}

TEST_F(FetchTest, HitCountsOnlyAFreshEntry) {
  const auto k = key_for("/repos/o/hit");
  EXPECT_FALSE(cache_->hit(k));
  ASSERT_TRUE(cache_->put(k, ok("{}")));
  EXPECT_TRUE(cache_->hit(k));
  advance(400s);  // expired: nothing answered, nothing counted as a miss
  EXPECT_FALSE(cache_->hit(k));
  const auto s = cache_->stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 0u);
  EXPECT_EQ(s.expirations, 0u);
}

TEST_F(FetchTest, PythonStyleApi) {
  const auto a = key_for("/repos/o/r");
  const auto b = key_for("/repos/o/r/issues");
  const auto c = key_for("/repos/x/y");
  EXPECT_FALSE(cache_->get(a));
  for (const auto* k : {&a, &b, &c}) {
    auto r = cache_->put(*k, ok("v:" + k->text));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->stored);
  }
  EXPECT_EQ(*(*cache_->get(a))->body, "v:" + a.text);
  EXPECT_EQ(*cache_->invalidate_prefix("GET api.github.com/repos/o/"), 2u);
  EXPECT_FALSE(cache_->get(b));
  EXPECT_TRUE(cache_->get(c));
  EXPECT_TRUE(*cache_->invalidate(c));
  EXPECT_FALSE(*cache_->invalidate(c));
  ASSERT_TRUE(cache_->put(a, ok("again")));
  advance(301s);
  EXPECT_FALSE(cache_->get(a));       // expired: not served by get()
  EXPECT_TRUE(cache_->get_stale(a));  // but kept for stale-if-error (Python bug B1)
  EXPECT_EQ(*cache_->clear(), 1u);
  cache_->record_peer_hit();
  const auto s = cache_->stats();  // clear() keeps the counters (Python bug B3)
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.peer_hits, 1u);
  EXPECT_EQ(s.expirations, 1u);
  EXPECT_EQ(s.api_calls_saved, 3u);
  EXPECT_EQ(s.total_entries, 0u);
  EXPECT_FALSE(cache_->put(a, ok(std::string(kMaxEntryBytes + 1, 'x'))));
  EXPECT_FALSE(cache_->put(a, {500, {}, ""})->stored);
}

TEST(GitHubAPICache, OpenReadsTheTtlFileFromTheCacheDir) {
  TempDir dir;
  std::ofstream(dir.path() / "ttl.conf") << "repos = 7\n";
  Config config;
  config.dir = dir.path();
  auto cache = GitHubAPICache::open(config);
  ASSERT_TRUE(cache) << cache.error();
  EXPECT_EQ((*cache)->ttl_policy().classify_path("/repos/o/r").ttl, std::chrono::seconds(7));
  cache->reset();
  std::ofstream(dir.path() / "ttl.conf") << "repos = seven\n";
  auto bad = GitHubAPICache::open(config);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("ttl.conf:1"), std::string::npos) << bad.error();
}

TEST(GitHubAPICache, GlobalCacheIsConfiguredByItsCaller) {
  static TempDir dir;  // outlives the global cache
  int calls = 0;
  std::string ttl = "abc";
  auto configure = [&] {
    ++calls;
    return Config::from_env(env_from({{"CACHE_DIR", dir.path().string()},
                                      {"CACHE_DEFAULT_TTL", ttl}}));
  };
  auto bad = global_cache(configure);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.code(), Error::malformed);
  EXPECT_NE(bad.error().find("CACHE_DEFAULT_TTL='abc'"), std::string::npos) << bad.error();
  ttl = "42";
  auto good = global_cache(configure);  // a failed open is tried again
  ASSERT_TRUE(good) << good.error();
  EXPECT_EQ((*good)->ttl_policy().default_ttl(), std::chrono::seconds(42));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*global_cache(configure), *good);
  EXPECT_EQ(calls, 2) << "an open cache is not configured again";
  EXPECT_TRUE(std::filesystem::exists(dir.path() / kDatabaseFileName));
}

TEST_F(FetchTest, PeerSourceAnswersAMissWithoutAnUpstreamCall) {
  const auto key = key_for("/repos/o/peer");
  auto made = make_entry(200, {{"etag", "\"p1\""}}, "{\"from\":\"peer\"}", now(), now() + 60s,
                         "12D3KooWorigin");
  ASSERT_TRUE(made);
  made->signature = "sig";
  const EntryPtr from_peer = std::make_shared<const Entry>(std::move(*made));
  int asked = 0;
  PeerSource peers = [&](const CacheKey& k, const EntryPtr& stored) -> EntryPtr {
    ++asked;
    EXPECT_EQ(k.hash, key.hash);
    EXPECT_EQ(stored, nullptr);
    return from_peer;
  };
  auto r = cache_->fetch(key, answer(ok("{}")), peers);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, CacheStatus::peer);
  EXPECT_EQ(calls_, 0);
  EXPECT_EQ(asked, 1);
  // Stored with its origin, signature and expiry; the next read is a local hit.
  auto again = cache_->fetch(key, answer(ok("{}")), peers);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, CacheStatus::hit);
  EXPECT_EQ(again->entry->origin, "12D3KooWorigin");
  EXPECT_EQ(again->entry->signature, "sig");
  EXPECT_EQ(asked, 1);
  const auto s = cache_->stats();
  EXPECT_EQ(s.peer_hits, 1u);
  EXPECT_EQ(s.api_calls_made(), 0u);
}

TEST_F(FetchTest, PeerSourceWithNothingOrAnExpiredEntryFallsBackToUpstream) {
  const auto key = key_for("/repos/o/peer2");
  auto made = make_entry(200, {}, "{}", now() - 120s, now() - 60s, "12D3KooWorigin");
  ASSERT_TRUE(made);
  const EntryPtr expired = std::make_shared<const Entry>(std::move(*made));
  auto r = cache_->fetch(key, answer(ok("{\"n\":1}")), [&](const CacheKey&, const EntryPtr&) {
    return expired;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, CacheStatus::miss);
  EXPECT_EQ(calls_, 1);
  advance(400s);  // expired locally: the peer source sees what we hold
  EntryPtr seen;
  auto r2 = cache_->fetch(key, answer(ok("{\"n\":2}")), [&](const CacheKey&, const EntryPtr& stored) {
    seen = stored;
    return EntryPtr{};
  });
  ASSERT_TRUE(r2);
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(*seen->body, "{\"n\":1}");
  EXPECT_EQ(calls_, 2);
}

}  // namespace
}  // namespace ipfsa::cache
