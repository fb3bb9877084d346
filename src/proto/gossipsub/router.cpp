// Gossipsub router: peers, RPC handling, subscriptions and publishing. The heartbeat (mesh
// maintenance, gossip, fanout, cache shifts) and the outgoing coalescing are in
// router_heartbeat.cpp.
#include "proto/gossipsub/router.hpp"

#include <algorithm>

namespace ipfsa::proto::gossipsub {
namespace {
// A PRUNE may ask for a longer backoff than ours; beyond this it is clamped.
constexpr std::uint64_t kMaxBackoffSeconds = 3600;
// IDONTWANT ids coalesced into one control entry.
constexpr std::size_t kMaxIdsPerIDontWant = 512;
}  // namespace

std::optional<Protocol> parse_protocol(std::string_view id) noexcept {
  if (id == kProtocolV12) return Protocol::v1_2;
  if (id == kProtocolV11) return Protocol::v1_1;
  return std::nullopt;
}

Router::Router(crypto::Ed25519KeyPair identity, RouterConfig config, std::uint64_t random_seed,
               std::uint64_t first_seqno, TimePoint now)
    : identity_(std::move(identity)),
      local_(wire::PeerId::from_public_key(identity_.public_key())),
      config_(config),
      rng_(random_seed),
      next_seqno_(first_seqno),
      last_now_(now),
      next_heartbeat_(now + config.heartbeat_interval),
      mcache_(config.history_length, config.history_gossip),
      seen_(config.seen_ttl, kMaxSeenEntries) {}

Router::PeerState* Router::find(const wire::PeerId& peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

double Router::score_of(const PeerState& p) const {
  const double excess = std::max(0.0, p.behaviour - config_.behaviour_threshold);
  return config_.invalid_weight * p.invalid * p.invalid +
         config_.behaviour_weight * excess * excess;
}

double Router::score(const wire::PeerId& peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? 0 : score_of(it->second);
}

bool Router::graylisted(const wire::PeerId& peer) const {
  return score(peer) < config_.graylist_threshold;
}

Result<void> Router::add_peer(const wire::PeerId& peer, Protocol protocol, bool outbound) {
  if (peers_.count(peer) != 0) return make_error_code(Error::invalid_state);
  if (peers_.size() >= kMaxPeers) return make_error_code(Error::limit_exceeded);
  auto& p =
      peers_.emplace(peer, PeerState{protocol, outbound, {}, 0, 0, 0, 0, {}, {}}).first->second;
  // pubsub spec: on a new stream, announce our subscriptions.
  for (const auto& topic : topics_) p.pending.subscriptions.push_back(SubOpts{true, topic});
  return {};
}

void Router::remove_peer(const wire::PeerId& peer) {
  if (peers_.erase(peer) == 0) return;
  for (auto& [topic, mesh] : mesh_) mesh.erase(peer);
  for (auto& [topic, fanout] : fanout_) fanout.erase(peer);
}

bool Router::peer_subscribed(const wire::PeerId& peer, const std::string& topic) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.topics.count(topic) != 0;
}

std::vector<wire::PeerId> Router::mesh(const std::string& topic) const {
  auto it = mesh_.find(topic);
  if (it == mesh_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<wire::PeerId> Router::fanout(const std::string& topic) const {
  auto it = fanout_.find(topic);
  if (it == fanout_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<wire::PeerId> Router::peers() const {
  std::vector<wire::PeerId> out;
  for (const auto& [id, p] : peers_) out.push_back(id);
  return out;
}

Result<void> Router::handle_input(const wire::PeerId& peer, ByteView frame, TimePoint now) {
  last_now_ = now;
  PeerState* p = find(peer);
  if (p == nullptr) return make_error_code(Error::not_found);
  ++stats_.rpcs_in;
  stats_.bytes_in += frame.size();
  if (score_of(*p) < config_.graylist_threshold) {
    ++stats_.graylisted_rpcs;  // v1.1 "Graylisting": ignore everything the peer sends
    return {};
  }
  auto rpc = decode_rpc(frame);
  if (!rpc) {
    ++stats_.malformed_rpcs;
    p->behaviour += 1;
    return rpc.error();
  }
  for (const auto& sub : rpc->subscriptions) handle_subscription(peer, *p, sub);
  for (auto& m : rpc->publish) handle_message(peer, *p, std::move(m), now);
  handle_control(peer, *p, rpc->control, now);
  return {};
}

void Router::handle_subscription(const wire::PeerId& id, PeerState& p, const SubOpts& sub) {
  if (sub.subscribe) {
    if (p.topics.size() >= kMaxTopicsPerPeer) return;
    p.topics.insert(sub.topic);
    return;
  }
  p.topics.erase(sub.topic);
  if (auto it = mesh_.find(sub.topic); it != mesh_.end()) it->second.erase(id);
  if (auto it = fanout_.find(sub.topic); it != fanout_.end()) it->second.erase(id);
}

void Router::handle_message(const wire::PeerId& id, PeerState& p, Message m, TimePoint now) {
  if (topics_.count(m.topic) == 0) {
    ++stats_.dropped;  // not our topic: we neither deliver nor route it
    return;
  }
  if (m.data && m.data->size() > config_.max_message_size) {
    ++stats_.invalid;
    p.invalid += 1;
    return;
  }
  auto verified = identify_message(m);
  if (!verified) {
    ++stats_.invalid;
    p.invalid += 1;  // P4: the propagator sent an invalid message
    return;
  }
  if (verified->author == local_) {
    ++stats_.duplicates;  // our own message, back from the mesh
    return;
  }
  const MessageKey key = key_of(verified->id);
  // Duplicates are dropped before the signature check: only a verified message enters `seen`,
  // so a forged copy cannot shadow the real one.
  if (seen_.contains(key)) {
    ++stats_.duplicates;
    return;
  }
  if (!check_signature(m, verified->key)) {
    ++stats_.invalid;
    p.invalid += 1;
    return;
  }
  seen_.insert(key, now);
  // v1.2: tell the rest of the mesh not to send us this (large) message again.
  if (m.data && m.data->size() >= config_.idontwant_min_data_size) {
    if (auto mesh = mesh_.find(m.topic); mesh != mesh_.end()) {
      for (const auto& member : mesh->second) {
        if (member == id) continue;
        PeerState* q = find(member);
        if (q == nullptr || q->protocol != Protocol::v1_2) continue;
        auto& dw = q->pending.control.idontwant;
        if (dw.empty() || dw.back().ids.size() >= kMaxIdsPerIDontWant) dw.emplace_back();
        dw.back().ids.push_back(verified->id);
        ++stats_.idontwant_sent;
      }
    }
  }
  if (pending_.size() >= kMaxPendingValidations) {
    ++stats_.dropped;
    return;
  }
  events_.push_back(
      ReceivedMessage{verified->id, m.topic, m.data.value_or(Bytes{}), verified->author, id});
  pending_.emplace(key, Pending{std::move(m), std::move(verified->author), id, now});
}

void Router::handle_control(const wire::PeerId& id, PeerState& p, Control& c, TimePoint now) {
  const bool gossip_ok = score_of(p) >= config_.gossip_threshold;
  if (gossip_ok) {
    IWant request;
    std::unordered_set<MessageKey> asked;
    for (auto& ihave : c.ihave) {
      if (++p.ihaves_this_heartbeat > config_.max_ihave_messages) break;
      if (topics_.count(ihave.topic) == 0) continue;
      std::shuffle(ihave.ids.begin(), ihave.ids.end(), rng_);
      for (auto& mid : ihave.ids) {
        if (p.ids_asked_this_heartbeat >= config_.max_ihave_length) break;
        const MessageKey key = key_of(mid);
        if (seen_.contains(key) || !asked.insert(key).second) continue;
        ++p.ids_asked_this_heartbeat;
        request.ids.push_back(std::move(mid));
      }
    }
    if (!request.ids.empty()) p.pending.control.iwant.push_back(std::move(request));
    for (const auto& iwant : c.iwant) {
      for (const auto& mid : iwant.ids) {
        const MessageKey key = key_of(mid);
        const Message* m = mcache_.get(key);
        if (m == nullptr) continue;
        if (mcache_.note_transmission(key, id) > config_.gossip_retransmission) continue;
        p.pending.publish.push_back(*m);
        ++stats_.iwant_served;
      }
    }
  }
  for (const auto& g : c.graft) handle_graft(id, p, g.topic, now);
  for (const auto& pr : c.prune) handle_prune(id, pr, now);
  if (p.protocol == Protocol::v1_2) {
    for (const auto& dw : c.idontwant) {
      for (const auto& mid : dw.ids) {
        if (p.dont_want.size() >= kMaxDontWantPerPeer) break;
        p.dont_want.emplace(key_of(mid), tick_);
      }
    }
  }
}

void Router::handle_graft(const wire::PeerId& id, PeerState& p, const std::string& topic,
                          TimePoint now) {
  if (topics_.count(topic) == 0) {
    // Not our topic: refuse (gossipsub v1.1, "PRUNE Backoff": the peer must not retry early).
    if (p.topics.count(topic) != 0) prune(topic, id, config_.prune_backoff, now);
    return;
  }
  auto& mesh = mesh_[topic];
  if (mesh.count(id) != 0) return;
  if (in_backoff(topic, id, now)) {
    p.behaviour += 1;  // P7: GRAFT during backoff
    prune(topic, id, config_.prune_backoff, now);
    return;
  }
  if (score_of(p) < 0 || (mesh.size() >= config_.d_hi && !p.outbound)) {
    prune(topic, id, config_.prune_backoff, now);
    return;
  }
  mesh.insert(id);
}

void Router::handle_prune(const wire::PeerId& id, const Prune& pr, TimePoint now) {
  if (topics_.count(pr.topic) == 0) return;
  if (auto it = mesh_.find(pr.topic); it != mesh_.end()) it->second.erase(id);
  // Peer exchange (pr.peers) is not followed: we have no signed peer records to dial from.
  Duration backoff = config_.prune_backoff;
  if (pr.backoff_seconds) {
    backoff = std::chrono::seconds(std::min(*pr.backoff_seconds, kMaxBackoffSeconds));
  }
  auto& until = backoff_[{pr.topic, id}];
  until = std::max(until, now + backoff);
}

bool Router::in_backoff(const std::string& topic, const wire::PeerId& peer, TimePoint now) const {
  auto it = backoff_.find({topic, peer});
  return it != backoff_.end() && it->second > now;
}

void Router::graft(const std::string& topic, const wire::PeerId& peer) {
  if (PeerState* p = find(peer)) p->pending.control.graft.push_back(Graft{topic});
}

void Router::prune(const std::string& topic, const wire::PeerId& peer, Duration backoff,
                   TimePoint now) {
  if (auto it = mesh_.find(topic); it != mesh_.end()) it->second.erase(peer);
  PeerState* p = find(peer);
  if (p == nullptr) return;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(backoff).count();
  p->pending.control.prune.push_back(
      Prune{topic, {}, static_cast<std::uint64_t>(std::max<std::int64_t>(seconds, 0))});
  auto& until = backoff_[{topic, peer}];
  until = std::max(until, now + backoff);
}

void Router::send_message(const wire::PeerId& to, const Message& m) {
  if (PeerState* p = find(to)) p->pending.publish.push_back(m);
}

void Router::forward(const MessageKey& key, const Message& m, const wire::PeerId* exclude_a,
                     const wire::PeerId* exclude_b) {
  auto mesh = mesh_.find(m.topic);
  if (mesh == mesh_.end()) return;
  for (const auto& peer : mesh->second) {
    if ((exclude_a && peer == *exclude_a) || (exclude_b && peer == *exclude_b)) continue;
    PeerState* p = find(peer);
    if (p == nullptr) continue;
    if (p->dont_want.count(key) != 0) {
      ++stats_.idontwant_honoured;
      continue;
    }
    p->pending.publish.push_back(m);
    ++stats_.messages_forwarded;
  }
}

void Router::report_validation(ByteView id, Validation verdict) {
  auto it = pending_.find(key_of(id));
  if (it == pending_.end()) return;
  Pending pend = std::move(it->second);
  const MessageKey key = it->first;
  pending_.erase(it);
  switch (verdict) {
    case Validation::accept:
      ++stats_.messages_delivered;
      forward(key, pend.message, &pend.propagator, &pend.author);
      mcache_.put(key, std::move(pend.message));
      break;
    case Validation::reject:
      ++stats_.rejected;
      if (PeerState* p = find(pend.propagator)) p->invalid += 1;
      break;
    case Validation::ignore:
      ++stats_.ignored;
      break;
  }
}

std::optional<ReceivedMessage> Router::poll() {
  if (events_.empty()) return std::nullopt;
  ReceivedMessage m = std::move(events_.front());
  events_.pop_front();
  return m;
}

void Router::subscribe(const std::string& topic) {
  if (topic.size() > kMaxTopicLength || !topics_.insert(topic).second) return;
  for (auto& [id, p] : peers_) p.pending.subscriptions.push_back(SubOpts{true, topic});
  // gossipsub v1.0 "JOIN": fanout peers first, then random subscribed peers, up to D.
  auto& mesh = mesh_[topic];
  if (auto f = fanout_.find(topic); f != fanout_.end()) {
    for (const auto& peer : f->second) {
      const PeerState* p = find(peer);
      if (mesh.size() < config_.d && p != nullptr && score_of(*p) >= 0) mesh.insert(peer);
    }
    fanout_.erase(f);
    fanout_last_publish_.erase(topic);
  }
  const TimePoint now = last_now_;
  for (const auto& peer : candidates(topic, mesh, [&](const wire::PeerId&id, const PeerState&p) {
         return !in_backoff(topic, id, now) && score_of(p) >= 0;
       })) {
    if (mesh.size() >= config_.d) break;
    mesh.insert(peer);
  }
  for (const auto& peer : mesh) graft(topic, peer);
}

void Router::unsubscribe(const std::string& topic) {
  if (topics_.erase(topic) == 0) return;
  for (auto& [id, p] : peers_) p.pending.subscriptions.push_back(SubOpts{false, topic});
  // gossipsub v1.0 "LEAVE": PRUNE the mesh (v1.1: with the unsubscribe backoff).
  for (const auto& peer : mesh(topic)) prune(topic, peer, config_.unsubscribe_backoff, last_now_);
  mesh_.erase(topic);
}

Result<Bytes> Router::publish(const std::string& topic, Bytes data, TimePoint now) {
  last_now_ = now;
  if (topic.size() > kMaxTopicLength || data.size() > config_.max_message_size) {
    return make_error_code(Error::too_large);
  }
  Message m = sign_message(identity_, topic, std::move(data), next_seqno_++);
  if (encode_message(m).size() > config_.max_message_size) {
    return make_error_code(Error::too_large);
  }
  Bytes id = message_id(identity_.public_key(), *m.seqno);
  const MessageKey key = key_of(id);
  seen_.insert(key, now);
  std::set<wire::PeerId> targets;
  if (config_.flood_publish) {
    // v1.1 "Flood Publishing": every subscribed peer above the publish threshold.
    for (const auto& [peer, p] : peers_) {
      if (p.topics.count(topic) != 0 && score_of(p) >= config_.publish_threshold) {
        targets.insert(peer);
      }
    }
  } else if (subscribed(topic)) {
    targets = mesh_[topic];
  }
  if (!subscribed(topic)) {
    auto& fan = fanout_[topic];
    if (fan.empty()) {
      for (const auto& peer : candidates(topic, fan, [&](const wire::PeerId&, const PeerState& p) {
             return score_of(p) >= config_.publish_threshold;
           })) {
        if (fan.size() >= config_.d) break;
        fan.insert(peer);
      }
    }
    fanout_last_publish_[topic] = now;
    if (!config_.flood_publish) targets = fan;
  }
  for (const auto& peer : targets) send_message(peer, m);
  mcache_.put(key, std::move(m));
  ++stats_.messages_published;
  return id;
}

}  // namespace ipfsa::proto::gossipsub
