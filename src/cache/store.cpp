#include "cache/store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <system_error>

#include "base/bytes.hpp"
#include "base/log.hpp"

namespace ipfsa::cache {
namespace {

// One table; see docs/wire/cache-store.md. `size` is what counts against max_bytes, `last_access`
// is an access sequence number (LRU order), `expires_at` is Unix milliseconds (copied out of meta
// so the index loads without decoding meta).
// Small fixed columns first: reading them never walks a body's overflow pages. The covering
// index lets open() load the in-memory index without reading the table's pages at all.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS entries("
    " key_hash TEXT PRIMARY KEY NOT NULL,"
    " size INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " last_access INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " meta BLOB NOT NULL,"
    " body BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS entries_by_key ON entries(key);"
    "CREATE INDEX IF NOT EXISTS entries_scan ON entries(key_hash, size, expires_at, last_access);";

bool is_corrupt_code(int rc) noexcept {
  const int primary = rc & 0xFF;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// The smallest string greater than every string starting with `prefix` ("" if none exists).
std::string prefix_upper_bound(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  if (!upper.empty())
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  return upper;
}

// Memory a hot entry holds: the body, the Entry and its strings, and its bookkeeping.
std::size_t hot_cost(const Entry& e) noexcept {
  std::size_t n = sizeof(Entry) + e.body->size() + e.cid.size() + e.origin.size() + e.signature.size() + 160;
  for (const auto& h : e.headers) n += sizeof(Header) + h.name.size() + h.value.size();
  return n;
}

class Reset {  // resets a cached statement on scope exit
 public:
  explicit Reset(sqlite3_stmt* s) noexcept : s_(s) {}
  ~Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* s_;
};

void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}
void bind_blob(sqlite3_stmt* s, int i, const void* data, std::size_t n) {
  sqlite3_bind_blob(s, i, n ? data : "", static_cast<int>(n), SQLITE_STATIC);
}

}  // namespace

Store::Store(StoreOptions options, int lock_fd)
    : options_(std::move(options)),
      lock_fd_(lock_fd),
      index_(options_.max_entries, options_.max_bytes),
      hot_(HotBodies::kUnlimitedEntries, options_.hot_bytes) {}

Store::Hash128 Store::index_key(const KeyDigest& key) noexcept {
  Hash128 h;
  std::memcpy(&h.hi, key.data(), sizeof h.hi);
  std::memcpy(&h.lo, key.data() + sizeof h.hi, sizeof h.lo);
  return h;
}

Store::~Store() {
  {
    std::lock_guard lock(mutex_);
    if (db_ != nullptr && !pending_accesses_.empty()) (void)write_accesses_locked();
  }
  close_db();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Checked<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  using R = Checked<std::unique_ptr<Store>>;
  if (options.file.empty()) return R::failure("cache store: no database file given");
  if (options.max_entries == 0 || options.max_entries > kMaxEntriesLimit) {
    return R::failure("cache store: max_entries must be 1.." + std::to_string(kMaxEntriesLimit));
  }
  std::error_code ec;
  const auto dir = options.file.parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return R::failure("cannot create cache directory " + dir.string() + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  const std::string lock_path = options.file.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return R::failure("cannot open " + lock_path + ": " + std::generic_category().message(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return R::failure("cache store " + options.file.string() +
                      " is in use by another process (lock " + lock_path + ")");
  }
  // Private data may be cached: create the database owner-only before SQLite does (SQLite gives
  // the -wal and -shm files the same permissions).
  if (const int db_fd = ::open(options.file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      db_fd >= 0) {
    ::close(db_fd);
  }
  std::unique_ptr<Store> store(new Store(options, fd));
  OpenOutcome outcome = store->open_db();
  if (!outcome.ok && outcome.corrupt) {
    store->close_db();
    const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    std::filesystem::path aside = options.file.string() + ".corrupt-" + std::to_string(stamp);
    for (int n = 1; std::filesystem::exists(aside, ec); ++n) {
      aside = options.file.string() + ".corrupt-" + std::to_string(stamp) + "-" + std::to_string(n);
    }
    std::filesystem::rename(options.file, aside, ec);
    if (ec) {
      return R::failure("cache store " + options.file.string() + " is corrupt (" + outcome.message +
                        ") and could not be moved aside: " + ec.message());
    }
    for (const char* suffix : {"-wal", "-shm"}) {
      std::filesystem::rename(options.file.string() + suffix, aside.string() + suffix, ec);
    }
    log::warn("cache store {} is corrupt ({}); moved it to {} and started an empty store",
              options.file.string(), outcome.message, aside.string());
    store->recovered_from_ = aside;
    outcome = store->open_db();
  }
  if (!outcome.ok) {
    return R::failure("cannot open cache store " + options.file.string() + ": " + outcome.message);
  }
  return R(std::move(store));
}

Store::OpenOutcome Store::open_db() {
  auto fail = [this](int rc) {
    OpenOutcome o;
    o.corrupt = is_corrupt_code(rc);
    o.message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    return o;
  };
  int rc =
      sqlite3_open_v2(options_.file.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // WAL + synchronous=NORMAL: a commit appends to the WAL without fsync, so a committed
  // transaction survives a process crash (the OS has the pages) but the last ones may be lost on
  // power failure; the database is never corrupted either way (sqlite.org/wal.html,
  // pragma.html#pragma_synchronous). A cache can refetch: this trades power-loss durability of
  // the newest entries for commits that cost no fsync.
  // We own the store (the flock in open()), so SQLite may keep its file locks for the whole
  // session: no lock/unlock syscalls per read, and the WAL index lives in heap memory (no -shm).
  rc = sqlite3_exec(db_, "PRAGMA locking_mode=EXCLUSIVE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  const std::string pragmas =
      "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA secure_delete=OFF;"
      "PRAGMA cache_size=-" +
      std::to_string(kPageCacheKiB) + ";" +
      (options_.max_page_count > 0
           ? "PRAGMA max_page_count=" + std::to_string(options_.max_page_count) + ";"
           : std::string());
  rc = sqlite3_exec(db_, pragmas.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);

  sqlite3_stmt* version = nullptr;
  rc = sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &version, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  rc = sqlite3_step(version);
  const int user_version = rc == SQLITE_ROW ? sqlite3_column_int(version, 0) : -1;
  sqlite3_finalize(version);
  if (rc != SQLITE_ROW) return fail(rc);
  if (user_version > kSchemaVersion) {
    OpenOutcome o;
    o.message = "schema version " + std::to_string(user_version) +
                " was written by a newer ipfs-accelerate (this one reads " +
                std::to_string(kSchemaVersion) + ")";
    return o;
  }
  rc = sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(rc);
  if (user_version < kSchemaVersion) {
    rc = sqlite3_exec(db_, "PRAGMA user_version=1", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(rc);
  }
  const std::pair<sqlite3_stmt**, const char*> statements[] = {
      {&upsert_,
       "INSERT INTO entries(key_hash,key,meta,body,size,expires_at,last_access) "
       "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(key_hash) DO UPDATE SET key=excluded.key,"
       "meta=excluded.meta,body=excluded.body,size=excluded.size,expires_at=excluded.expires_at,"
       "last_access=excluded.last_access RETURNING rowid"},
      {&select_, "SELECT meta, body FROM entries WHERE rowid=?1"},
      {&renew_, "UPDATE entries SET meta=?2, size=?3, expires_at=?4 WHERE rowid=?1"},
      {&delete_rowid_, "DELETE FROM entries WHERE rowid=?1"},
      {&select_range_, "SELECT key_hash FROM entries WHERE key >= ?1 AND (?2 = '' OR key < ?2)"},
      {&delete_range_, "DELETE FROM entries WHERE key >= ?1 AND (?2 = '' OR key < ?2)"},
      {&touch_, "UPDATE entries SET last_access=?2 WHERE rowid=?1"},
  };
  for (const auto& [stmt, sql] : statements) {
    rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr);
    if (rc != SQLITE_OK) return fail(rc);
  }
  return load_index();
}

Store::OpenOutcome Store::load_index() {
  index_.clear();
  sqlite3_stmt* scan = nullptr;
  // max(rowid) is an O(log n) bound on the row count: size the index once.
  if (sqlite3_prepare_v2(db_, "SELECT max(rowid) FROM entries", -1, &scan, nullptr) == SQLITE_OK &&
      sqlite3_step(scan) == SQLITE_ROW) {
    const auto rows =
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, sqlite3_column_int64(scan, 0)));
    index_.reserve(static_cast<std::size_t>(std::min(rows, options_.max_entries)));
  }
  sqlite3_finalize(scan);
  scan = nullptr;
  int rc = sqlite3_prepare_v2(
      db_,
      "SELECT rowid, key_hash, size, expires_at, last_access FROM entries INDEXED BY entries_scan",
      -1, &scan, nullptr);
  std::vector<std::int64_t> bad_rows;
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(scan);
    if (rc != SQLITE_ROW) break;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(scan, 1));
    const auto digest = digest_from_hex(
        text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(scan, 1)))
             : "");
    const std::int64_t size = sqlite3_column_int64(scan, 2);
    Row row;
    row.rowid = sqlite3_column_int64(scan, 0);
    row.expires_ms = sqlite3_column_int64(scan, 3);
    row.access_seq = static_cast<std::uint64_t>(sqlite3_column_int64(scan, 4));
    // A row this version cannot index, or a second row for an indexed key (a 128-bit collision).
    if (!digest || size < 0 || static_cast<std::uint64_t>(size) > kMaxEntryBytes + 2 * kMaxKeyBytes ||
        !index_.load(index_key(*digest), row, static_cast<std::uint32_t>(size))) {
      bad_rows.push_back(row.rowid);
      continue;
    }
    next_access_seq_ = std::max(next_access_seq_, row.access_seq + 1);
  }
  sqlite3_finalize(scan);
  if (rc != SQLITE_DONE) {
    OpenOutcome o;
    o.corrupt = is_corrupt_code(rc);
    o.message = sqlite3_errmsg(db_);
    return o;
  }
  index_.order_by([](const Row& a, const Row& b) { return a.access_seq < b.access_seq; });
  for (std::int64_t rowid : bad_rows) {  // rows this version cannot index are useless
    Reset reset(delete_rowid_);
    sqlite3_bind_int64(delete_rowid_, 1, rowid);
    (void)sqlite3_step(delete_rowid_);
  }
  if (!bad_rows.empty()) log::warn("cache store: removed {} unreadable rows", bad_rows.size());
  OpenOutcome o;
  o.ok = true;
  return o;
}

void Store::close_db() noexcept {
  for (sqlite3_stmt** s :
       {&upsert_, &select_, &renew_, &delete_rowid_, &select_range_, &delete_range_, &touch_}) {
    sqlite3_finalize(*s);
    *s = nullptr;
  }
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<void> Store::exec_locked(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    log::warn("cache store: '{}' failed: {}", sql, sqlite3_errmsg(db_));
    return Error::io_failure;
  }
  return {};
}

std::optional<IndexRecord> Store::peek(const KeyDigest& key) const {
  std::lock_guard lock(mutex_);
  const auto id = index_.find(index_key(key));
  if (id == Index::kNone) return std::nullopt;
  const Row& row = index_.value(id);
  return IndexRecord{row.rowid, row.expires_ms, row.access_seq, index_.charge(id)};
}

void Store::hot_put_locked(Index::Handle id, const EntryPtr& entry) {
  const std::size_t bytes = hot_cost(*entry);
  if (bytes > std::numeric_limits<HotBodies::Charge>::max()) {
    hot_.erase(id);
    return;
  }
  // Replaces this entry's hot body; one over hot_bytes is not kept. What it pushes out is dropped.
  (void)hot_.put(id, entry, static_cast<HotBodies::Charge>(bytes));
}

void Store::forget_locked(Index::Handle id) noexcept {
  hot_.erase(id);
  std::erase(pending_accesses_, id);
  index_.erase_at(id);
}

Result<EntryPtr> Store::get(const KeyDigest& key) {
  std::lock_guard lock(mutex_);
  const auto id = index_.find(index_key(key));
  if (id == Index::kNone) return Error::not_found;
  index_.touch(id);
  index_.value(id).access_seq = next_access_seq_++;
  if (pending_accesses_.size() < kMaxPendingAccesses) pending_accesses_.push_back(id);
  if (const EntryPtr* hot = hot_.get(id)) return *hot;
  const std::int64_t rowid = index_.value(id).rowid;
  Result<Entry> decoded = Error::io_failure;
  {
    Reset reset(select_);
    sqlite3_bind_int64(select_, 1, rowid);
    const int rc = sqlite3_step(select_);
    if (rc != SQLITE_ROW) {
      log::warn("cache store: reading an entry failed: {}", sqlite3_errmsg(db_));
      return Error::io_failure;
    }
    const auto* meta = static_cast<const std::uint8_t*>(sqlite3_column_blob(select_, 0));
    const auto meta_size = static_cast<std::size_t>(sqlite3_column_bytes(select_, 0));
    const auto* body = static_cast<const char*>(sqlite3_column_blob(select_, 1));
    const auto body_size = static_cast<std::size_t>(sqlite3_column_bytes(select_, 1));
    decoded = decode_meta(ByteView(meta, meta_size),
                          std::make_shared<const std::string>(body ? body : "", body_size));
  }
  if (!decoded) {
    log::warn("cache store: removing an entry that fails its integrity check ({})",
              decoded.error().message());
    Reset reset(delete_rowid_);
    sqlite3_bind_int64(delete_rowid_, 1, rowid);
    if (sqlite3_step(delete_rowid_) == SQLITE_DONE) forget_locked(id);
    return Error::malformed;
  }
  auto entry = std::make_shared<const Entry>(std::move(*decoded));
  hot_put_locked(id, entry);
  return entry;
}

Result<void> Store::write_accesses_locked() {
  std::sort(pending_accesses_.begin(), pending_accesses_.end());
  pending_accesses_.erase(std::unique(pending_accesses_.begin(), pending_accesses_.end()),
                          pending_accesses_.end());
  for (const Index::Handle id : pending_accesses_) {
    const Row& r = index_.value(id);
    Reset reset(touch_);
    sqlite3_bind_int64(touch_, 1, r.rowid);
    sqlite3_bind_int64(touch_, 2, static_cast<std::int64_t>(r.access_seq));
    if (sqlite3_step(touch_) != SQLITE_DONE) {
      log::warn("cache store: recording access times failed: {}", sqlite3_errmsg(db_));
      return Error::io_failure;
    }
  }
  pending_accesses_.clear();
  return {};
}

Result<void> Store::flush() {
  std::lock_guard lock(mutex_);
  if (pending_accesses_.empty()) return {};
  if (auto ok = exec_locked("BEGIN IMMEDIATE"); !ok) return ok;
  if (auto ok = write_accesses_locked(); !ok) {
    (void)exec_locked("ROLLBACK");
    return ok;
  }
  if (auto ok = exec_locked("COMMIT"); !ok) {
    (void)exec_locked("ROLLBACK");
    return ok;
  }
  return {};
}

Result<void> Store::put(std::string_view key_text, const KeyDigest& key, const EntryPtr& entry) {
  if (!entry || !entry->body) return Error::malformed;
  if (key_text.size() > kMaxKeyBytes) return Error::too_large;
  const Bytes meta = encode_meta(*entry);
  const std::size_t size = entry_size(*entry, meta.size()) + key_text.size();
  if (entry->body->size() > kMaxEntryBytes || size > options_.max_bytes ||
      size > std::numeric_limits<Index::Charge>::max()) {
    return Error::too_large;
  }
  const auto charge = static_cast<Index::Charge>(size);
  const Hash128 h = index_key(key);
  const std::string key_hash = hex_encode(key);

  std::lock_guard lock(mutex_);
  // Victims: least recently used first, until the new entry fits both bounds. Their rows go in
  // this transaction; memory follows once it committed.
  const std::vector<Index::Handle> victims = index_.plan_eviction(h, charge);
  const std::uint64_t seq = next_access_seq_++;
  if (auto ok = exec_locked("BEGIN IMMEDIATE"); !ok) return ok;
  auto rollback = [this](const char* what) -> Result<void> {
    log::warn("cache store: {} failed: {}", what, sqlite3_errmsg(db_));
    (void)exec_locked("ROLLBACK");
    return Error::io_failure;
  };
  for (const auto id : victims) {
    Reset reset(delete_rowid_);
    sqlite3_bind_int64(delete_rowid_, 1, index_.value(id).rowid);
    if (sqlite3_step(delete_rowid_) != SQLITE_DONE) return rollback("evicting");
  }
  std::int64_t rowid = 0;
  {
    Reset reset(upsert_);
    bind_text(upsert_, 1, key_hash);
    bind_text(upsert_, 2, key_text);
    bind_blob(upsert_, 3, meta.data(), meta.size());
    bind_blob(upsert_, 4, entry->body->data(), entry->body->size());
    sqlite3_bind_int64(upsert_, 5, static_cast<std::int64_t>(size));
    sqlite3_bind_int64(upsert_, 6, entry->expires_at.time_since_epoch().count());
    sqlite3_bind_int64(upsert_, 7, static_cast<std::int64_t>(seq));
    if (sqlite3_step(upsert_) != SQLITE_ROW) return rollback("writing an entry");
    rowid = sqlite3_column_int64(upsert_, 0);
    if (sqlite3_step(upsert_) != SQLITE_DONE) return rollback("writing an entry");
  }
  if (!pending_accesses_.empty()) {
    // Victims are still in the index: skip them so their rows are not touched back to life.
    std::vector<Index::Handle> kept = pending_accesses_;
    for (const auto id : victims) std::erase(kept, id);
    std::swap(kept, pending_accesses_);
    if (!write_accesses_locked()) {
      pending_accesses_ = std::move(kept);  // memory is unchanged on failure
      return rollback("recording access times");
    }
  }
  if (!exec_locked("COMMIT")) {
    (void)exec_locked("ROLLBACK");
    return Error::io_failure;
  }
  // Committed: now memory follows.
  for (const auto id : victims) forget_locked(id);
  evictions_ += victims.size();
  // The victims were exactly what the bounds required: this put evicts nothing more.
  const auto put = index_.put(h, Row{rowid, entry->expires_at.time_since_epoch().count(), seq}, charge);
  if (put.handle != Index::kNone) hot_put_locked(put.handle, entry);
  return {};
}

Result<void> Store::renew(const KeyDigest& key, const EntryPtr& entry) {
  if (!entry || !entry->body) return Error::malformed;
  const Bytes meta = encode_meta(*entry);
  std::lock_guard lock(mutex_);
  const auto id = index_.find(index_key(key));
  if (id == Index::kNone) return Error::not_found;
  // The size stays as put() measured it: only meta changed, by a few bytes at most.
  Row& row = index_.value(id);
  Reset reset(renew_);
  sqlite3_bind_int64(renew_, 1, row.rowid);
  bind_blob(renew_, 2, meta.data(), meta.size());
  sqlite3_bind_int64(renew_, 3, static_cast<std::int64_t>(index_.charge(id)));
  sqlite3_bind_int64(renew_, 4, entry->expires_at.time_since_epoch().count());
  if (sqlite3_step(renew_) != SQLITE_DONE) {
    log::warn("cache store: renewing an entry failed: {}", sqlite3_errmsg(db_));
    return Error::io_failure;
  }
  row.expires_ms = entry->expires_at.time_since_epoch().count();
  row.access_seq = next_access_seq_++;
  index_.touch(id);
  if (pending_accesses_.size() < kMaxPendingAccesses) pending_accesses_.push_back(id);
  hot_put_locked(id, entry);
  return {};
}

Result<bool> Store::erase(const KeyDigest& key) {
  std::lock_guard lock(mutex_);
  const auto id = index_.find(index_key(key));
  if (id == Index::kNone) return false;
  Reset reset(delete_rowid_);
  sqlite3_bind_int64(delete_rowid_, 1, index_.value(id).rowid);
  if (sqlite3_step(delete_rowid_) != SQLITE_DONE) {
    log::warn("cache store: erasing an entry failed: {}", sqlite3_errmsg(db_));
    return Error::io_failure;
  }
  forget_locked(id);
  return true;
}

Result<std::size_t> Store::erase_prefix(std::string_view prefix) {
  const std::string upper = prefix_upper_bound(prefix);
  std::lock_guard lock(mutex_);
  if (auto ok = exec_locked("BEGIN IMMEDIATE"); !ok) return ok.error();
  std::vector<Hash128> removed;
  int rc = SQLITE_OK;
  {
    Reset reset(select_range_);
    bind_text(select_range_, 1, prefix);
    bind_text(select_range_, 2, upper);
    while ((rc = sqlite3_step(select_range_)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_range_, 0));
      const auto digest = digest_from_hex(
          text ? std::string_view(
                     text, static_cast<std::size_t>(sqlite3_column_bytes(select_range_, 0)))
               : "");
      if (digest) removed.push_back(index_key(*digest));
    }
  }
  if (rc == SQLITE_DONE) {
    Reset reset(delete_range_);
    bind_text(delete_range_, 1, prefix);
    bind_text(delete_range_, 2, upper);
    rc = sqlite3_step(delete_range_);
  }
  if (rc != SQLITE_DONE || !exec_locked("COMMIT")) {
    log::warn("cache store: invalidating '{}' failed: {}", prefix, sqlite3_errmsg(db_));
    (void)exec_locked("ROLLBACK");
    return Error::io_failure;
  }
  if (prefix.empty()) {
    // Everything: also drop index rows whose database rows were unreadable.
    const std::size_t n = index_.size();
    index_.clear();
    hot_.clear();
    pending_accesses_.clear();
    return n;
  }
  std::size_t n = 0;
  for (const auto& h : removed) {
    if (const auto id = index_.find(h); id != Index::kNone) {
      forget_locked(id);
      ++n;
    }
  }
  return n;
}

StoreStats Store::stats() const {
  std::lock_guard lock(mutex_);
  StoreStats s;
  s.total_entries = index_.size();
  s.total_size_bytes = index_.total_bytes();
  s.evictions = evictions_;
  s.hot_entries = hot_.size();
  s.hot_bytes = hot_.total_bytes();
  return s;
}

}  // namespace ipfsa::cache
