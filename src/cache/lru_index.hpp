// The store's in-memory index: 128-bit key-hash prefix -> {rowid, expiry, size, access sequence},
// kept in least-recently-used order. Compact on purpose (about 64 bytes per entry, no allocation
// per entry) so a million entries open fast and cost a bounded amount of memory.
// Not thread-safe: the Store serialises access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ipfsa::cache {

// The first 128 bits of a key hash: collisions among 2^20 keys have probability ~2^-88.
struct Hash128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend bool operator==(const Hash128&, const Hash128&) = default;
};
// From the 64-hex-character key hash (first 32 characters used); nullopt if not hex.
std::optional<Hash128> hash128_from_hex(std::string_view key_hash) noexcept;

struct IndexRecord {
  Hash128 hash;
  std::int64_t rowid = 0;
  std::int64_t expires_ms = 0;
  std::uint64_t access_seq = 0;  // larger = more recent; persisted as last_access
  std::uint32_t size = 0;
};

class LruIndex {
 public:
  using SlotId = std::uint32_t;
  static constexpr SlotId kNone = 0xFFFFFFFFu;

  std::size_t size() const noexcept { return count_; }
  std::uint64_t total_bytes() const noexcept { return total_bytes_; }

  SlotId find(const Hash128& h) const noexcept;
  const IndexRecord& at(SlotId id) const noexcept { return slots_[id].record; }
  // Inserts or replaces; the entry becomes the most recently used.
  SlotId upsert(const IndexRecord& record);
  void set_expiry(SlotId id, std::int64_t expires_ms) noexcept {
    slots_[id].record.expires_ms = expires_ms;
  }
  // Marks as most recently used with a new access sequence number.
  void touch(SlotId id, std::uint64_t access_seq) noexcept;
  void erase(SlotId id) noexcept;
  void clear() noexcept;
  // The least recently used entry, then walking towards newer ones; kNone at the end.
  SlotId oldest() const noexcept { return tail_; }
  SlotId newer(SlotId id) const noexcept { return slots_[id].prev; }

  // Sizes the table for `entries` without rehashing later.
  void reserve(std::size_t entries);
  // Bulk load: add records with distinct hashes in any order, then finish_load() orders the LRU
  // list by access_seq.
  void load(const IndexRecord& record);
  void finish_load();

 private:
  struct Slot {
    IndexRecord record;
    SlotId prev = kNone;  // towards the head (newer)
    SlotId next = kNone;  // towards the tail (older); also the free-list link
  };
  std::size_t bucket_of(const Hash128& h) const noexcept { return h.lo & (table_.size() - 1); }
  void grow_table();
  void table_insert(SlotId id);
  void table_erase(SlotId id) noexcept;
  void link_front(SlotId id) noexcept;
  void unlink(SlotId id) noexcept;
  SlotId allocate_slot();
  SlotId insert_new(const IndexRecord& record);  // REQUIRES: record.hash not present

  std::vector<Slot> slots_;
  std::vector<SlotId> table_;  // open addressing, linear probing; kNone = empty
  SlotId free_ = kNone;
  SlotId head_ = kNone;  // most recently used
  SlotId tail_ = kNone;  // least recently used
  std::size_t count_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace ipfsa::cache
