#include "cache/lru_index.hpp"

#include <algorithm>

namespace ipfsa::cache {
namespace {

inline constexpr std::size_t kInitialBuckets = 1024;  // power of two

int hex_nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Hash128> hash128_from_hex(std::string_view key_hash) noexcept {
  if (key_hash.size() < 32) return std::nullopt;
  Hash128 h;
  for (std::size_t i = 0; i < 32; ++i) {
    const int v = hex_nibble(key_hash[i]);
    if (v < 0) return std::nullopt;
    std::uint64_t& part = i < 16 ? h.hi : h.lo;
    part = (part << 4) | static_cast<std::uint64_t>(v);
  }
  return h;
}

LruIndex::SlotId LruIndex::find(const Hash128& h) const noexcept {
  if (table_.empty()) return kNone;
  for (std::size_t b = bucket_of(h);; b = (b + 1) & (table_.size() - 1)) {
    const SlotId id = table_[b];
    if (id == kNone) return kNone;
    if (slots_[id].record.hash == h) return id;
  }
}

void LruIndex::grow_table() {
  const std::size_t buckets = table_.empty() ? kInitialBuckets : table_.size() * 2;
  table_.assign(buckets, kNone);
  for (SlotId id = head_; id != kNone; id = slots_[id].next) table_insert(id);
}

void LruIndex::table_insert(SlotId id) {
  std::size_t b = bucket_of(slots_[id].record.hash);
  while (table_[b] != kNone) b = (b + 1) & (table_.size() - 1);
  table_[b] = id;
}

// Backward-shift deletion keeps probe sequences intact without tombstones.
void LruIndex::table_erase(SlotId id) noexcept {
  const std::size_t mask = table_.size() - 1;
  std::size_t hole = bucket_of(slots_[id].record.hash);
  while (table_[hole] != id) hole = (hole + 1) & mask;
  for (std::size_t b = (hole + 1) & mask; table_[b] != kNone; b = (b + 1) & mask) {
    const std::size_t home = bucket_of(slots_[table_[b]].record.hash);
    // Move table_[b] into the hole if its home is not in the cyclic range (hole, b].
    const bool home_in_range = hole <= b ? (home > hole && home <= b) : (home > hole || home <= b);
    if (!home_in_range) {
      table_[hole] = table_[b];
      hole = b;
    }
  }
  table_[hole] = kNone;
}

void LruIndex::link_front(SlotId id) noexcept {
  slots_[id].prev = kNone;
  slots_[id].next = head_;
  if (head_ != kNone) slots_[head_].prev = id;
  head_ = id;
  if (tail_ == kNone) tail_ = id;
}

void LruIndex::unlink(SlotId id) noexcept {
  Slot& s = slots_[id];
  if (s.prev != kNone)
    slots_[s.prev].next = s.next;
  else
    head_ = s.next;
  if (s.next != kNone)
    slots_[s.next].prev = s.prev;
  else
    tail_ = s.prev;
  s.prev = s.next = kNone;
}

LruIndex::SlotId LruIndex::allocate_slot() {
  if (free_ != kNone) {
    const SlotId id = free_;
    free_ = slots_[id].next;
    return id;
  }
  slots_.emplace_back();
  return static_cast<SlotId>(slots_.size() - 1);
}

LruIndex::SlotId LruIndex::upsert(const IndexRecord& record) {
  if (SlotId id = find(record.hash); id != kNone) {
    total_bytes_ -= slots_[id].record.size;
    slots_[id].record = record;
    total_bytes_ += record.size;
    unlink(id);
    link_front(id);
    return id;
  }
  return insert_new(record);
}

LruIndex::SlotId LruIndex::insert_new(const IndexRecord& record) {
  if ((count_ + 1) * 2 > table_.size()) grow_table();
  const SlotId id = allocate_slot();
  slots_[id].record = record;
  link_front(id);
  table_insert(id);
  ++count_;
  total_bytes_ += record.size;
  return id;
}

void LruIndex::touch(SlotId id, std::uint64_t access_seq) noexcept {
  slots_[id].record.access_seq = access_seq;
  if (head_ == id) return;
  unlink(id);
  link_front(id);
}

void LruIndex::erase(SlotId id) noexcept {
  table_erase(id);
  unlink(id);
  total_bytes_ -= slots_[id].record.size;
  --count_;
  slots_[id].record = {};
  slots_[id].next = free_;
  free_ = id;
}

void LruIndex::clear() noexcept {
  slots_.clear();
  table_.clear();
  free_ = head_ = tail_ = kNone;
  count_ = 0;
  total_bytes_ = 0;
}

void LruIndex::reserve(std::size_t entries) {
  std::size_t buckets = kInitialBuckets;
  while (buckets < entries * 2) buckets *= 2;
  if (buckets <= table_.size()) return;
  slots_.reserve(entries);
  table_.assign(buckets, kNone);
  for (SlotId id = head_; id != kNone; id = slots_[id].next) table_insert(id);
}

// The caller guarantees distinct hashes (the table's primary key), so no lookup first.
void LruIndex::load(const IndexRecord& record) { insert_new(record); }

void LruIndex::finish_load() {
  std::vector<SlotId> order;
  order.reserve(count_);
  for (SlotId id = head_; id != kNone; id = slots_[id].next) order.push_back(id);
  std::sort(order.begin(), order.end(), [&](SlotId a, SlotId b) {
    return slots_[a].record.access_seq < slots_[b].record.access_seq;
  });
  head_ = tail_ = kNone;
  for (SlotId id : order) link_front(id);  // ascending: the most recent ends at the head
}

}  // namespace ipfsa::cache
