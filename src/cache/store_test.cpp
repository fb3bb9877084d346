#include "cache/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <fstream>
#include <vector>

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
  ASSERT_TRUE(store->put(key.text, key.digest, entry));
  auto got = store->get(key.digest);
  ASSERT_TRUE(got);
  EXPECT_EQ(*(*got)->body, *entry->body);
  EXPECT_EQ((*got)->cid, entry->cid);
  auto meta = store->peek(key.digest);
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->expires_ms, entry->expires_at.time_since_epoch().count());
  EXPECT_EQ(store->get(key_for("/repos/o/other").digest).error(), Error::not_found);
  EXPECT_EQ(store->get(KeyDigest{}).error(), Error::not_found);  // no text to mistype: a digest
  EXPECT_EQ(store->stats().total_entries, 1u);
  // Replace.
  ASSERT_TRUE(store->put(key.text, key.digest, entry_with("{\"v\":2}")));
  EXPECT_EQ(*(*store->get(key.digest))->body, "{\"v\":2}");
  EXPECT_EQ(store->stats().total_entries, 1u);
  // Erase.
  EXPECT_TRUE(*store->erase(key.digest));
  EXPECT_FALSE(*store->erase(key.digest));
  EXPECT_EQ(store->get(key.digest).error(), Error::not_found);
}

TEST(Store, ReopenPersistsEntriesAndColdReadsVerify) {
  TempDir dir;
  const auto opts = options_in(dir);
  {
    auto store = open_or_die(opts);
    for (int i = 0; i < 100; ++i) {
      const auto key = key_for("/item/" + std::to_string(i));
      ASSERT_TRUE(store->put(key.text, key.digest, entry_with("body " + std::to_string(i))));
    }
  }
  StoreOptions cold = opts;
  cold.hot_bytes = 0;  // every get reads SQLite
  auto store = open_or_die(cold);
  EXPECT_EQ(store->stats().total_entries, 100u);
  for (int i = 0; i < 100; ++i) {
    auto got = store->get(key_for("/item/" + std::to_string(i)).digest);
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
    ASSERT_TRUE(store->put(key.text, key.digest, entry_with(body)));
  }
  ASSERT_EQ(store->stats().total_entries, 8u);
  ASSERT_TRUE(store->get(key_for("/e/0").digest));  // 0 becomes the most recently used
  for (int i = 8; i < 12; ++i) {
    const auto key = key_for("/e/" + std::to_string(i));
    ASSERT_TRUE(store->put(key.text, key.digest, entry_with(body)));
  }
  const auto s = store->stats();
  EXPECT_LE(s.total_size_bytes, opts.max_bytes);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_TRUE(store->peek(key_for("/e/0").digest)) << "recently used entry was evicted";
  EXPECT_FALSE(store->peek(key_for("/e/1").digest)) << "oldest entry survived";
  EXPECT_TRUE(store->peek(key_for("/e/11").digest));
  // Evictions are in the database too, and the LRU order survives a reopen.
  store.reset();
  store = open_or_die(opts);
  EXPECT_EQ(store->stats().total_entries, s.total_entries);
  EXPECT_FALSE(store->peek(key_for("/e/1").digest));
  const auto key = key_for("/e/12");
  ASSERT_TRUE(store->put(key.text, key.digest, entry_with(body)));
  EXPECT_TRUE(store->peek(key_for("/e/0").digest));
}

TEST(Store, BoundsEntryCount) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_entries = 5;
  auto store = open_or_die(opts);
  for (int i = 0; i < 20; ++i) {
    const auto key = key_for("/n/" + std::to_string(i));
    ASSERT_TRUE(store->put(key.text, key.digest, entry_with("x")));
  }
  EXPECT_EQ(store->stats().total_entries, 5u);
  EXPECT_EQ(store->stats().evictions, 15u);
  EXPECT_TRUE(store->peek(key_for("/n/19").digest));
  EXPECT_FALSE(store->peek(key_for("/n/14").digest));
}

TEST(Store, PerEntryCap) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.max_bytes = 64 * 1024;
  auto store = open_or_die(opts);
  const auto small = key_for("/small");
  ASSERT_TRUE(store->put(small.text, small.digest, entry_with("kept")));
  const auto big = key_for("/big");
  // Over the store's whole budget: refused, nothing evicted.
  EXPECT_EQ(store->put(big.text, big.digest, entry_with(std::string(65 * 1024, 'b'))).error(),
            Error::too_large);
  EXPECT_TRUE(store->peek(small.digest));
  EXPECT_FALSE(store->peek(big.digest));
  // The per-entry cap applies regardless of the budget (make_entry refuses larger bodies, and
  // put() re-checks an Entry assembled by hand).
  opts.max_bytes = kDefaultMaxBytes;
  store.reset();
  store = open_or_die(opts);
  Entry huge = *entry_with("");
  huge.body = std::make_shared<const std::string>(kMaxEntryBytes + 1, 'h');
  EXPECT_EQ(store->put(big.text, big.digest, std::make_shared<const Entry>(huge)).error(),
            Error::too_large);
}

TEST(Store, InvalidateByPrefix) {
  TempDir dir;
  auto store = open_or_die(options_in(dir));
  for (auto t : {"/repos/o/r", "/repos/o/r/issues", "/repos/o/r2", "/repos/p/q", "/user"}) {
    const auto key = key_for(t);
    ASSERT_TRUE(store->put(key.text, key.digest, entry_with(t)));
  }
  auto n = store->erase_prefix("GET api.github.com/repos/o/r");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);  // r, r/issues and r2: a plain text prefix
  EXPECT_TRUE(store->peek(key_for("/repos/p/q").digest));
  EXPECT_TRUE(store->peek(key_for("/user").digest));
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
  EXPECT_TRUE(store->put(key.text, key.digest, entry_with("fresh")));
}

TEST(Store, CorruptPagesAreDetected) {
  TempDir dir;
  const auto opts = options_in(dir);
  {
    auto store = open_or_die(opts);
    for (int i = 0; i < 200; ++i) {
      const auto key = key_for("/p/" + std::to_string(i));
      ASSERT_TRUE(store->put(key.text, key.digest, entry_with(std::string(3000, 'c'))));
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
      auto got = store->get(key_for("/p/" + std::to_string(i)).digest);
      if (got) {
        EXPECT_EQ(*(*got)->body, std::string(3000, 'c'));
      }
    }
  }
  const auto key = key_for("/after");
  EXPECT_TRUE(store->put(key.text, key.digest, entry_with("fresh")));
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
    last = store->put(key.text, key.digest, entry_with(std::string(2000, 'f')));
    if (!last) break;
    ++stored;
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error(), Error::io_failure);
  ASSERT_GT(stored, 0);
  EXPECT_EQ(store->stats().total_entries, static_cast<std::uint64_t>(stored));
  for (int i = 0; i < stored; ++i) {
    auto got = store->get(key_for("/f/" + std::to_string(i)).digest);
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
  ASSERT_TRUE(store->put(key.text, key.digest, entry));
  Entry renewed = *entry;
  renewed.expires_at = wall_now() + std::chrono::hours(2);
  ASSERT_TRUE(store->renew(key.digest, std::make_shared<const Entry>(renewed)));
  store.reset();
  store = open_or_die(options_in(dir));
  auto got = store->get(key.digest);
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)->expires_at, renewed.expires_at);
  EXPECT_EQ(*(*got)->body, "same");
  EXPECT_EQ(store->renew(key_for("/absent").digest, entry).error(), Error::not_found);
}

// A hot hit hands back the very object that was stored; a cold read decodes a new one. So pointer
// identity shows which bodies are hot, and the order in which they leave.
TEST(Store, HotBodiesAreBoundedAndTheLeastRecentlyUsedLeavesFirst) {
  TempDir dir;
  auto opts = options_in(dir);
  opts.hot_bytes = 35000;  // three 10 000-byte bodies with their bookkeeping, not four
  auto store = open_or_die(opts);
  std::vector<CacheKey> keys;
  std::vector<EntryPtr> stored;
  for (int i = 0; i < 4; ++i) {
    keys.push_back(key_for("/hot/" + std::to_string(i)));
    stored.push_back(entry_with(std::string(10000, static_cast<char>('a' + i))));
    ASSERT_TRUE(store->put(keys[i].text, keys[i].digest, stored[i]));
  }
  EXPECT_EQ(store->stats().hot_entries, 3u);
  EXPECT_LE(store->stats().hot_bytes, opts.hot_bytes);
  auto hot = [&](int i) {
    auto got = store->get(keys[i].digest);
    EXPECT_TRUE(got);
    EXPECT_EQ(*(*got)->body, *stored[i]->body);
    return got && *got == stored[i];
  };
  EXPECT_TRUE(hot(3));   // hot order, oldest first: 1 2 3 -> 1 2 3
  EXPECT_TRUE(hot(2));   // -> 1 3 2
  EXPECT_FALSE(hot(0));  // put first, pushed out by 3; read back: -> 3 2 0 (1 leaves)
  EXPECT_FALSE(hot(1));  // -> 2 0 1 (3 leaves)
  EXPECT_TRUE(hot(2));
  EXPECT_FALSE(hot(3));
  EXPECT_EQ(store->stats().hot_entries, 3u);
  EXPECT_LE(store->stats().hot_bytes, opts.hot_bytes);
  EXPECT_EQ(store->stats().total_entries, 4u);  // the index keeps them all
}

std::int64_t row_count(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM entries", -1, &s, nullptr);
  const std::int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

// Rows the index cannot hold are deleted when the store opens: a key hash that is not 64
// lowercase hex characters, and a second row whose hash shares the first 128 bits of another's
// (the index key), which would otherwise be a row no one can reach or evict.
TEST(Store, OpenRemovesRowsTheIndexCannotHold) {
  TempDir dir;
  const auto opts = options_in(dir);
  const auto key = key_for("/indexed");
  {
    auto store = open_or_die(opts);
    ASSERT_TRUE(store->put(key.text, key.digest, entry_with("kept")));
  }
  std::string upper = key_for("/upper").hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string twin = key.hash.substr(0, 32);
  twin += key.hash[32] == '0' ? std::string(32, '1') : std::string(32, '0');
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(opts.file.c_str(), &db), SQLITE_OK);
    for (const auto& h : {upper, twin, std::string("not hex")}) {
      const std::string sql =
          "INSERT INTO entries(key_hash,size,expires_at,last_access,key,meta,body) VALUES('" + h +
          "',10,0,1,'GET x/" + h + "',x'00',x'00')";
      ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    sqlite3_close(db);
  }
  ASSERT_EQ(row_count(opts.file), 4);
  {
    auto store = open_or_die(opts);
    EXPECT_EQ(store->stats().total_entries, 1u);
  }
  EXPECT_EQ(row_count(opts.file), 1);
}

TEST(KeyDigest, HexRoundTripIsLowercaseOnly) {
  const auto key = key_for("/repos/o/r");
  EXPECT_EQ(key.digest, key_digest(key.text));
  ASSERT_TRUE(digest_from_hex(key.hash));
  EXPECT_EQ(*digest_from_hex(key.hash), key.digest);
  std::string upper = key.hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != key.hash) {
    EXPECT_FALSE(digest_from_hex(upper));
  }
  EXPECT_FALSE(digest_from_hex(key.hash.substr(0, 63)));
  EXPECT_FALSE(digest_from_hex(key.hash + "0"));
  EXPECT_FALSE(digest_from_hex(std::string(63, '0') + "g"));
  const CacheKey made = make_key(ApiKind::rest, key.text, key.path);
  EXPECT_EQ(made.hash, key.hash);
  EXPECT_EQ(made.digest, key.digest);
}

}  // namespace
}  // namespace ipfsa::cache
