// The persistent cache store: one SQLite database in WAL mode plus an in-memory LRU index
// (docs/wire/cache-store.md, "Store"). Entries are named by their key digest (sha256 of the key
// text, binary); the database column holds its hex.
//
// Contract:
// - Thread-safe: one mutex serialises the index, the hot body cache and the SQLite connection.
// - put() is one SQLite transaction (upsert + any LRU evictions + pending access times): when it
//   returns success the entry survives kill -9 of the process (WAL, synchronous=NORMAL); on any
//   error (SQLITE_FULL included) it is rolled back and memory is unchanged.
// - Bounded: total bytes (body + meta + key) <= max_bytes, entries <= max_entries, each entry <=
//   kMaxEntryBytes; hot (decoded, in-memory) bodies <= hot_bytes.
// - Metadata lookups (peek) never touch the disk; get() reads SQLite only when the body is not in
//   the hot cache.
// - One process owns a store: open() takes an exclusive lock on "<file>.lock".
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/lru_map.hpp"
#include "base/status.hpp"
#include "cache/entry.hpp"
#include "cache/key.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ipfsa::cache {

inline constexpr std::uint64_t kDefaultMaxBytes = 512ull * 1024 * 1024;  // CACHE_MAX_BYTES
inline constexpr std::uint64_t kDefaultMaxEntries = 1ull << 20;          // CACHE_MAX_ENTRIES
inline constexpr std::uint64_t kMaxEntriesLimit = 1ull << 26;           // index slot ids are 32-bit
inline constexpr std::uint64_t kDefaultHotBytes = 64ull * 1024 * 1024;  // CACHE_HOT_BYTES
inline constexpr std::size_t kMaxPendingAccesses = 4096;  // LRU times buffered before a write
inline constexpr int kBusyTimeoutMs = 5000;
inline constexpr int kPageCacheKiB =
    16 * 1024;  // SQLite page cache (interior b-tree pages stay hot)
inline constexpr int kSchemaVersion = 1;

struct StoreOptions {
  std::filesystem::path file;  // the database; its directory is created (mode 0700) if missing
  std::uint64_t max_bytes = kDefaultMaxBytes;
  std::uint64_t max_entries = kDefaultMaxEntries;
  std::uint64_t hot_bytes = kDefaultHotBytes;
  std::int64_t max_page_count = 0;  // tests: > 0 caps the file (SQLite then reports SQLITE_FULL)
};

// What the index holds for an entry (peek() returns a copy).
struct IndexRecord {
  std::int64_t rowid = 0;
  std::int64_t expires_ms = 0;
  std::uint64_t access_seq = 0;  // larger = more recent; persisted as last_access
  std::uint32_t size = 0;        // counts against max_bytes
};

struct StoreStats {
  std::uint64_t total_entries = 0;
  std::uint64_t total_size_bytes = 0;
  std::uint64_t evictions = 0;
  std::uint64_t hot_entries = 0;
  std::uint64_t hot_bytes = 0;
};

class Store {
 public:
  // Opens or creates the store. A file SQLite reports as corrupt or not a database is renamed to
  // "<file>.corrupt-<unix seconds>" (with its -wal/-shm), logged, and a fresh store is created;
  // recovered_from() then names the renamed file. Other failures (permissions, locked by another
  // process, a newer schema) are messages.
  static Checked<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();  // writes buffered access times
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Index metadata only (never touches disk, does not count as a use).
  std::optional<IndexRecord> peek(const KeyDigest& key) const;
  // The entry, marked most recently used. Errors: not_found; malformed (a row failed its CID
  // check or decoding: it is removed); io_failure (SQLite, logged).
  Result<EntryPtr> get(const KeyDigest& key);
  // Inserts or replaces the entry for `key_text`, whose digest is `key` (the caller's: a
  // CacheKey's digest). Errors: too_large (entry over kMaxEntryBytes or max_bytes, key text over
  // kMaxKeyBytes), malformed (no entry or body), io_failure (SQLite error incl. disk full;
  // nothing changed).
  Result<void> put(std::string_view key_text, const KeyDigest& key, const EntryPtr& entry);
  // Replaces the meta of an existing entry whose body is unchanged (a 304 renewal).
  // Errors: not_found, malformed, io_failure.
  Result<void> renew(const KeyDigest& key, const EntryPtr& entry);
  // Errors: io_failure. Returns whether the key was present.
  Result<bool> erase(const KeyDigest& key);
  // Removes every entry whose key text starts with `prefix` ("" = all). Returns the count.
  Result<std::size_t> erase_prefix(std::string_view prefix);
  Result<std::size_t> clear() { return erase_prefix(""); }
  // Writes buffered access times now.
  Result<void> flush();

  StoreStats stats() const;
  const std::filesystem::path& file() const noexcept { return options_.file; }
  const std::filesystem::path& recovered_from() const noexcept { return recovered_from_; }

 private:
  Store(StoreOptions options, int lock_fd);
  struct OpenOutcome {
    bool ok = false;
    bool corrupt = false;
    std::string message;
  };
  OpenOutcome open_db();
  void close_db() noexcept;
  OpenOutcome load_index();
  Result<void> write_accesses_locked();  // inside or outside a transaction
  Result<void> exec_locked(const char* sql);

  // The index key: the digest's first 128 bits (collisions among 2^20 keys: probability ~2^-88),
  // so an entry costs ~64 bytes of memory.
  struct Hash128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    friend bool operator==(const Hash128&, const Hash128&) = default;
  };
  struct Hash128Hash {
    std::size_t operator()(const Hash128& h) const noexcept { return h.lo; }
  };
  struct Row {
    std::int64_t rowid = 0;
    std::int64_t expires_ms = 0;
    std::uint64_t access_seq = 0;
  };
  // Key digest prefix -> row, charged with the entry's size, bounded by max_entries and max_bytes.
  using Index = LruMap<Hash128, Row, Hash128Hash>;
  // Index handle -> decoded entry, charged with the memory it holds, bounded by hot_bytes.
  using HotBodies = LruMap<Index::Handle, EntryPtr>;
  static Hash128 index_key(const KeyDigest& key) noexcept;
  void hot_put_locked(Index::Handle id, const EntryPtr& entry);
  void forget_locked(Index::Handle id) noexcept;  // drops an index entry and all it refers to

  StoreOptions options_;
  int lock_fd_ = -1;
  std::filesystem::path recovered_from_;

  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* renew_ = nullptr;
  sqlite3_stmt* delete_rowid_ = nullptr;
  sqlite3_stmt* select_range_ = nullptr;
  sqlite3_stmt* delete_range_ = nullptr;
  sqlite3_stmt* touch_ = nullptr;
  Index index_;
  std::uint64_t next_access_seq_ = 1;
  std::vector<Index::Handle> pending_accesses_;  // live entries only (forget_locked removes)
  std::uint64_t evictions_ = 0;
  HotBodies hot_;
};

}  // namespace ipfsa::cache
