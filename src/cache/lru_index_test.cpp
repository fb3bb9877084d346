#include "cache/lru_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace ipfsa::cache {
namespace {

TEST(Hash128, FromHex) {
  auto h = hash128_from_hex("00112233445566778899aabbccddeeff0000");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->hi, 0x0011223344556677ull);
  EXPECT_EQ(h->lo, 0x8899aabbccddeeffull);
  EXPECT_FALSE(hash128_from_hex("0011"));
  EXPECT_FALSE(hash128_from_hex("zz112233445566778899aabbccddeeff"));
}

TEST(LruIndex, OrderAndBytes) {
  LruIndex idx;
  for (std::uint64_t i = 1; i <= 3; ++i) {
    idx.upsert(
        {{i, i * 7}, static_cast<std::int64_t>(i), 0, i, static_cast<std::uint32_t>(10 * i)});
  }
  EXPECT_EQ(idx.size(), 3u);
  EXPECT_EQ(idx.total_bytes(), 60u);
  EXPECT_EQ(idx.at(idx.oldest()).rowid, 1);
  idx.touch(idx.find({1, 7}), 10);  // 1 becomes the newest
  EXPECT_EQ(idx.at(idx.oldest()).rowid, 2);
  EXPECT_EQ(idx.at(idx.newer(idx.oldest())).rowid, 3);
  idx.upsert({{3, 21}, 3, 0, 11, 5});  // replace: size changes, becomes newest
  EXPECT_EQ(idx.total_bytes(), 35u);
  EXPECT_EQ(idx.at(idx.oldest()).rowid, 2);
  idx.erase(idx.find({2, 14}));
  EXPECT_EQ(idx.find({2, 14}), LruIndex::kNone);
  EXPECT_EQ(idx.at(idx.oldest()).rowid, 1);
  EXPECT_EQ(idx.size(), 2u);
}

// Random operations against a simple model, with colliding low bits to exercise probing and
// backward-shift deletion.
TEST(LruIndex, MatchesAModel) {
  LruIndex idx;
  std::map<std::uint64_t, std::uint64_t> model;  // hi -> access seq
  std::mt19937_64 rng(7);
  std::uint64_t seq = 1;
  for (int step = 0; step < 60000; ++step) {
    const std::uint64_t k = rng() % 3000;
    const Hash128 h{k, (k % 64) * 1024};  // many keys share a bucket
    const int op = static_cast<int>(rng() % 10);
    const auto id = idx.find(h);
    ASSERT_EQ(id != LruIndex::kNone, model.count(k) == 1) << step;
    if (op < 5) {
      idx.upsert({h, static_cast<std::int64_t>(k + 1), 0, seq, 1});
      model[k] = seq++;
    } else if (op < 8) {
      if (id != LruIndex::kNone) {
        idx.erase(id);
        model.erase(k);
      }
    } else if (id != LruIndex::kNone) {
      idx.touch(id, seq);
      model[k] = seq++;
    }
  }
  ASSERT_EQ(idx.size(), model.size());
  ASSERT_EQ(idx.total_bytes(), model.size());
  // Walk oldest -> newest: access sequence strictly increases and covers the model.
  std::uint64_t last = 0;
  std::size_t n = 0;
  for (auto id = idx.oldest(); id != LruIndex::kNone; id = idx.newer(id)) {
    const auto& r = idx.at(id);
    EXPECT_GT(r.access_seq, last);
    EXPECT_EQ(model.at(r.hash.hi), r.access_seq);
    last = r.access_seq;
    ++n;
  }
  EXPECT_EQ(n, model.size());
}

TEST(LruIndex, BulkLoadOrdersByAccess) {
  LruIndex idx;
  const std::uint64_t seqs[] = {50, 10, 40, 20, 30};
  for (std::uint64_t i = 0; i < 5; ++i)
    idx.load({{i, i}, static_cast<std::int64_t>(i), 0, seqs[i], 1});
  idx.finish_load();
  std::vector<std::uint64_t> order;
  for (auto id = idx.oldest(); id != LruIndex::kNone; id = idx.newer(id))
    order.push_back(idx.at(id).access_seq);
  EXPECT_EQ(order, (std::vector<std::uint64_t>{10, 20, 30, 40, 50}));
}

}  // namespace
}  // namespace ipfsa::cache
