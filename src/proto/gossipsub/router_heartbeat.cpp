// Gossipsub router: the heartbeat (gossipsub v1.0 "Heartbeat": mesh maintenance, fanout
// maintenance, gossip emission; v1.1: score decay, outbound quota, backoff expiry) and the
// coalescing of each peer's pending RPC into frames within the per-RPC limits.
#include <algorithm>

#include "proto/gossipsub/router.hpp"

namespace ipfsa::proto::gossipsub {
namespace {

// Cuts one peer's pending RPC into frames that respect kMaxRpcBytes and the per-RPC counts the
// receiving decoder enforces (ours: rpc.hpp).
class FrameCutter {
 public:
  FrameCutter(const wire::PeerId& peer, std::vector<Outgoing>& out, RouterStats& stats)
      : peer_(peer), out_(out), stats_(stats) {}
  ~FrameCutter() { flush(); }

  // `bytes`: an upper bound of the item's encoded size.
  template <class Put>
  void add(std::size_t bytes, std::size_t ids, std::size_t entries, std::size_t messages, Put put) {
    if (!cur_.empty() && (bytes_ + bytes > kMaxRpcBytes || ids_ + ids > kMaxIdsPerRpc ||
                          entries_ + entries > kMaxControlEntriesPerRpc ||
                          messages_ + messages > kMaxMessagesPerRpc ||
                          cur_.subscriptions.size() >= kMaxSubscriptionsPerRpc)) {
      flush();
    }
    put(cur_);
    bytes_ += bytes;
    ids_ += ids;
    entries_ += entries;
    messages_ += messages;
  }

 private:
  void flush() {
    if (cur_.empty()) return;
    Bytes rpc = encode_rpc(cur_);
    ++stats_.rpcs_out;
    stats_.bytes_out += rpc.size();
    out_.push_back(Outgoing{peer_, std::move(rpc)});
    cur_ = Rpc{};
    bytes_ = kFrameOverhead;
    ids_ = entries_ = messages_ = 0;
  }

  static constexpr std::size_t kFrameOverhead = 16;  // the control field's tag and length
  const wire::PeerId& peer_;
  std::vector<Outgoing>& out_;
  RouterStats& stats_;
  Rpc cur_;
  std::size_t bytes_ = kFrameOverhead, ids_ = 0, entries_ = 0, messages_ = 0;
};

constexpr std::size_t kFieldOverhead = 12;  // tag + length of one embedded field

std::size_t ids_size(const std::vector<Bytes>& ids) {
  std::size_t n = kFieldOverhead;
  for (const auto& id : ids) n += id.size() + kFieldOverhead;
  return n;
}

std::size_t message_size(const Message& m) {
  std::size_t n = m.topic.size() + 7 * kFieldOverhead;
  for (const auto* f : {&m.from, &m.data, &m.seqno, &m.signature, &m.key}) {
    if (*f) n += (*f)->size();
  }
  return n;
}

}  // namespace

std::optional<RpcTransmit> Router::poll_transmit(Bytes& out) {
  if (ready_taken_ == ready_.size()) {
    ready_.clear();
    ready_taken_ = 0;
    cut_pending();
    if (ready_.empty()) return std::nullopt;
  }
  Outgoing& next = ready_[ready_taken_++];
  const std::size_t size = next.rpc.size();
  if (out.empty()) {
    out.swap(next.rpc);
  } else {
    append(out, next.rpc);
  }
  return RpcTransmit{std::move(next.peer), size};
}

void Router::handle_timeout(TimePoint now) {
  if (now >= next_heartbeat_) heartbeat(now);
}

void Router::cut_pending() {
  std::vector<Outgoing>& out = ready_;
  for (auto& [peer, p] : peers_) {
    if (p.pending.empty()) continue;
    Rpc rpc = std::move(p.pending);
    p.pending = Rpc{};
    FrameCutter cut(peer, out, stats_);
    for (auto& s : rpc.subscriptions) {
      cut.add(s.topic.size() + kFieldOverhead, 0, 0, 0,
              [&](Rpc& r) { r.subscriptions.push_back(std::move(s)); });
    }
    for (auto& g : rpc.control.graft) {
      cut.add(g.topic.size() + kFieldOverhead, 0, 1, 0,
              [&](Rpc& r) { r.control.graft.push_back(std::move(g)); });
    }
    for (auto& pr : rpc.control.prune) {
      cut.add(pr.topic.size() + 2 * kFieldOverhead, 0, 1, 0,
              [&](Rpc& r) { r.control.prune.push_back(std::move(pr)); });
    }
    for (auto& w : rpc.control.iwant) {
      cut.add(ids_size(w.ids), w.ids.size(), 1, 0,
              [&](Rpc& r) { r.control.iwant.push_back(std::move(w)); });
    }
    for (auto& d : rpc.control.idontwant) {
      cut.add(ids_size(d.ids), d.ids.size(), 1, 0,
              [&](Rpc& r) { r.control.idontwant.push_back(std::move(d)); });
    }
    for (auto& h : rpc.control.ihave) {
      cut.add(ids_size(h.ids) + h.topic.size(), h.ids.size(), 1, 0,
              [&](Rpc& r) { r.control.ihave.push_back(std::move(h)); });
    }
    for (auto& m : rpc.publish) {
      cut.add(message_size(m), 0, 0, 1, [&](Rpc& r) { r.publish.push_back(std::move(m)); });
    }
  }
}

void Router::heartbeat(TimePoint now) {
  last_now_ = now;
  ++tick_;
  next_heartbeat_ = now + config_.heartbeat_interval;

  for (auto& [id, p] : peers_) {
    p.invalid = p.invalid * config_.decay < 0.01 ? 0 : p.invalid * config_.decay;
    p.behaviour = p.behaviour * config_.decay < 0.01 ? 0 : p.behaviour * config_.decay;
    p.ihaves_this_heartbeat = 0;
    p.ids_asked_this_heartbeat = 0;
    std::erase_if(p.dont_want,
                  [&](const auto& e) { return tick_ - e.second >= config_.history_length; });
  }
  std::erase_if(backoff_, [&](const auto& e) { return e.second <= now; });
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.received + config_.validation_timeout <= now) {
      ++stats_.dropped;
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }

  for (auto& [topic, mesh] : mesh_) {
    maintain_mesh(topic, mesh, now);
    emit_gossip(topic, mesh);
  }

  for (auto it = fanout_.begin(); it != fanout_.end();) {
    const std::string& topic = it->first;
    auto last = fanout_last_publish_.find(topic);
    if (last == fanout_last_publish_.end() || last->second + config_.fanout_ttl <= now) {
      fanout_last_publish_.erase(topic);
      it = fanout_.erase(it);
      continue;
    }
    auto& fan = it->second;
    std::erase_if(fan, [&](const wire::PeerId& peer) {
      const PeerState* p = find(peer);
      return p == nullptr || p->topics.count(topic) == 0 ||
             score_of(*p) < config_.publish_threshold;
    });
    if (fan.size() < config_.d) {
      for (const auto& peer : candidates(topic, fan, [&](const wire::PeerId&, const PeerState& p) {
             return score_of(p) >= config_.publish_threshold;
           })) {
        if (fan.size() >= config_.d) break;
        fan.insert(peer);
      }
    }
    emit_gossip(topic, fan);
    ++it;
  }

  mcache_.shift();
  seen_.expire(now);
}

void Router::maintain_mesh(const std::string& topic, std::set<wire::PeerId>& mesh, TimePoint now) {
  // v1.1: peers with a negative score leave the mesh.
  for (const auto& peer : std::vector<wire::PeerId>(mesh.begin(), mesh.end())) {
    const PeerState* p = find(peer);
    if (p == nullptr || score_of(*p) < 0) prune(topic, peer, config_.prune_backoff, now);
  }
  auto eligible = [&](const wire::PeerId& id, const PeerState& p) {
    return !in_backoff(topic, id, now) && score_of(p) >= 0;
  };
  if (mesh.size() < config_.d_lo) {
    for (const auto& peer : candidates(topic, mesh, eligible)) {
      if (mesh.size() >= config_.d) break;
      mesh.insert(peer);
      graft(topic, peer);
    }
  }
  if (mesh.size() > config_.d_hi) {
    // Keep the d_score best-scoring peers, then random ones, with at least d_out outbound.
    std::vector<wire::PeerId> members(mesh.begin(), mesh.end());
    std::shuffle(members.begin(), members.end(), rng_);
    std::stable_sort(members.begin(), members.end(),
                     [&](const auto& a, const auto& b) { return score(a) > score(b); });
    std::vector<wire::PeerId> keep(members.begin(), members.begin() + config_.d_score);
    std::vector<wire::PeerId> rest(members.begin() + config_.d_score, members.end());
    std::shuffle(rest.begin(), rest.end(), rng_);
    auto outbound = [&](const wire::PeerId& id) {
      const PeerState* p = find(id);
      return p != nullptr && p->outbound;
    };
    std::size_t out_count = std::count_if(keep.begin(), keep.end(), outbound);
    std::stable_partition(rest.begin(), rest.end(), outbound);
    for (const auto& peer : rest) {
      if (keep.size() >= config_.d) break;
      const bool is_out = outbound(peer);
      const std::size_t slots = config_.d - keep.size();
      const std::size_t outbound_needed = out_count < config_.d_out ? config_.d_out - out_count : 0;
      if (!is_out && slots <= outbound_needed) continue;
      keep.push_back(peer);
      if (is_out) ++out_count;
    }
    for (const auto& peer : members) {
      if (std::find(keep.begin(), keep.end(), peer) == keep.end()) {
        prune(topic, peer, config_.prune_backoff, now);
      }
    }
  }
  // v1.1 outbound quota: at least d_out outbound peers once the mesh is at least d_lo.
  if (mesh.size() >= config_.d_lo) {
    std::size_t out_count = 0;
    for (const auto& peer : mesh) {
      const PeerState* p = find(peer);
      if (p != nullptr && p->outbound) ++out_count;
    }
    if (out_count < config_.d_out) {
      for (const auto& peer :
           candidates(topic, mesh, [&](const wire::PeerId&id, const PeerState&p) {
             return p.outbound && eligible(id, p);
           })) {
        if (out_count >= config_.d_out) break;
        mesh.insert(peer);
        graft(topic, peer);
        ++out_count;
      }
    }
  }
}

void Router::emit_gossip(const std::string& topic, const std::set<wire::PeerId>& exclude) {
  auto ids = mcache_.gossip_ids(topic);
  if (ids.empty()) return;
  if (ids.size() > config_.max_ihave_length) {
    std::shuffle(ids.begin(), ids.end(), rng_);
    ids.resize(config_.max_ihave_length);
  }
  auto targets = candidates(topic, exclude, [&](const wire::PeerId&, const PeerState& p) {
    return score_of(p) >= config_.gossip_threshold;
  });
  const auto factor =
      static_cast<std::size_t>(config_.gossip_factor * static_cast<double>(targets.size()));
  const std::size_t n = std::min(targets.size(), std::max(config_.d_lazy, factor));
  IHave ihave{topic, {}};
  for (const auto& id : ids) ihave.ids.push_back(to_bytes(id));
  for (std::size_t i = 0; i < n; ++i) {
    if (PeerState* p = find(targets[i])) p->pending.control.ihave.push_back(ihave);
  }
}

}  // namespace ipfsa::proto::gossipsub
