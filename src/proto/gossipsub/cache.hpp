// The two caches of a gossipsub router (gossipsub v1.0, "Message Cache"; pubsub spec, "seen"):
//  - MessageCache: messages we forwarded or published, in `history_length` heartbeat windows;
//    answers IWANT and supplies the ids gossiped in IHAVE (the newest `history_gossip` windows);
//  - SeenCache: message ids seen in the last `ttl`, bounded in count (oldest evicted first).
#pragma once
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/bytes.hpp"
#include "base/time.hpp"
#include "proto/gossipsub/rpc.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::gossipsub {

// Ids are binary strings inside the router (hashable, cheap to compare).
using MessageKey = std::string;
inline MessageKey key_of(ByteView id) { return to_string(id); }

class MessageCache {
 public:
  // REQUIRES: 1 <= history_gossip <= history_length.
  MessageCache(std::size_t history_length, std::size_t history_gossip);

  // Adds to the newest window; a second put of the same id is ignored.
  void put(const MessageKey& id, Message message);
  const Message* get(const MessageKey& id) const;
  // Counts one more IWANT answer of `id` to `peer`; returns the count including this one
  // (0 when the message is not cached).
  std::size_t note_transmission(const MessageKey& id, const wire::PeerId& peer);
  // Ids of `topic` in the newest history_gossip windows, oldest window first.
  std::vector<MessageKey> gossip_ids(const std::string& topic) const;
  // Heartbeat: drops the oldest window and opens a new one.
  void shift();
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    Message message;
    std::unordered_map<wire::PeerId, std::size_t> transmissions;
  };
  std::size_t history_gossip_;
  std::deque<std::vector<std::pair<MessageKey, std::string>>> windows_;  // newest first
  std::unordered_map<MessageKey, Entry> entries_;
};

class SeenCache {
 public:
  SeenCache(Duration ttl, std::size_t max_entries);
  // True if `id` was new (and is now remembered until now + ttl).
  bool insert(const MessageKey& id, TimePoint now);
  bool contains(const MessageKey& id) const { return ids_.count(id) != 0; }
  void expire(TimePoint now);
  std::size_t size() const noexcept { return ids_.size(); }

 private:
  Duration ttl_;
  std::size_t max_;
  std::deque<std::pair<TimePoint, MessageKey>> order_;
  std::unordered_set<MessageKey> ids_;
};

}  // namespace ipfsa::proto::gossipsub
