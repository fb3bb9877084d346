#include "cache/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "cache/test_util.hpp"

namespace ipfsa::cache {
namespace {

using testing::entry_with;
using testing::key_for;
using testing::TempDir;

StoreOptions options_in(const TempDir& dir) {
  StoreOptions o;
  o.file = dir.path() / "cache.sqlite3";
  return o;
}

std::unique_ptr<Store> open_or_die(const StoreOptions& o) {
  auto s = Store::open(o);
  EXPECT_TRUE(s) << s.error();
  return s ? std::move(*s) : nullptr;
}

TEST(Store, RoundTrip) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  ASSERT_TRUE(store);
  const auto key = key_for("/repos/o/r");
  const auto entry = entry_with("{\"full_name\":\"o/r\"}");
  ASSERT_TRUE(store->put(key.text, key.hash, entry));
  auto got = store->get(key.hash);
  ASSERT_TRUE(got);
  EXPECT_EQ(*(*got)->body, *entry->body);
  EXPECT_EQ((*got)->cid, entry->cid);
  auto meta = store->peek(key.hash);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->expires_ms, entry->expires_at.time_since_epoch().count());
  EXPECT_EQ(store->get(key_for("/repos/o/other").hash).error(), Error::not_found);
  EXPECT_EQ(store->get("not hex").error(), Error::not_found);
  EXPECT_EQ(store->stats().total_entries, 1u);
  // Replace.
  ASSERT_TRUE(store->put(key.text, key.hash, entry_with("{\"v\":2}")));
  EXPECT_EQ(*(*store->get(key.hash))->body, "{\"v\":2}");
  EXPECT_EQ(store->stats().total_entries, 1u);
  // Erase.
  EXPECT_TRUE(*store->erase(key.hash));
  EXPECT_FALSE(*store->erase(key.hash));
  EXPECT_EQ(store->get(key.hash).error(), Error::not_found);
}

TEST(Store, ReopenPersistsEntriesAndColdReadsVerify) {
  TempDir dir;
  const auto opts = options_in(dir);
  {
    auto store = open_or_die(opts);
    for (int i = 0; i < 100; ++i) {
      const auto key = key_for("/item/" + std::to_string(i));
      ASSERT_TRUE(store->put(key.text, key.hash, entry_with("body " + std::to_string(i))));
    }
  }
  StoreOptions cold = opts;
  cold.hot_bytes = 0;  // every get reads SQLite
  auto store = open_or_die(cold);
  EXPECT_EQ(store->stats().total_entries, 100u);
  for (int i = 0; i < 100; ++i) {
    auto got = store->get(key_for("/item/" + std::to_string(i)).hash);
    ASSERT_TRUE(got) << i;
    EXPECT_EQ(*(*got)->body, "body " + std::to_string(i));
    EXPECT_EQ((*got)->header("content-type"), "application/json");
  }
  EXPECT_EQ(store->stats().hot_entries, 0u);
}

TEST(Store, EvictsLeastRecentlyUsedByBytes) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_bytes = 10 * 1024;
  auto store = open_or_die(opts);
  const std::string body(1000, 'x');
  for (int i = 0; i < 8; ++i) {
    const auto key = key_for("/e/" + std::to_string(i));
    ASSERT_TRUE(store->put(key.text, key.hash, entry_with(body)));
  }
  ASSERT_EQ(store->stats().total_entries, 8u);
  ASSERT_TRUE(store->get(key_for("/e/0").hash));  // 0 becomes the most recently used
  for (int i = 8; i < 12; ++i) {
    const auto key = key_for("/e/" + std::to_string(i));
    ASSERT_TRUE(store->put(key.text, key.hash, entry_with(body)));
  }
  const auto s = store->stats();
  EXPECT_LE(s.total_size_bytes, opts.max_bytes);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_TRUE(store->peek(key_for("/e/0").hash)) << "recently used entry was evicted";
  EXPECT_FALSE(store->peek(key_for("/e/1").hash)) << "oldest entry survived";
  EXPECT_TRUE(store->peek(key_for("/e/11").hash));
  // Evictions are in the database too, and the LRU order survives a reopen.
  store.reset();
  store = open_or_die(opts);
  EXPECT_EQ(store->stats().total_entries, s.total_entries);
  EXPECT_FALSE(store->peek(key_for("/e/1").hash));
  const auto key = key_for("/e/12");
  ASSERT_TRUE(store->put(key.text, key.hash, entry_with(body)));
  EXPECT_TRUE(store->peek(key_for("/e/0").hash));
}

TEST(Store, BoundsEntryCount) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_entries = 5;
  auto store = open_or_die(opts);
  for (int i = 0; i < 20; ++i) {
    const auto key = key_for("/n/" + std::to_string(i));
    ASSERT_TRUE(store->put(key.text, key.hash, entry_with("x")));
  }
  EXPECT_EQ(store->stats().total_entries, 5u);
  EXPECT_EQ(store->stats().evictions, 15u);
  EXPECT_TRUE(store->peek(key_for("/n/19").hash));
  EXPECT_FALSE(store->peek(key_for("/n/14").hash));
}

TEST(Store, PerEntryCap) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_bytes = 64 * 1024;
  auto store = open_or_die(opts);
  const auto small = key_for("/small");
  ASSERT_TRUE(store->put(small.text, small.hash, entry_with("kept")));
  const auto big = key_for("/big");
  // Over the store's whole budget: refused, nothing evicted.
  EXPECT_EQ(store->put(big.text, big.hash, entry_with(std::string(65 * 1024, 'b'))).error(),
            Error::too_large);
  EXPECT_TRUE(store->peek(small.hash));
  EXPECT_FALSE(store->peek(big.hash));
  // The per-entry cap applies regardless of the budget (make_entry refuses larger bodies, and
  // put() re-checks an Entry assembled by hand).
  opts.max_bytes = kDefaultMaxBytes;
  store.reset();
  store = open_or_die(opts);
  Entry huge = *entry_with("");
  huge.body = std::make_shared<const std::string>(kMaxEntryBytes + 1, 'h');
  EXPECT_EQ(store->put(big.text, big.hash, std::make_shared<const Entry>(huge)).error(),
            Error::too_large);
}

TEST(Store, InvalidateByPrefix) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  for (auto t : {"/repos/o/r", "/repos/o/r/issues", "/repos/o/r2", "/repos/p/q", "/user"}) {
    const auto key = key_for(t);
    ASSERT_TRUE(store->put(key.text, key.hash, entry_with(t)));
  }
  auto n = store->erase_prefix("GET api.github.com/repos/o/r");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);  // r, r/issues and r2: a plain text prefix
  EXPECT_TRUE(store->peek(key_for("/repos/p/q").hash));
  EXPECT_TRUE(store->peek(key_for("/user").hash));
  EXPECT_EQ(*store->erase_prefix("GET api.github.com/nothing"), 0u);
  EXPECT_EQ(*store->clear(), 2u);
  EXPECT_EQ(store->stats().total_entries, 0u);
  EXPECT_EQ(store->stats().total_size_bytes, 0u);
  store.reset();
  store = open_or_die(options_in(dir));
  EXPECT_EQ(store->stats().total_entries, 0u);
}

TEST(Store, CorruptFileIsMovedAsideNotDeleted) {
  TempDir dir;
  const auto opts = options_in(dir);
  const std::string garbage(8192, '\x5a');
  std::ofstream(opts.file, std::ios::binary) << garbage;
  auto opened = Store::open(opts);
  ASSERT_TRUE(opened) << opened.error();
  auto& store = *opened;
  ASSERT_FALSE(store->recovered_from().empty());
  EXPECT_NE(store->recovered_from().string().find(".corrupt-"), std::string::npos);
  std::ifstream aside(store->recovered_from(), std::ios::binary);
  const std::string kept((std::istreambuf_iterator<char>(aside)), {});
  EXPECT_EQ(kept, garbage);  // the user's file is intact, just renamed
  const auto key = key_for("/after");
  EXPECT_TRUE(store->put(key.text, key.hash, entry_with("fresh")));
}

TEST(Store, CorruptPagesAreDetected) {
  TempDir dir;
  const auto opts = options_in(dir);
  {
    auto store = open_or_die(opts);
    for (int i = 0; i < 200; ++i) {
      const auto key = key_for("/p/" + std::to_string(i));
      ASSERT_TRUE(store->put(key.text, key.hash, entry_with(std::string(3000, 'c'))));
    }
  }  // closing checkpoints the WAL into the main file
  {
    std::fstream f(opts.file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);  // page 2 onwards: b-tree pages
    const std::string junk(8 * 4096, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto opened = Store::open(opts);
  ASSERT_TRUE(opened) << opened.error();  // opens: either recovered or with readable rows only
  auto& store = *opened;
  if (store->recovered_from().empty()) {
    // The scan survived; every entry it still serves must pass its integrity check.
    for (int i = 0; i < 200; ++i) {
      auto got = store->get(key_for("/p/" + std::to_string(i)).hash);
      if (got) {
        EXPECT_EQ(*(*got)->body, std::string(3000, 'c'));
      }
    }
  }
  const auto key = key_for("/after");
  EXPECT_TRUE(store->put(key.text, key.hash, entry_with("fresh")));
}

TEST(Store, FullDiskKeepsPreviousEntries) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_page_count = 64;  // 64 pages of 4 KiB: SQLite reports SQLITE_FULL beyond
  auto store = open_or_die(opts);
  int stored = 0;
  Result<void> last;
  for (int i = 0; i < 1000; ++i) {
    const auto key = key_for("/f/" + std::to_string(i));
    last = store->put(key.text, key.hash, entry_with(std::string(2000, 'f')));
    if (!last) break;
    ++stored;
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error(), Error::io_failure);
  ASSERT_GT(stored, 0);
  EXPECT_EQ(store->stats().total_entries, static_cast<std::uint64_t>(stored));
  for (int i = 0; i < stored; ++i) {
    auto got = store->get(key_for("/f/" + std::to_string(i)).hash);
    ASSERT_TRUE(got) << i;
  }
  store.reset();
  store = open_or_die(opts);
  EXPECT_EQ(store->stats().total_entries, static_cast<std::uint64_t>(stored));
}

TEST(Store, OneProcessAtATime) {
  TempDir dir;
  const auto opts = options_in(dir);
  auto first = open_or_die(opts);
  auto second = Store::open(opts);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use"), std::string::npos);
  first.reset();
  EXPECT_TRUE(Store::open(opts));
}

TEST(Store, RefusesANewerSchema) {
  TempDir dir;
  const auto opts = options_in(dir);
  open_or_die(opts).reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(opts.file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = Store::open(opts);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("newer"), std::string::npos) << s.error();
  EXPECT_TRUE(std::filesystem::exists(opts.file));  // left alone
}

TEST(Store, RenewKeepsTheBody) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  const auto key = key_for("/r");
  const auto entry = entry_with("same", wall_now() - std::chrono::seconds(1));
  ASSERT_TRUE(store->put(key.text, key.hash, entry));
  Entry renewed = *entry;
  renewed.expires_at = wall_now() + std::chrono::hours(2);
  ASSERT_TRUE(store->renew(key.hash, std::make_shared<const Entry>(renewed)));
  store.reset();
  store = open_or_die(options_in(dir));
  auto got = store->get(key.hash);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)->expires_at, renewed.expires_at);
  EXPECT_EQ(*(*got)->body, "same");
  EXPECT_EQ(store->renew(key_for("/absent").hash, entry).error(), Error::not_found);
}

}  // namespace
}  // namespace ipfsa::cache
