#include "proto/relay/reservations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/ed25519.hpp"

namespace ipfsa::proto::relay {
namespace {

const TimePoint t0 = TimePoint{} + std::chrono::hours(10);
constexpr std::uint64_t kWall = 1767225600;  // 2026-01-01T00:00:00Z

// Distinct peer IDs from distinct seeds.
wire::PeerId peer(std::uint8_t n) {
  Bytes seed(32, n);
  return wire::PeerId::from_public_key(crypto::Ed25519KeyPair::from_seed(seed)->public_key());
}

std::string ip(int n) { return "10.0.0." + std::to_string(n); }

TEST(Reservations, DefaultsAreTheNamedConstants) {
  const Limits l;
  EXPECT_EQ(l.reservation_ttl, std::chrono::hours(1));
  EXPECT_EQ(l.max_reservations, 128u);
  EXPECT_EQ(l.max_reservations_per_ip, 8u);
  EXPECT_EQ(l.max_circuits_per_peer, 16u);
  EXPECT_EQ(l.max_circuits, kMaxCircuits);
  EXPECT_EQ(l.circuit_duration, std::chrono::hours(1));
  EXPECT_EQ(l.circuit_data, 64u << 20);
  EXPECT_EQ(kSpecCircuitDuration, std::chrono::minutes(2));
  EXPECT_EQ(kSpecCircuitData, 128u * 1024);
}

TEST(Reservations, ReserveGrantsExpiryAndLimit) {
  Reservations table;
  auto r = table.reserve(peer(1), ip(1), t0, kWall);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_FALSE(r.renewed);
  EXPECT_EQ(r.expire, kWall + 3600);
  ASSERT_TRUE(r.limit);
  EXPECT_EQ(*r.limit, (Limit{.duration = 3600, .data = 64u << 20}));
  EXPECT_EQ(table.reservation_count(), 1u);
  EXPECT_TRUE(table.has_reservation(peer(1), t0));
  EXPECT_FALSE(table.has_reservation(peer(2), t0));
  EXPECT_EQ(table.next_expiry(), t0 + kReservationTtl);
  EXPECT_EQ(table.counters().reservations_accepted, 1u);
}

TEST(Reservations, RenewalRefreshesWithoutCountingTwice) {
  Reservations table(Limits{.max_reservations = 1, .max_reservations_per_ip = 1});
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  // Renewing at a full table and a full IP still works: the peer's own entry is not an "other".
  auto again = table.reserve(peer(1), ip(1), t0 + std::chrono::minutes(50), kWall + 3000);
  EXPECT_EQ(again.status, Status::ok);
  EXPECT_TRUE(again.renewed);
  EXPECT_EQ(again.expire, kWall + 3000 + 3600);
  EXPECT_EQ(table.reservation_count(), 1u);
  // The old expiry passed; the new one holds.
  EXPECT_TRUE(table.has_reservation(peer(1), t0 + std::chrono::minutes(70)));
  EXPECT_EQ(table.counters().reservations_renewed, 1u);
  EXPECT_EQ(table.counters().reservations_accepted, 1u);
}

TEST(Reservations, PerIpBound) {
  Reservations table;
  for (std::uint8_t i = 1; i <= kMaxReservationsPerIp; ++i) {
    ASSERT_EQ(table.reserve(peer(i), ip(1), t0, kWall).status, Status::ok) << int(i);
  }
  auto refused = table.reserve(peer(100), ip(1), t0, kWall);
  EXPECT_EQ(refused.status, Status::reservation_refused);
  EXPECT_EQ(refused.reason, ReserveOutcome::Reason::ip_full);
  EXPECT_FALSE(refused.limit);
  EXPECT_FALSE(table.has_reservation(peer(100), t0));
  EXPECT_EQ(table.counters().refused_ip_full, 1u);
  // Another IP is fine.
  EXPECT_EQ(table.reserve(peer(100), ip(2), t0, kWall).status, Status::ok);
}

TEST(Reservations, RenewalFromAFullIpKeepsTheOldReservation) {
  Reservations table(Limits{.max_reservations_per_ip = 1});
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  ASSERT_EQ(table.reserve(peer(2), ip(2), t0, kWall).status, Status::ok);
  // peer 2 moves to peer 1's IP, which is full: refused, its reservation stays as it was.
  const TimePoint later = t0 + std::chrono::minutes(30);
  EXPECT_EQ(table.reserve(peer(2), ip(1), later, kWall).reason, ReserveOutcome::Reason::ip_full);
  EXPECT_TRUE(table.has_reservation(peer(2), later));
  EXPECT_FALSE(table.has_reservation(peer(2), t0 + kReservationTtl));
  // Moving to a free IP works and frees the old one.
  EXPECT_EQ(table.reserve(peer(2), ip(3), later, kWall).status, Status::ok);
  EXPECT_EQ(table.reserve(peer(3), ip(2), later, kWall).status, Status::ok);
}

TEST(Reservations, TotalBound) {
  Reservations table;
  for (std::size_t i = 0; i < kMaxReservations; ++i) {
    const auto n = static_cast<std::uint8_t>(i + 1);
    ASSERT_EQ(table.reserve(peer(n), ip(static_cast<int>(i)), t0, kWall).status, Status::ok);
  }
  auto refused = table.reserve(peer(200), "192.168.1.1", t0, kWall);
  EXPECT_EQ(refused.status, Status::reservation_refused);
  EXPECT_EQ(refused.reason, ReserveOutcome::Reason::table_full);
  EXPECT_EQ(table.reservation_count(), kMaxReservations);
  EXPECT_EQ(table.counters().refused_table_full, 1u);
  // A renewal still fits; a departure makes room.
  EXPECT_EQ(table.reserve(peer(1), ip(0), t0, kWall).status, Status::ok);
  EXPECT_TRUE(table.remove(peer(1)));
  EXPECT_FALSE(table.remove(peer(1)));
  EXPECT_EQ(table.reserve(peer(200), "192.168.1.1", t0, kWall).status, Status::ok);
  EXPECT_EQ(table.counters().reservations_removed, 1u);
}

TEST(Reservations, ExpiryDropsAndFreesRoom) {
  Reservations table(Limits{.max_reservations = 2});
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  ASSERT_EQ(table.reserve(peer(2), ip(2), t0 + std::chrono::minutes(10), kWall).status, Status::ok);
  const TimePoint end1 = t0 + kReservationTtl;
  EXPECT_TRUE(table.has_reservation(peer(1), end1 - std::chrono::nanoseconds(1)));
  EXPECT_FALSE(table.has_reservation(peer(1), end1));  // expired at its expiry, not after
  EXPECT_EQ(table.expire(end1 - std::chrono::seconds(1)), 0u);
  EXPECT_EQ(table.expire(end1), 1u);
  EXPECT_EQ(table.reservation_count(), 1u);
  EXPECT_EQ(table.next_expiry(), end1 + std::chrono::minutes(10));
  EXPECT_EQ(table.counters().reservations_expired, 1u);

  // reserve() sweeps stale entries itself: a table full of expired ones takes a new peer.
  ASSERT_EQ(table.reserve(peer(3), ip(3), end1, kWall).status, Status::ok);
  const TimePoint much_later = t0 + 5 * kReservationTtl;
  EXPECT_EQ(table.reserve(peer(4), ip(4), much_later, kWall).status, Status::ok);
  EXPECT_EQ(table.reserve(peer(5), ip(5), much_later, kWall).status, Status::ok);
  EXPECT_EQ(table.reservation_count(), 2u);
  EXPECT_FALSE(Reservations().next_expiry());
}

TEST(Reservations, CircuitNeedsTheTargetsReservation) {
  Reservations table;
  EXPECT_EQ(table.open_circuit(peer(1), peer(2), t0), Status::no_reservation);
  ASSERT_EQ(table.reserve(peer(2), ip(2), t0, kWall).status, Status::ok);
  EXPECT_EQ(table.open_circuit(peer(1), peer(2), t0), Status::ok);
  // The initiator needs none; an expired target reservation counts as none.
  EXPECT_EQ(table.open_circuit(peer(1), peer(2), t0 + kReservationTtl), Status::no_reservation);
  EXPECT_EQ(table.counters().circuits_no_reservation, 2u);
  EXPECT_EQ(table.circuit_count(), 1u);
  EXPECT_EQ(table.circuits_of(peer(1)), 1u);
  EXPECT_EQ(table.circuits_of(peer(2)), 1u);
}

TEST(Reservations, CircuitsPerPeerBound) {
  Reservations table;
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  // 16 initiators to peer 1: the 17th is refused because of the target's count.
  for (std::uint8_t i = 0; i < kMaxCircuitsPerPeer; ++i) {
    ASSERT_EQ(table.open_circuit(peer(static_cast<std::uint8_t>(100 + i)), peer(1), t0),
              Status::ok);
  }
  EXPECT_EQ(table.open_circuit(peer(99), peer(1), t0), Status::resource_limit_exceeded);
  EXPECT_EQ(table.counters().circuits_limit_exceeded, 1u);
  // Closing one makes room again.
  EXPECT_TRUE(table.close_circuit(peer(100), peer(1)));
  EXPECT_EQ(table.open_circuit(peer(99), peer(1), t0), Status::ok);

  // The initiator's own count is bounded too: 16 circuits from peer 50 to 16 targets.
  Reservations other;
  for (std::uint8_t i = 0; i <= kMaxCircuitsPerPeer; ++i) {
    ASSERT_EQ(other.reserve(peer(static_cast<std::uint8_t>(10 + i)), ip(i), t0, kWall).status,
              Status::ok);
  }
  for (std::uint8_t i = 0; i < kMaxCircuitsPerPeer; ++i) {
    ASSERT_EQ(other.open_circuit(peer(50), peer(static_cast<std::uint8_t>(10 + i)), t0),
              Status::ok);
  }
  EXPECT_EQ(other.open_circuit(peer(50), peer(10 + kMaxCircuitsPerPeer), t0),
            Status::resource_limit_exceeded);
  EXPECT_EQ(other.circuits_of(peer(50)), kMaxCircuitsPerPeer);
}

TEST(Reservations, TotalCircuitBound) {
  Reservations table(Limits{.max_circuits = 3});
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  ASSERT_EQ(table.reserve(peer(2), ip(2), t0, kWall).status, Status::ok);
  EXPECT_EQ(table.open_circuit(peer(10), peer(1), t0), Status::ok);
  EXPECT_EQ(table.open_circuit(peer(11), peer(2), t0), Status::ok);
  EXPECT_EQ(table.open_circuit(peer(10), peer(1), t0), Status::ok);  // a second one, same pair
  EXPECT_EQ(table.open_circuit(peer(12), peer(2), t0), Status::resource_limit_exceeded);
  EXPECT_EQ(table.circuit_count(), 3u);
  EXPECT_TRUE(table.close_circuit(peer(10), peer(1)));
  EXPECT_TRUE(table.close_circuit(peer(10), peer(1)));
  EXPECT_FALSE(table.close_circuit(peer(10), peer(1)));  // none left: nothing changes
  EXPECT_FALSE(table.close_circuit(peer(2), peer(11)));  // the other direction is another pair
  EXPECT_EQ(table.circuit_count(), 1u);
  EXPECT_EQ(table.circuits_of(peer(10)), 0u);
  EXPECT_EQ(table.circuits_of(peer(1)), 0u);
  EXPECT_EQ(table.open_circuit(peer(12), peer(2), t0), Status::ok);
  EXPECT_EQ(table.counters().circuits_opened, 4u);
  EXPECT_EQ(table.counters().circuits_closed, 2u);
}

TEST(Reservations, CircuitsOutliveTheReservation) {
  // The bound is on circuits open; a reservation that ends does not end them (as go).
  Reservations table;
  ASSERT_EQ(table.reserve(peer(1), ip(1), t0, kWall).status, Status::ok);
  ASSERT_EQ(table.open_circuit(peer(2), peer(1), t0), Status::ok);
  table.remove(peer(1));
  EXPECT_EQ(table.circuit_count(), 1u);
  EXPECT_TRUE(table.close_circuit(peer(2), peer(1)));
}

TEST(Reservations, UnlimitedCircuitsHaveNoLimit) {
  Reservations table(Limits{.circuit_duration = std::chrono::seconds(0), .circuit_data = 0});
  EXPECT_FALSE(table.circuit_limit());
  EXPECT_FALSE(table.reserve(peer(1), ip(1), t0, kWall).limit);
  Reservations spec(Limits{.circuit_duration = kSpecCircuitDuration, .circuit_data = 0});
  EXPECT_EQ(spec.circuit_limit(), (Limit{.duration = 120}));
  Reservations huge(Limits{.circuit_duration = std::chrono::hours(24 * 365 * 200)});
  EXPECT_EQ(huge.circuit_limit()->duration, 0xffffffffu);  // clamped, not wrapped
}

TEST(CircuitBudget, CountsBytesAndTime) {
  CircuitBudget b(Limit{.duration = 60, .data = 100}, t0);
  EXPECT_EQ(b.deadline(), t0 + std::chrono::seconds(60));
  EXPECT_TRUE(b.consume(60));
  EXPECT_EQ(b.bytes_left(), 40u);
  EXPECT_FALSE(b.consume(41));  // does not fit: nothing deducted
  EXPECT_EQ(b.bytes_left(), 40u);
  EXPECT_TRUE(b.consume(40));
  EXPECT_TRUE(b.consume(0));
  EXPECT_FALSE(b.consume(1));
  EXPECT_FALSE(b.expired(t0 + std::chrono::seconds(59)));
  EXPECT_TRUE(b.expired(t0 + std::chrono::seconds(60)));
}

TEST(CircuitBudget, AbsentOrZeroMeansUnbounded) {
  for (const std::optional<Limit>& limit :
       {std::optional<Limit>{}, std::optional<Limit>{Limit{}},
        std::optional<Limit>{Limit{.duration = 0, .data = 0}}}) {
    CircuitBudget b(limit, t0);
    EXPECT_TRUE(b.consume(~std::uint64_t{0}));
    EXPECT_FALSE(b.bytes_left());
    EXPECT_FALSE(b.deadline());
    EXPECT_FALSE(b.expired(t0 + std::chrono::hours(1000)));
  }
  CircuitBudget data_only(Limit{.data = 5}, t0);
  EXPECT_FALSE(data_only.deadline());
  EXPECT_FALSE(data_only.consume(6));
}

TEST(CircuitBudget, FromTheGrantedLimit) {
  Reservations table;
  CircuitBudget b(table.circuit_limit(), t0);
  EXPECT_EQ(b.bytes_left(), kCircuitData);
  EXPECT_EQ(b.deadline(), t0 + kCircuitDuration);
}

}  // namespace
}  // namespace ipfsa::proto::relay
