// LruMap: a hash map bounded by entry count and by bytes, kept in least-recently-used order. The one
// LRU of the project: the cache store's index and hot bodies, the swarm's holder index and the
// p2p address book.
//
// Contract:
// - Every entry carries a byte charge (what it costs against max_bytes; 0 is allowed). Whenever a
//   put() returns, size() <= max_entries and total_bytes() <= max_bytes, unless load() brought in
//   more: load() never evicts, the next put() does.
// - put() inserts or replaces (value and charge) and makes the entry the most recently used. To
//   make room it evicts the least recently used entries, never the one being put, and returns them
//   oldest first: the map no longer holds them, the caller acts on them. An entry that cannot fit
//   at all (charge > max_bytes, or max_entries == 0) is not stored: put() removes any previous
//   entry under its key, evicts nothing else and returns handle == kNone.
// - plan_eviction() says which entries a put() would evict without changing anything, so a caller
//   can first make the evictions durable (the store deletes their rows in the put's transaction)
//   and only then change memory.
// - get() and touch() mark an entry most recently used; find(), peek() and iteration do not.
// - find/get/peek/touch/put/erase are O(1) on average (open addressing, linear probing, load
//   factor <= 1/2, backward-shift deletion, an intrusive doubly linked recency list).
// - A Handle names an entry until it is erased or evicted; then it may be reused by a later entry.
//   References from value()/get()/peek() are valid until the next put() or load().
// - Key and Value must be nothrow-movable. An erased entry's key and value are destroyed (reset
//   to their defaults, or held in an optional for types without one) at once: a free slot holds
//   no memory.
// - Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace ipfsa {

template <class Key, class Value, class Hash = std::hash<Key>, class KeyEqual = std::equal_to<Key>>
class LruMap {
 public:
  using Handle = std::uint32_t;
  using Charge = std::uint32_t;  // one entry's bytes
  static constexpr Handle kNone = std::numeric_limits<Handle>::max();
  static constexpr std::size_t kUnlimitedEntries = std::numeric_limits<Handle>::max() - 1;
  static constexpr std::uint64_t kUnlimitedBytes = std::numeric_limits<std::uint64_t>::max();

  struct Evicted {
    Key key;
    Value value;
    Charge charge = 0;
  };
  struct PutResult {
    Handle handle = kNone;         // the entry put; kNone if it could not fit at all
    std::vector<Evicted> evicted;  // least recently used first
  };

  explicit LruMap(std::size_t max_entries = kUnlimitedEntries,
                  std::uint64_t max_bytes = kUnlimitedBytes)
      : max_entries_(std::min(max_entries, kUnlimitedEntries)), max_bytes_(max_bytes) {}

  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  std::uint64_t total_bytes() const noexcept { return total_bytes_; }
  std::size_t max_entries() const noexcept { return max_entries_; }
  std::uint64_t max_bytes() const noexcept { return max_bytes_; }

  Handle find(const Key& key) const noexcept {
    if (table_.empty()) return kNone;
    for (std::size_t b = bucket_of(key);; b = (b + 1) & mask()) {
      const Handle h = table_[b];
      if (h == kNone) return kNone;
      if (equal_(slot_key(h), key)) return h;
    }
  }
  bool contains(const Key& key) const noexcept { return find(key) != kNone; }
  // Without marking the entry used; nullptr if absent.
  Value* peek(const Key& key) noexcept {
    const Handle h = find(key);
    return h == kNone ? nullptr : &slot_value(h);
  }
  const Value* peek(const Key& key) const noexcept {
    const Handle h = find(key);
    return h == kNone ? nullptr : &slot_value(h);
  }
  // Marks the entry most recently used; nullptr if absent.
  Value* get(const Key& key) noexcept {
    const Handle h = find(key);
    if (h == kNone) return nullptr;
    touch(h);
    return &slot_value(h);
  }

  const Key& key(Handle h) const noexcept { return unwrap(slots_[h].key); }
  Value& value(Handle h) noexcept { return unwrap(slots_[h].value); }
  const Value& value(Handle h) const noexcept { return unwrap(slots_[h].value); }
  Charge charge(Handle h) const noexcept { return slots_[h].charge; }
  void touch(Handle h) noexcept {
    if (head_ == h) return;
    unlink(h);
    link_front(h);
  }

  // The entries put(key, _, charge) would evict, least recently used first.
  std::vector<Handle> plan_eviction(const Key& key, Charge charge) const {
    std::vector<Handle> victims;
    if (!fits(charge)) return victims;
    const Handle existing = find(key);
    std::uint64_t bytes = total_bytes_;
    std::size_t count = count_;
    if (existing != kNone) {
      bytes -= slots_[existing].charge;
      --count;
    }
    for (Handle h = tail_; h != kNone && (bytes + charge > max_bytes_ || count + 1 > max_entries_);
         h = slots_[h].prev) {
      if (h == existing) continue;
      victims.push_back(h);
      bytes -= slots_[h].charge;
      --count;
    }
    return victims;
  }

  PutResult put(Key key, Value value, Charge charge = 0) {
    PutResult result;
    Handle h = find(key);
    if (!fits(charge)) {
      if (h != kNone) erase_at(h);
      return result;
    }
    for (const Handle victim : plan_eviction(key, charge)) result.evicted.push_back(take(victim));
    if (h == kNone) {
      h = insert_new(std::move(key), std::move(value), charge);
    } else {
      Slot& s = slots_[h];
      total_bytes_ = total_bytes_ - s.charge + charge;
      s.value = std::move(value);  // the Stored<Value> takes a Value either way
      s.charge = charge;
      touch(h);
    }
    result.handle = h;
    return result;
  }

  bool erase(const Key& key) noexcept {
    const Handle h = find(key);
    if (h == kNone) return false;
    erase_at(h);
    return true;
  }
  void erase_at(Handle h) noexcept {
    table_erase(h);
    unlink(h);
    free_slot(h);
  }
  // Removes the entry and hands it over.
  Evicted take(Handle h) noexcept {
    table_erase(h);
    unlink(h);
    Slot& s = slots_[h];
    Evicted out{std::move(unwrap(s.key)), std::move(unwrap(s.value)), s.charge};
    free_slot(h);
    return out;
  }
  void clear() noexcept {
    slots_.clear();
    table_.clear();
    free_ = head_ = tail_ = kNone;
    count_ = 0;
    total_bytes_ = 0;
  }

  // Iteration in recency order; kNone past the end.
  Handle oldest() const noexcept { return tail_; }
  Handle newest() const noexcept { return head_; }
  Handle newer(Handle h) const noexcept { return slots_[h].prev; }
  Handle older(Handle h) const noexcept { return slots_[h].next; }

  // Sizes the table and slots for `entries` without rehashing on the way there.
  void reserve(std::size_t entries) {
    std::size_t buckets = kInitialBuckets;
    while (buckets < entries * 2) buckets *= 2;
    slots_.reserve(entries);
    if (buckets > table_.size()) rehash(buckets);
  }
  // Bulk load: adds an entry as the most recently used without evicting (bounds are enforced by
  // the next put()). False, and nothing changes, if the key is already present.
  bool load(Key key, Value value, Charge charge = 0) {
    if ((count_ + 1) * 2 > table_.size()) rehash(table_.empty() ? kInitialBuckets : table_.size() * 2);
    std::size_t b = bucket_of(key);
    for (; table_[b] != kNone; b = (b + 1) & mask()) {
      if (equal_(slot_key(table_[b]), key)) return false;
    }
    const Handle h = allocate_slot(std::move(key), std::move(value), charge);
    table_[b] = h;
    link_front(h);
    return true;
  }
  // Reorders the recency list so that, walking oldest to newest, values ascend under `less`
  // (e.g. a persisted access time after a bulk load).
  template <class Less>
  void order_by(Less less) {
    std::vector<Handle> order;
    order.reserve(count_);
    for (Handle h = head_; h != kNone; h = slots_[h].next) order.push_back(h);
    std::sort(order.begin(), order.end(),
              [&](Handle a, Handle b) { return less(slot_value(a), slot_value(b)); });
    head_ = tail_ = kNone;
    for (const Handle h : order) link_front(h);  // ascending: the greatest ends at the head
  }

 private:
  static constexpr std::size_t kInitialBuckets = 16;  // power of two

  // Types without a default constructor are held in an optional, so a free slot holds nothing.
  template <class T>
  using Stored = std::conditional_t<std::is_default_constructible_v<T>, T, std::optional<T>>;
  template <class T>
  static T& unwrap(T& t) noexcept {
    return t;
  }
  template <class T>
  static const T& unwrap(const T& t) noexcept {
    return t;
  }
  template <class T>
  static T& unwrap(std::optional<T>& t) noexcept {
    return *t;
  }
  template <class T>
  static const T& unwrap(const std::optional<T>& t) noexcept {
    return *t;
  }

  const Key& slot_key(Handle h) const noexcept { return unwrap(slots_[h].key); }
  Value& slot_value(Handle h) noexcept { return unwrap(slots_[h].value); }
  const Value& slot_value(Handle h) const noexcept { return unwrap(slots_[h].value); }

  struct Slot {
    Stored<Key> key{};
    Stored<Value> value{};
    Charge charge = 0;
    Handle prev = kNone;  // towards the head (newer)
    Handle next = kNone;  // towards the tail (older); also the free-list link
  };

  bool fits(Charge charge) const noexcept { return max_entries_ > 0 && charge <= max_bytes_; }
  std::size_t mask() const noexcept { return table_.size() - 1; }
  // Fibonacci hashing spreads weak hashes (std::hash of integers is the identity) over the table.
  std::size_t bucket_of(const Key& key) const noexcept {
    const std::uint64_t h = static_cast<std::uint64_t>(hash_(key)) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> shift_);
  }
  void rehash(std::size_t buckets) {
    table_.assign(buckets, kNone);
    shift_ = 64;
    for (std::size_t n = buckets; n > 1; n >>= 1) --shift_;
    for (Handle h = head_; h != kNone; h = slots_[h].next) {
      std::size_t b = bucket_of(slot_key(h));
      while (table_[b] != kNone) b = (b + 1) & mask();
      table_[b] = h;
    }
  }
  // Backward-shift deletion keeps probe sequences intact without tombstones.
  void table_erase(Handle h) noexcept {
    std::size_t hole = bucket_of(slot_key(h));
    while (table_[hole] != h) hole = (hole + 1) & mask();
    for (std::size_t b = (hole + 1) & mask(); table_[b] != kNone; b = (b + 1) & mask()) {
      const std::size_t home = bucket_of(slot_key(table_[b]));
      // Move table_[b] into the hole unless its home lies in the cyclic range (hole, b].
      const bool home_in_range = hole <= b ? (home > hole && home <= b) : (home > hole || home <= b);
      if (!home_in_range) {
        table_[hole] = table_[b];
        hole = b;
      }
    }
    table_[hole] = kNone;
  }
  void link_front(Handle h) noexcept {
    slots_[h].prev = kNone;
    slots_[h].next = head_;
    if (head_ != kNone) slots_[head_].prev = h;
    head_ = h;
    if (tail_ == kNone) tail_ = h;
  }
  void unlink(Handle h) noexcept {
    Slot& s = slots_[h];
    if (s.prev != kNone) {
      slots_[s.prev].next = s.next;
    } else {
      head_ = s.next;
    }
    if (s.next != kNone) {
      slots_[s.next].prev = s.prev;
    } else {
      tail_ = s.prev;
    }
    s.prev = s.next = kNone;
  }
  void free_slot(Handle h) noexcept {
    Slot& s = slots_[h];
    total_bytes_ -= s.charge;
    --count_;
    s.key = Stored<Key>{};
    s.value = Stored<Value>{};
    s.charge = 0;
    s.next = free_;
    free_ = h;
  }
  Handle allocate_slot(Key key, Value value, Charge charge) {
    Handle h;
    if (free_ != kNone) {
      h = free_;
      free_ = slots_[h].next;
    } else {
      slots_.emplace_back();
      h = static_cast<Handle>(slots_.size() - 1);
    }
    Slot& s = slots_[h];
    s.key = std::move(key);
    s.value = std::move(value);
    s.charge = charge;
    s.prev = s.next = kNone;
    ++count_;
    total_bytes_ += charge;
    return h;
  }
  Handle insert_new(Key key, Value value, Charge charge) {  // REQUIRES: key not present
    if ((count_ + 1) * 2 > table_.size()) rehash(table_.empty() ? kInitialBuckets : table_.size() * 2);
    const Handle h = allocate_slot(std::move(key), std::move(value), charge);
    std::size_t b = bucket_of(slot_key(h));
    while (table_[b] != kNone) b = (b + 1) & mask();
    table_[b] = h;
    link_front(h);
    return h;
  }

  std::size_t max_entries_;
  std::uint64_t max_bytes_;
  [[no_unique_address]] Hash hash_{};
  [[no_unique_address]] KeyEqual equal_{};
  std::vector<Slot> slots_;
  std::vector<Handle> table_;  // open addressing; kNone = empty; size 0 or a power of two
  int shift_ = 64;             // 64 - log2(table_.size())
  Handle free_ = kNone;
  Handle head_ = kNone;  // most recently used
  Handle tail_ = kNone;  // least recently used
  std::size_t count_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace ipfsa
