// Swarm membership (docs/wire/membership.md): every member agrees on who the members are,
// independent of who is connected to whom, so that every member computes the same owner for a key.
// A member states itself in a signed MemberRecord (its peer ID, when it said so, where it listens)
// and says it again every kMemberHeartbeat; records travel by gossip and by the member exchange on
// each new connection. A record is live for kMemberTtl after the time it states, so members with
// the same records compute the same list, whenever they heard them. Pure: `now` goes in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::share {

using namespace std::chrono_literals;

// A member restates its record this often (gossip)...
inline constexpr Duration kMemberHeartbeat = 5s;
// ...and is a member until this long after its latest record's time: four heartbeats, so a lost
// message or two does not drop it. Departure (a crash) is seen within this bound; a failed dial
// takes a member out of the asker's own list at once (until it states itself again).
inline constexpr std::chrono::milliseconds kMemberTtl = 20s;
// Records dated further ahead of our clock are refused (their TTL would outlive the member).
inline constexpr std::chrono::milliseconds kMaxMemberClockSkew = 30s;
// Bounds: members in the table (records beyond it are dropped, existing members keep their place),
// addresses in a record, bytes of one address, bytes of an encoded record.
inline constexpr std::size_t kMaxMembers = 4096;
inline constexpr std::size_t kMaxMemberAddrs = 8;
inline constexpr std::size_t kMaxMemberAddrBytes = 128;
inline constexpr std::size_t kMaxMemberRecordBytes = 2048;
// The signature covers this context followed by the record's fields 1 to 4.
inline constexpr std::string_view kMemberSignatureContext = "ipfs-accelerate/member/v1\n";

struct MemberRecord {
  explicit MemberRecord(wire::PeerId id) : peer(std::move(id)) {}
  wire::PeerId peer;
  std::int64_t issued_at_ms = 0;  // wall clock of the member when it signed
  std::vector<wire::Multiaddr> addrs;  // where it listens (no /p2p), at most kMaxMemberAddrs
  bool leaving = false;           // a clean shutdown: not a member from this record on
  Bytes signature;                // Ed25519 over kMemberSignatureContext || fields 1-4
  friend bool operator==(const MemberRecord&, const MemberRecord&) = default;
};

// Protobuf: 1 peer id (multihash bytes), 2 issued_at_ms, 3 addr (repeated, binary multiaddr),
// 4 leaving, 5 signature, 15 end (= 1, always last).
Bytes encode_member_record(const MemberRecord& record);
// Errors: too_large (over a bound), truncated/malformed. Does not check the signature.
Result<MemberRecord> decode_member_record(ByteView bytes);
// A signed record for `key`'s peer ID. Addresses beyond the bounds are left out.
MemberRecord sign_member_record(const crypto::Ed25519KeyPair& key, std::int64_t issued_at_ms,
                                const std::vector<wire::Multiaddr>& addrs, bool leaving = false);
// invalid_signature, or unsupported (a peer ID that does not embed its key).
Result<void> verify_member_record(const MemberRecord& record);

enum class Applied : std::uint8_t {
  added,    // a member we did not have
  renewed,  // a newer record of a member we had
  left,     // a newer record saying it is leaving: removed
  stale,    // not newer than what we have (or older than the TTL): nothing changed
  future,   // dated beyond kMaxMemberClockSkew: refused
  full,     // the table holds kMaxMembers: refused
};

// The table of live members. Holds verified records only (callers verify).
class Membership {
 public:
  explicit Membership(wire::PeerId self, std::size_t max_members = kMaxMembers);

  // Our own record (the table always holds us).
  void set_self(MemberRecord record);
  const MemberRecord& self() const noexcept { return self_; }

  Applied apply(const MemberRecord& record, WallTime now);
  // Drops members whose latest record is older than kMemberTtl. Returns how many left.
  std::size_t expire(WallTime now);
  // A dial to `peer` failed: leave it out of members() until it states itself again (a record
  // newer than the one we hold). No-op for ourselves or a peer we do not know.
  void mark_unreachable(const wire::PeerId& peer);
  bool unreachable(const wire::PeerId& peer) const { return unreachable_.contains(peer); }

  // Live members, us included, in peer ID order: the list owners are computed over.
  std::vector<wire::PeerId> members(WallTime now) const;
  // members(now).size(), without building the list.
  std::size_t count(WallTime now) const;
  // Whether `peer` is among members(now).
  bool counted(const wire::PeerId& peer, WallTime now) const;
  // Every live record, us first (for the member exchange). At most kMaxMembers.
  std::vector<MemberRecord> records(WallTime now) const;
  const MemberRecord* find(const wire::PeerId& peer) const;
  std::size_t size() const noexcept { return others_.size() + 1; }

 private:
  bool live(const MemberRecord& r, WallTime now) const;

  wire::PeerId self_id_;
  MemberRecord self_;
  std::size_t max_members_;
  std::map<wire::PeerId, MemberRecord> others_;
  std::set<wire::PeerId> unreachable_;
};

}  // namespace ipfsa::share
