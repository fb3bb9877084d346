#include "proto/gossipsub/cache.hpp"

namespace ipfsa::proto::gossipsub {

MessageCache::MessageCache(std::size_t history_length, std::size_t history_gossip)
    : history_gossip_(history_gossip), windows_(history_length) {}

void MessageCache::put(const MessageKey& id, Message message) {
  if (entries_.count(id) != 0) return;
  windows_.front().emplace_back(id, message.topic);
  entries_.emplace(id, Entry{std::move(message), {}});
}

const Message* MessageCache::get(const MessageKey& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second.message;
}

std::size_t MessageCache::note_transmission(const MessageKey& id, const wire::PeerId& peer) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return 0;
  return ++it->second.transmissions[peer];
}

std::vector<MessageKey> MessageCache::gossip_ids(const std::string& topic) const {
  std::vector<MessageKey> out;
  const std::size_t n = std::min(history_gossip_, windows_.size());
  for (std::size_t w = n; w-- > 0;) {
    for (const auto& [id, t] : windows_[w]) {
      if (t == topic) out.push_back(id);
    }
  }
  return out;
}

void MessageCache::shift() {
  for (const auto& [id, topic] : windows_.back()) entries_.erase(id);
  windows_.pop_back();
  windows_.emplace_front();
}

SeenCache::SeenCache(Duration ttl, std::size_t max_entries) : ttl_(ttl), max_(max_entries) {}

bool SeenCache::insert(const MessageKey& id, TimePoint now) {
  if (ids_.count(id) != 0) return false;
  while (ids_.size() >= max_ && !order_.empty()) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
  ids_.insert(id);
  order_.emplace_back(now + ttl_, id);
  return true;
}

void SeenCache::expire(TimePoint now) {
  while (!order_.empty() && order_.front().first <= now) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace ipfsa::proto::gossipsub
