#include "base/lru_map.hpp"

#include <gtest/gtest.h>

#include <list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ipfsa {
namespace {

using Map = LruMap<std::string, int>;

// Keys from oldest to newest.
template <class M>
auto recency(const M& m) {
  std::vector<std::decay_t<decltype(m.key(0))>> keys;
  for (auto h = m.oldest(); h != M::kNone; h = m.newer(h)) keys.push_back(m.key(h));
  return keys;
}

std::vector<std::string> evicted_keys(const Map::PutResult& r) {
  std::vector<std::string> keys;
  for (const auto& e : r.evicted) keys.push_back(e.key);
  return keys;
}

using Keys = std::vector<std::string>;

TEST(LruMap, CountBoundEvictsTheLeastRecentlyUsed) {
  Map m(3);
  EXPECT_TRUE(m.put("a", 1).evicted.empty());
  EXPECT_TRUE(m.put("b", 2).evicted.empty());
  EXPECT_TRUE(m.put("c", 3).evicted.empty());
  ASSERT_NE(m.get("a"), nullptr);  // a becomes the newest
  const auto r = m.put("d", 4);
  ASSERT_EQ(r.evicted.size(), 1u);
  EXPECT_EQ(r.evicted[0].key, "b");
  EXPECT_EQ(r.evicted[0].value, 2);
  EXPECT_EQ(m.size(), 3u);
  EXPECT_FALSE(m.contains("b"));
  EXPECT_EQ(recency(m), (Keys{"c", "a", "d"}));
  EXPECT_EQ(m.key(r.handle), "d");
  EXPECT_EQ(m.value(r.handle), 4);
}

TEST(LruMap, ByteBoundEvictsOldestFirstUntilTheNewEntryFits) {
  Map m(Map::kUnlimitedEntries, 100);
  m.put("a", 1, 40);
  m.put("b", 2, 30);
  m.put("c", 3, 20);
  EXPECT_EQ(m.total_bytes(), 90u);
  auto r = m.put("d", 4, 15);  // 105 > 100: a goes
  EXPECT_EQ(evicted_keys(r), (Keys{"a"}));
  EXPECT_EQ(r.evicted[0].charge, 40u);
  EXPECT_EQ(m.total_bytes(), 65u);
  r = m.put("e", 5, 90);  // b (30), c (20) and d (15) must all go, oldest first
  EXPECT_EQ(evicted_keys(r), (Keys{"b", "c", "d"}));
  EXPECT_EQ(m.total_bytes(), 90u);
  EXPECT_EQ(recency(m), (Keys{"e"}));
  r = m.put("f", 6, 10);  // exactly at the bound: nothing goes
  EXPECT_TRUE(r.evicted.empty());
  EXPECT_EQ(m.total_bytes(), 100u);
}

TEST(LruMap, ReplaceUpdatesValueChargeAndRecencyAndNeverEvictsItself) {
  Map m(Map::kUnlimitedEntries, 100);
  m.put("a", 1, 10);
  m.put("b", 2, 20);
  m.put("c", 3, 30);
  auto r = m.put("a", 11, 15);
  EXPECT_TRUE(r.evicted.empty());
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.total_bytes(), 65u);
  EXPECT_EQ(m.charge(r.handle), 15u);
  EXPECT_EQ(*m.peek("a"), 11);
  EXPECT_EQ(recency(m), (Keys{"b", "c", "a"}));
  // Growing a to 80: without its own old charge 50 + 80 > 100, so b then c go; a stays.
  m.touch(m.find("a"));
  r = m.put("a", 12, 80);
  EXPECT_EQ(evicted_keys(r), (Keys{"b", "c"}));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.total_bytes(), 80u);
  // Shrinking gives bytes back.
  m.put("a", 13, 5);
  EXPECT_EQ(m.total_bytes(), 5u);
}

TEST(LruMap, AnEntryThatCannotFitIsNotStoredAndRemovesItsPredecessor) {
  Map m(Map::kUnlimitedEntries, 50);
  m.put("a", 1, 10);
  m.put("b", 2, 10);
  auto r = m.put("c", 3, 51);
  EXPECT_EQ(r.handle, Map::kNone);
  EXPECT_TRUE(r.evicted.empty());
  EXPECT_FALSE(m.contains("c"));
  EXPECT_EQ(m.size(), 2u);
  r = m.put("a", 4, 60);  // replacing a with something too big drops a, nothing else
  EXPECT_EQ(r.handle, Map::kNone);
  EXPECT_TRUE(r.evicted.empty());
  EXPECT_FALSE(m.contains("a"));
  EXPECT_EQ(recency(m), (Keys{"b"}));
  EXPECT_EQ(m.total_bytes(), 10u);

  Map none(0);
  EXPECT_EQ(none.put("a", 1).handle, Map::kNone);
  EXPECT_TRUE(none.empty());
}

TEST(LruMap, PlanEvictionNamesWhatPutEvictsAndChangesNothing) {
  Map m(3, 100);
  m.put("a", 1, 30);
  m.put("b", 2, 30);
  m.put("c", 3, 30);
  m.get("a");
  const auto plan = m.plan_eviction("d", 50);  // b then c (a was used)
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(m.key(plan[0]), "b");
  EXPECT_EQ(m.key(plan[1]), "c");
  EXPECT_EQ(recency(m), (Keys{"b", "c", "a"}));
  EXPECT_EQ(m.total_bytes(), 90u);
  EXPECT_TRUE(m.plan_eviction("a", 30).empty());    // a replacement of the same size
  EXPECT_EQ(m.plan_eviction("d", 10).size(), 1u);   // only the count bound bites
  EXPECT_TRUE(m.plan_eviction("d", 101).empty());   // cannot fit: put would evict nothing
  EXPECT_EQ(evicted_keys(m.put("d", 4, 50)), (Keys{"b", "c"}));
}

TEST(LruMap, LookupsWithoutTouchLeaveTheOrder) {
  Map m(3);
  m.put("a", 1);
  m.put("b", 2);
  m.put("c", 3);
  EXPECT_EQ(*m.peek("a"), 1);
  EXPECT_NE(m.find("a"), Map::kNone);
  EXPECT_EQ(m.peek("zz"), nullptr);
  EXPECT_EQ(m.get("zz"), nullptr);
  EXPECT_EQ(recency(m), (Keys{"a", "b", "c"}));
  EXPECT_EQ(evicted_keys(m.put("d", 4)), (Keys{"a"}));
  *m.get("b") = 20;  // get touches and hands out the value
  EXPECT_EQ(recency(m), (Keys{"c", "d", "b"}));
  EXPECT_EQ(*m.peek("b"), 20);
  // Walking from the newest end gives the reverse.
  std::vector<std::string> back;
  for (auto h = m.newest(); h != Map::kNone; h = m.older(h)) back.push_back(m.key(h));
  EXPECT_EQ(back, (Keys{"b", "d", "c"}));
}

TEST(LruMap, EraseReleasesTheValueAndTheHandleIsReused) {
  LruMap<int, std::shared_ptr<int>> m;
  auto value = std::make_shared<int>(7);
  const auto h = m.put(1, value, 5).handle;
  m.put(2, nullptr, 3);
  EXPECT_EQ(value.use_count(), 2);
  EXPECT_TRUE(m.erase(1));
  EXPECT_FALSE(m.erase(1));
  EXPECT_EQ(value.use_count(), 1) << "the map still holds an erased value";
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.total_bytes(), 3u);
  EXPECT_EQ(m.put(3, nullptr).handle, h);
  auto taken = m.take(m.find(2));
  EXPECT_EQ(taken.key, 2);
  EXPECT_EQ(taken.charge, 3u);
  EXPECT_EQ(m.size(), 1u);
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.total_bytes(), 0u);
  EXPECT_EQ(m.oldest(), decltype(m)::kNone);
  m.put(4, nullptr);
  EXPECT_EQ(recency(m), (std::vector<int>{4}));
}

TEST(LruMap, BulkLoadRefusesDuplicatesOrdersByValueAndLeavesBoundsToTheNextPut) {
  LruMap<int, int> m(3);
  m.reserve(5);
  const int seqs[] = {50, 10, 40, 20, 30};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(m.load(i, seqs[i], 1));
  EXPECT_FALSE(m.load(2, 99, 1));
  EXPECT_EQ(*m.peek(2), 40);
  EXPECT_EQ(m.size(), 5u);  // over max_entries: load never evicts
  m.order_by([](int a, int b) { return a < b; });
  EXPECT_EQ(recency(m), (std::vector<int>{1, 3, 4, 2, 0}));  // by value 10, 20, 30, 40, 50
  const auto r = m.put(9, 60, 1);
  ASSERT_EQ(r.evicted.size(), 3u);  // down to 2 so the new one makes 3
  EXPECT_EQ(r.evicted[0].key, 1);
  EXPECT_EQ(r.evicted[1].key, 3);
  EXPECT_EQ(r.evicted[2].key, 4);
  EXPECT_EQ(recency(m), (std::vector<int>{2, 0, 9}));
}

// Keys and values without a default constructor (like wire::PeerId) are held all the same.
struct Named {
  explicit Named(std::string n) : name(std::move(n)) {}
  std::string name;
  friend bool operator==(const Named&, const Named&) = default;
};
struct NamedHash {
  std::size_t operator()(const Named& n) const noexcept { return std::hash<std::string>{}(n.name); }
};

TEST(LruMap, HoldsTypesWithoutADefaultConstructor) {
  LruMap<Named, Named, NamedHash> m(2);
  m.put(Named("a"), Named("1"));
  m.put(Named("b"), Named("2"));
  auto r = m.put(Named("c"), Named("3"));
  ASSERT_EQ(r.evicted.size(), 1u);
  EXPECT_EQ(r.evicted[0].key.name, "a");
  EXPECT_EQ(r.evicted[0].value.name, "1");
  EXPECT_EQ(m.peek(Named("b"))->name, "2");
  EXPECT_TRUE(m.erase(Named("b")));
  m.put(Named("d"), Named("4"));  // reuses b's slot
  EXPECT_EQ(m.key(m.oldest()).name, "c");
  EXPECT_EQ(m.key(m.newest()).name, "d");
}

// A deliberately weak hash: 64 distinct values, so long probe clusters and backward shifts.
struct Clumped {
  std::size_t operator()(int k) const noexcept { return static_cast<std::size_t>(k % 64); }
};

// Random operations against a plain model (a list in recency order), with both bounds active.
TEST(LruMap, MatchesAModel) {
  constexpr std::size_t kMaxEntries = 300;
  constexpr std::uint64_t kMaxBytes = 18000;  // ~ 300 x the mean charge: both bounds bite
  LruMap<int, int, Clumped> m(kMaxEntries, kMaxBytes);
  struct Item {
    int key;
    int value;
    std::uint32_t charge;
  };
  std::list<Item> model;  // front = oldest
  auto model_find = [&](int k) {
    for (auto it = model.begin(); it != model.end(); ++it)
      if (it->key == k) return it;
    return model.end();
  };
  std::uint64_t model_bytes = 0;
  std::mt19937 rng(11);
  for (int step = 0; step < 40000; ++step) {
    const int k = static_cast<int>(rng() % 1500);
    const int op = static_cast<int>(rng() % 10);
    auto it = model_find(k);
    ASSERT_EQ(m.contains(k), it != model.end()) << step;
    if (op < 5) {
      const auto charge = static_cast<std::uint32_t>(rng() % 120);
      std::vector<int> expect_evicted;
      if (it != model.end()) {
        model_bytes -= it->charge;
        model.erase(it);
      }
      while (!model.empty() &&
             (model_bytes + charge > kMaxBytes || model.size() + 1 > kMaxEntries)) {
        expect_evicted.push_back(model.front().key);
        model_bytes -= model.front().charge;
        model.pop_front();
      }
      model.push_back({k, step, charge});
      model_bytes += charge;
      const auto r = m.put(k, step, charge);
      std::vector<int> got;
      for (const auto& e : r.evicted) got.push_back(e.key);
      ASSERT_EQ(got, expect_evicted) << step;
    } else if (op < 7) {
      ASSERT_EQ(m.erase(k), it != model.end());
      if (it != model.end()) {
        model_bytes -= it->charge;
        model.erase(it);
      }
    } else if (it != model.end()) {
      ASSERT_EQ(*m.get(k), it->value);
      model.splice(model.end(), model, it);
    }
    ASSERT_EQ(m.size(), model.size());
    ASSERT_EQ(m.total_bytes(), model_bytes);
    ASSERT_LE(m.size(), kMaxEntries);
    ASSERT_LE(m.total_bytes(), kMaxBytes);
  }
  std::vector<int> model_keys;
  for (const auto& i : model) model_keys.push_back(i.key);
  EXPECT_EQ(recency(m), model_keys);
  for (const auto& i : model) EXPECT_EQ(*m.peek(i.key), i.value);
}

}  // namespace
}  // namespace ipfsa
