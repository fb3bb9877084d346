// The relay's bookkeeping (circuit-v2.md, relay side), without I/O: who holds a reservation and
// until when, how many circuits run, and the Limit each circuit gets. Time comes in as `now`
// (steady clock, for expiry) and, where the peer is told a date, as wall-clock unix seconds.
// Not an engine: it has no bytes in or out; the shell asks it and writes the answers.
//
//   Reservations table;                                        // Limits{} = the defaults below
//   on hop RESERVE from peer P at IP:
//     auto r = table.reserve(P, ip, now, unix_seconds);
//     answer STATUS r.status (+ Reservation{r.expire, addrs, make_voucher(...)}, r.limit if ok)
//   on P's last connection closing: table.remove(P)            // the spec: it stops being valid
//   on hop CONNECT from S to D:
//     if (auto s = table.open_circuit(S, D, now); s != Status::ok) answer STATUS s;
//     else { stop CONNECT to D ...; relay with a CircuitBudget per direction from
//            table.circuit_limit(); at the end: table.close_circuit(S, D); }
//   timer at table.next_expiry(): table.expire(now)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/time.hpp"
#include "proto/relay/relay.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::relay {

// How long a reservation lasts before the peer must renew it (go-libp2p ReservationTTL, 1 h;
// js uses 2 h).
inline constexpr Duration kReservationTtl = std::chrono::hours(1);
// Reservations held at once (go MaxReservations 128; js's store keeps 15).
inline constexpr std::size_t kMaxReservations = 128;
// Reservations from one IP address (go MaxReservationsPerIP 8).
inline constexpr std::size_t kMaxReservationsPerIp = 8;
// Circuits one peer takes part in at once, as initiator or target (go MaxCircuits 16).
inline constexpr std::size_t kMaxCircuitsPerPeer = 16;
// Circuits through this relay at once (go has no total beyond the per-peer bound; ours caps the
// relay's memory and bandwidth as a whole).
inline constexpr std::size_t kMaxCircuits = 512;

// The per-circuit Limit we grant: OUR choice, not the spec's. The spec's, go's and js's defaults
// (kSpecCircuitDuration, kSpecCircuitData) are sized for public relays serving strangers: enough
// for a DCUtR exchange, not for traffic. Our relays serve only members of one private swarm
// (pnet), whose relayed connections carry a cache's traffic until hole punching replaces them,
// so a circuit may last an hour and carry 64 MiB in each direction.
inline constexpr std::chrono::seconds kCircuitDuration = std::chrono::hours(1);
inline constexpr std::uint64_t kCircuitData = std::uint64_t{64} << 20;  // bytes per direction
// The spec/go/js defaults (go DefaultLimit: 2 min, 128 KiB), for comparison and for tests.
inline constexpr std::chrono::seconds kSpecCircuitDuration = std::chrono::minutes(2);
inline constexpr std::uint64_t kSpecCircuitData = std::uint64_t{128} << 10;

struct Limits {
  Duration reservation_ttl = kReservationTtl;
  std::size_t max_reservations = kMaxReservations;
  std::size_t max_reservations_per_ip = kMaxReservationsPerIp;
  std::size_t max_circuits_per_peer = kMaxCircuitsPerPeer;
  std::size_t max_circuits = kMaxCircuits;
  std::chrono::seconds circuit_duration = kCircuitDuration;  // 0 = unlimited
  std::uint64_t circuit_data = kCircuitData;                 // 0 = unlimited
};

struct ReserveOutcome {
  // ok, or reservation_refused (the spec's code for "too many reservations"; go and js answer
  // it for every bound; resource_limit_exceeded is the spec's code for circuits only).
  Status status = Status::ok;
  enum class Reason { none, table_full, ip_full } reason = Reason::none;  // why refused, for logs
  bool renewed = false;        // ok for a peer that already held a reservation
  std::uint64_t expire = 0;    // ok: UTC unix seconds, for Reservation.expire
  std::optional<Limit> limit;  // ok: for HopMessage.limit (nullopt: unlimited)
};

// What the table did, for the node's status.
struct RelayCounters {
  std::uint64_t reservations_accepted = 0;  // new reservations
  std::uint64_t reservations_renewed = 0;
  std::uint64_t refused_table_full = 0;
  std::uint64_t refused_ip_full = 0;
  std::uint64_t reservations_expired = 0;  // dropped by expire() (or by reserve()'s sweep)
  std::uint64_t reservations_removed = 0;  // dropped by remove()
  std::uint64_t circuits_opened = 0;
  std::uint64_t circuits_closed = 0;
  std::uint64_t circuits_no_reservation = 0;  // refused: the target holds no reservation
  std::uint64_t circuits_limit_exceeded = 0;  // refused: per-peer or total bound
};

class Reservations {
 public:
  explicit Reservations(Limits limits = {}) : limits_(limits) {}

  // A RESERVE from `peer`, whose connection comes from `ip` (the text form of the remote IP; the
  // per-IP bound groups by it exactly). Expired reservations are dropped first. A peer that holds
  // one already renews it: the expiry moves to now + TTL and it is not counted twice (from a new
  // IP, the new IP's bound applies; when that refuses, the old reservation stays as it was).
  // `wall_now_seconds` is the current UTC unix time, for ReserveOutcome::expire.
  ReserveOutcome reserve(const wire::PeerId& peer, std::string_view ip, TimePoint now,
                         std::uint64_t wall_now_seconds);
  // Drops `peer`'s reservation (its connection to us closed). False when it had none.
  bool remove(const wire::PeerId& peer);
  // Drops the reservations whose expiry is at or before `now`; says how many.
  std::size_t expire(TimePoint now);
  bool has_reservation(const wire::PeerId& peer, TimePoint now) const;
  // The earliest expiry held, for the shell's timer; nullopt when the table is empty.
  std::optional<TimePoint> next_expiry() const;

  // A CONNECT from `src` to `dst`: ok (the circuit is counted until close_circuit), no_reservation
  // (dst holds no unexpired reservation), resource_limit_exceeded (src or dst takes part in
  // max_circuits_per_peer circuits already, or max_circuits run in all).
  Status open_circuit(const wire::PeerId& src, const wire::PeerId& dst, TimePoint now);
  // Ends a circuit counted by open_circuit. False (and nothing changes) when none is open.
  bool close_circuit(const wire::PeerId& src, const wire::PeerId& dst);
  // The Limit of every circuit (the same one reserve() reports); nullopt when both are unlimited.
  std::optional<Limit> circuit_limit() const;

  std::size_t reservation_count() const noexcept { return reservations_.size(); }
  std::size_t circuit_count() const noexcept { return circuits_; }
  std::size_t circuits_of(const wire::PeerId& peer) const;
  const RelayCounters& counters() const noexcept { return counters_; }
  const Limits& limits() const noexcept { return limits_; }

 private:
  struct Entry {
    std::string ip;
    TimePoint expiry;
  };
  std::size_t reservations_from(std::string_view ip) const;

  Limits limits_;
  std::map<wire::PeerId, Entry> reservations_;  // at most max_reservations
  // Open circuits by (src, dst) and by peer (as either end); entries exist only while > 0, so
  // both hold at most max_circuits (resp. 2 * max_circuits) keys.
  std::map<std::pair<wire::PeerId, wire::PeerId>, std::size_t> pairs_;
  std::map<wire::PeerId, std::size_t> per_peer_;
  std::size_t circuits_ = 0;
  RelayCounters counters_;
};

// What is left of one direction of one circuit under its Limit: the shell keeps two (one per
// direction, the data limit applies to each) made from the same Limit and `now`, and cuts the
// circuit when either says no. Absent or 0 fields of the Limit mean no bound.
class CircuitBudget {
 public:
  CircuitBudget(const std::optional<Limit>& limit, TimePoint now);

  // Deducts `n` bytes and returns true when they fit; returns false and deducts nothing when they
  // do not (the shell may forward the first bytes_left() of them, then cuts the circuit).
  bool consume(std::uint64_t n) noexcept;
  // True at or after the deadline.
  bool expired(TimePoint now) const noexcept { return deadline_ && now >= *deadline_; }
  std::optional<std::uint64_t> bytes_left() const noexcept { return bytes_left_; }
  std::optional<TimePoint> deadline() const noexcept { return deadline_; }

 private:
  std::optional<std::uint64_t> bytes_left_;  // nullopt: unlimited
  std::optional<TimePoint> deadline_;        // nullopt: unlimited
};

}  // namespace ipfsa::proto::relay
