#include "share/membership.hpp"

#include <algorithm>
#include <limits>

#include "wire/protobuf.hpp"

namespace ipfsa::share {
namespace {

enum : std::uint32_t { kPeer = 1, kIssuedAt = 2, kAddr = 3, kLeaving = 4, kSignature = 5, kEnd = 15 };
constexpr std::size_t kSignatureBytes = 64;

void write_signed_fields(wire::pb::Writer& w, const MemberRecord& r) {
  w.bytes(kPeer, r.peer.bytes());
  w.varint(kIssuedAt, static_cast<std::uint64_t>(r.issued_at_ms));
  for (const auto& a : r.addrs) w.bytes(kAddr, a.bytes());
  if (r.leaving) w.varint(kLeaving, 1);
}

Bytes signed_bytes(const MemberRecord& r) {
  wire::pb::Writer w;
  write_signed_fields(w, r);
  Bytes out = to_bytes(kMemberSignatureContext);
  append(out, w.data());
  return out;
}

std::int64_t ms_of(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Bytes encode_member_record(const MemberRecord& record) {
  wire::pb::Writer w;
  write_signed_fields(w, record);
  w.bytes(kSignature, record.signature);
  w.varint(kEnd, 1);
  return std::move(w).take();
}

Result<MemberRecord> decode_member_record(ByteView bytes) {
  if (bytes.size() > kMaxMemberRecordBytes) return Error::too_large;
  std::optional<wire::PeerId> peer;
  std::int64_t issued_at_ms = 0;
  std::vector<wire::Multiaddr> addrs;
  bool leaving = false;
  Bytes signature;
  bool have_time = false, have_signature = false, have_end = false;
  wire::pb::Reader reader(bytes);
  wire::pb::Field f;
  while (reader.next(f)) {
    if (have_end) return Error::malformed;
    const bool is_len = f.type == wire::pb::WireType::len;
    const bool is_varint = f.type == wire::pb::WireType::varint;
    switch (f.number) {
      case kPeer: {
        if (!is_len || peer) return Error::malformed;
        auto id = wire::PeerId::from_bytes(f.bytes);
        if (!id) return Error::malformed;
        peer = std::move(*id);
        break;
      }
      case kIssuedAt:
        if (!is_varint || f.varint > static_cast<std::uint64_t>(
                                         std::numeric_limits<std::int64_t>::max())) {
          return Error::malformed;
        }
        issued_at_ms = static_cast<std::int64_t>(f.varint);
        have_time = true;
        break;
      case kAddr: {
        if (!is_len) return Error::malformed;
        if (addrs.size() == kMaxMemberAddrs || f.bytes.size() > kMaxMemberAddrBytes) {
          return Error::too_large;
        }
        auto a = wire::Multiaddr::from_bytes(f.bytes);
        if (!a || a->peer_id()) return Error::malformed;  // addresses without /p2p
        addrs.push_back(std::move(*a));
        break;
      }
      case kLeaving:
        if (!is_varint || f.varint > 1) return Error::malformed;
        leaving = f.varint == 1;
        break;
      case kSignature:
        if (!is_len || f.bytes.size() != kSignatureBytes) return Error::malformed;
        signature.assign(f.bytes.begin(), f.bytes.end());
        have_signature = true;
        break;
      case kEnd:
        if (!is_varint || f.varint != 1) return Error::malformed;
        have_end = true;
        break;
      default:
        break;  // a later version's field: ignored (it is not signed by us either way)
    }
  }
  if (reader.error()) return reader.error();
  if (!have_end) return Error::truncated;
  if (!peer || !have_time || !have_signature) return Error::malformed;
  MemberRecord r(std::move(*peer));
  r.issued_at_ms = issued_at_ms;
  r.addrs = std::move(addrs);
  r.leaving = leaving;
  r.signature = std::move(signature);
  return r;
}

MemberRecord sign_member_record(const crypto::Ed25519KeyPair& key, std::int64_t issued_at_ms,
                                const std::vector<wire::Multiaddr>& addrs, bool leaving) {
  MemberRecord r(wire::PeerId::from_public_key(key.public_key()));
  r.issued_at_ms = issued_at_ms;
  r.leaving = leaving;
  for (const auto& a : addrs) {
    if (r.addrs.size() == kMaxMemberAddrs) break;
    if (a.peer_id() || a.bytes().size() > kMaxMemberAddrBytes) continue;
    r.addrs.push_back(a);
  }
  r.signature = key.sign(signed_bytes(r));
  return r;
}

Result<void> verify_member_record(const MemberRecord& record) {
  auto key = record.peer.public_key();
  if (!key) return Error::unsupported;
  return crypto::verify(*key, signed_bytes(record), record.signature);
}

Membership::Membership(wire::PeerId self, std::size_t max_members)
    : self_id_(self), self_(std::move(self)), max_members_(std::max<std::size_t>(max_members, 1)) {}

void Membership::set_self(MemberRecord record) {
  self_ = std::move(record);
  self_.peer = self_id_;
}

bool Membership::live(const MemberRecord& r, WallTime now) const {
  return !r.leaving && r.issued_at_ms + kMemberTtl.count() > ms_of(now);
}

Applied Membership::apply(const MemberRecord& record, WallTime now) {
  if (record.peer == self_id_) return Applied::stale;  // we speak for ourselves
  if (record.issued_at_ms > ms_of(now) + kMaxMemberClockSkew.count()) return Applied::future;
  auto it = others_.find(record.peer);
  if (it != others_.end()) {
    if (record.issued_at_ms <= it->second.issued_at_ms) return Applied::stale;
    unreachable_.erase(record.peer);  // it stated itself again
    if (record.leaving) {
      others_.erase(it);
      return Applied::left;
    }
    it->second = record;
    return Applied::renewed;
  }
  if (!live(record, now)) return Applied::stale;  // expired, or a goodbye from a stranger
  if (others_.size() + 1 >= max_members_) return Applied::full;
  unreachable_.erase(record.peer);
  others_.emplace(record.peer, record);
  return Applied::added;
}

std::size_t Membership::expire(WallTime now) {
  std::size_t gone = 0;
  for (auto it = others_.begin(); it != others_.end();) {
    if (live(it->second, now)) {
      ++it;
      continue;
    }
    unreachable_.erase(it->first);
    it = others_.erase(it);
    ++gone;
  }
  return gone;
}

void Membership::mark_unreachable(const wire::PeerId& peer) {
  if (peer != self_id_ && others_.contains(peer)) unreachable_.insert(peer);
}

std::vector<wire::PeerId> Membership::members(WallTime now) const {
  std::vector<wire::PeerId> out;
  out.reserve(others_.size() + 1);
  bool self_placed = false;
  for (const auto& [peer, record] : others_) {
    if (!self_placed && self_id_ < peer) {
      out.push_back(self_id_);
      self_placed = true;
    }
    if (live(record, now) && !unreachable_.contains(peer)) out.push_back(peer);
  }
  if (!self_placed) out.push_back(self_id_);
  return out;
}

std::size_t Membership::count(WallTime now) const {
  std::size_t n = 1;  // us
  for (const auto& [peer, record] : others_) {
    if (live(record, now) && !unreachable_.contains(peer)) ++n;
  }
  return n;
}

bool Membership::counted(const wire::PeerId& peer, WallTime now) const {
  if (peer == self_id_) return true;
  auto it = others_.find(peer);
  return it != others_.end() && live(it->second, now) && !unreachable_.contains(peer);
}

std::vector<MemberRecord> Membership::records(WallTime now) const {
  std::vector<MemberRecord> out;
  out.reserve(others_.size() + 1);
  out.push_back(self_);
  for (const auto& [peer, record] : others_) {
    if (live(record, now)) out.push_back(record);
  }
  return out;
}

const MemberRecord* Membership::find(const wire::PeerId& peer) const {
  if (peer == self_id_) return &self_;
  auto it = others_.find(peer);
  return it == others_.end() ? nullptr : &it->second;
}

}  // namespace ipfsa::share
