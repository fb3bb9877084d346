#include "proto/relay/reservations.hpp"

#include <algorithm>
#include <limits>

namespace ipfsa::proto::relay {

ReserveOutcome Reservations::reserve(const wire::PeerId& peer, std::string_view ip, TimePoint now,
                                     std::uint64_t wall_now_seconds) {
  expire(now);  // a table full of stale entries must not refuse a live peer
  ReserveOutcome out;
  auto it = reservations_.find(peer);
  // Bounds count the others: a renewal from the same IP always fits.
  const bool moves = it == reservations_.end() || it->second.ip != ip;
  if (it == reservations_.end() && reservations_.size() >= limits_.max_reservations) {
    out.status = Status::reservation_refused;
    out.reason = ReserveOutcome::Reason::table_full;
    ++counters_.refused_table_full;
    return out;
  }
  if (moves && reservations_from(ip) >= limits_.max_reservations_per_ip) {
    out.status = Status::reservation_refused;
    out.reason = ReserveOutcome::Reason::ip_full;
    ++counters_.refused_ip_full;
    return out;
  }
  const TimePoint expiry = now + limits_.reservation_ttl;
  if (it == reservations_.end()) {
    reservations_.emplace(peer, Entry{std::string(ip), expiry});
    ++counters_.reservations_accepted;
  } else {
    it->second = Entry{std::string(ip), expiry};
    out.renewed = true;
    ++counters_.reservations_renewed;
  }
  const auto ttl_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(limits_.reservation_ttl);
  out.expire = wall_now_seconds + static_cast<std::uint64_t>(std::max<std::int64_t>(
                                      0, static_cast<std::int64_t>(ttl_seconds.count())));
  out.limit = circuit_limit();
  return out;
}

bool Reservations::remove(const wire::PeerId& peer) {
  if (reservations_.erase(peer) == 0) return false;
  ++counters_.reservations_removed;
  return true;
}

std::size_t Reservations::expire(TimePoint now) {
  const std::size_t dropped =
      std::erase_if(reservations_, [&](const auto& kv) { return kv.second.expiry <= now; });
  counters_.reservations_expired += dropped;
  return dropped;
}

bool Reservations::has_reservation(const wire::PeerId& peer, TimePoint now) const {
  auto it = reservations_.find(peer);
  return it != reservations_.end() && now < it->second.expiry;
}

std::optional<TimePoint> Reservations::next_expiry() const {
  std::optional<TimePoint> out;
  for (const auto& [peer, entry] : reservations_) {
    if (!out || entry.expiry < *out) out = entry.expiry;
  }
  return out;
}

Status Reservations::open_circuit(const wire::PeerId& src, const wire::PeerId& dst, TimePoint now) {
  if (!has_reservation(dst, now)) {
    ++counters_.circuits_no_reservation;
    return Status::no_reservation;
  }
  if (circuits_ >= limits_.max_circuits || circuits_of(src) >= limits_.max_circuits_per_peer ||
      circuits_of(dst) >= limits_.max_circuits_per_peer) {
    ++counters_.circuits_limit_exceeded;
    return Status::resource_limit_exceeded;
  }
  ++pairs_[{src, dst}];
  ++per_peer_[src];
  ++per_peer_[dst];  // a circuit to oneself counts twice, and close_circuit undoes both
  ++circuits_;
  ++counters_.circuits_opened;
  return Status::ok;
}

bool Reservations::close_circuit(const wire::PeerId& src, const wire::PeerId& dst) {
  auto pair = pairs_.find({src, dst});
  if (pair == pairs_.end()) return false;
  if (--pair->second == 0) pairs_.erase(pair);
  for (const wire::PeerId* p : {&src, &dst}) {
    auto it = per_peer_.find(*p);
    if (--it->second == 0) per_peer_.erase(it);  // present: open_circuit counted both ends
  }
  --circuits_;
  ++counters_.circuits_closed;
  return true;
}

std::optional<Limit> Reservations::circuit_limit() const {
  Limit limit;
  if (limits_.circuit_duration.count() > 0) {
    // The wire field is 32 bits of seconds (136 years): clamp rather than wrap.
    limit.duration = static_cast<std::uint32_t>(std::min<std::int64_t>(
        limits_.circuit_duration.count(), std::numeric_limits<std::uint32_t>::max()));
  }
  if (limits_.circuit_data > 0) limit.data = limits_.circuit_data;
  if (!limit.duration && !limit.data) return std::nullopt;
  return limit;
}

std::size_t Reservations::circuits_of(const wire::PeerId& peer) const {
  auto it = per_peer_.find(peer);
  return it == per_peer_.end() ? 0 : it->second;
}

std::size_t Reservations::reservations_from(std::string_view ip) const {
  return static_cast<std::size_t>(
      std::count_if(reservations_.begin(), reservations_.end(),
                    [&](const auto& kv) { return kv.second.ip == ip; }));
}

CircuitBudget::CircuitBudget(const std::optional<Limit>& limit, TimePoint now) {
  if (!limit) return;
  if (limit->data && *limit->data > 0) bytes_left_ = *limit->data;
  if (limit->duration && *limit->duration > 0) {
    deadline_ = now + std::chrono::seconds(*limit->duration);
  }
}

bool CircuitBudget::consume(std::uint64_t n) noexcept {
  if (!bytes_left_) return true;
  if (n > *bytes_left_) return false;
  *bytes_left_ -= n;
  return true;
}

}  // namespace ipfsa::proto::relay
