#include "share/announcement.hpp"

#include <limits>

#include "share/membership.hpp"
#include "share/signed_entry.hpp"
#include "share/swarm.hpp"
#include "wire/protobuf.hpp"

namespace ipfsa::share {
namespace {

enum : std::uint32_t {
  kVersion = 1,
  kSentAt = 2,
  kEntry = 3,
  kInvalidation = 4,
  kRateLimit = 5,
  kMember = 6,
};

std::uint64_t as_u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

Result<std::int64_t> as_i64(std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Error::malformed;
  }
  return static_cast<std::int64_t>(v);
}

Result<std::string> text(const wire::pb::Field& f, std::size_t max) {
  if (f.type != wire::pb::WireType::len) return Error::malformed;
  if (f.bytes.size() > max) return Error::too_large;
  return ipfsa::to_string(f.bytes);
}

Result<std::string> hex_field(const wire::pb::Field& f, std::size_t bytes) {
  if (f.type != wire::pb::WireType::len || f.bytes.size() != bytes) return Error::malformed;
  return hex_encode(f.bytes);
}

Result<EntryAnnouncement> decode_entry(ByteView in) {
  EntryAnnouncement e;
  bool have_hash = false;
  wire::pb::Reader r(in);
  wire::pb::Field f;
  while (r.next(f)) {
    const bool is_varint = f.type == wire::pb::WireType::varint;
    switch (f.number) {
      case 1: {
        auto h = hex_field(f, kKeyHashHexBytes / 2);
        if (!h) return h.error();
        e.key_hash = std::move(*h);
        have_hash = true;
        break;
      }
      case 2:
      case 3:
      case 7: {
        auto t = text(f, kMaxAnnouncedTextBytes);
        if (!t) return t.error();
        (f.number == 2 ? e.cid : f.number == 3 ? e.etag : e.origin) = std::move(*t);
        break;
      }
      case 4:
      case 5: {
        if (!is_varint) return Error::malformed;
        auto v = as_i64(f.varint);
        if (!v) return v.error();
        (f.number == 4 ? e.fetched_at_ms : e.expires_at_ms) = *v;
        break;
      }
      case 6:
        if (!is_varint) return Error::malformed;
        e.size = f.varint;
        break;
      default:
        break;
    }
  }
  if (r.error()) return r.error();
  if (!have_hash || e.cid.empty() || e.origin.empty()) return Error::malformed;
  return e;
}

Result<Invalidation> decode_invalidation(ByteView in) {
  Invalidation inv;
  wire::pb::Reader r(in);
  wire::pb::Field f;
  while (r.next(f)) {
    if (f.number != 1) continue;
    auto t = text(f, kMaxInvalidationPrefixBytes);
    if (!t) return t.error();
    inv.prefix = std::move(*t);
  }
  if (r.error()) return r.error();
  if (inv.prefix.empty()) return Error::malformed;
  return inv;
}

Result<RateLimitNotice> decode_rate_limit(ByteView in) {
  RateLimitNotice n;
  bool have_fp = false;
  wire::pb::Reader r(in);
  wire::pb::Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      auto h = hex_field(f, kTokenFingerprintBytes);
      if (!h) return h.error();
      n.token_fingerprint = std::move(*h);
      have_fp = true;
    } else if (f.number == 2) {
      if (f.type != wire::pb::WireType::varint) return Error::malformed;
      auto v = as_i64(f.varint);
      if (!v) return v.error();
      n.reset_at_ms = *v;
    } else if (f.number == 3) {
      auto t = text(f, kMaxAnnouncedTextBytes);
      if (!t) return t.error();
      n.resource = std::move(*t);
    }
  }
  if (r.error()) return r.error();
  if (!have_fp) return Error::malformed;
  return n;
}

}  // namespace

Bytes encode_announcement(const Announcement& a) {
  wire::pb::Writer w;
  w.varint(kVersion, a.version);
  w.varint(kSentAt, as_u64(a.sent_at_ms));
  wire::pb::Writer body;
  std::uint32_t field = kEntry;
  if (const auto* e = std::get_if<EntryAnnouncement>(&a.body)) {
    const auto raw = hex_decode(e->key_hash);
    body.bytes(1, raw ? ByteView(*raw) : as_bytes(e->key_hash));
    body.string(2, e->cid);
    if (!e->etag.empty()) body.string(3, e->etag);
    body.varint(4, as_u64(e->fetched_at_ms));
    body.varint(5, as_u64(e->expires_at_ms));
    body.varint(6, e->size);
    body.string(7, e->origin);
  } else if (const auto* inv = std::get_if<Invalidation>(&a.body)) {
    field = kInvalidation;
    body.string(1, inv->prefix);
  } else if (const auto* m = std::get_if<MemberRecord>(&a.body)) {
    w.bytes(kMember, encode_member_record(*m));  // a message of its own: written as it is
    return std::move(w).take();
  } else {
    const auto& n = std::get<RateLimitNotice>(a.body);
    field = kRateLimit;
    const auto raw = hex_decode(n.token_fingerprint);
    body.bytes(1, raw ? ByteView(*raw) : as_bytes(n.token_fingerprint));
    body.varint(2, as_u64(n.reset_at_ms));
    if (!n.resource.empty()) body.string(3, n.resource);
  }
  w.bytes(field, body.data());
  return std::move(w).take();
}

Result<Announcement> decode_announcement(ByteView bytes) {
  if (bytes.size() > kMaxAnnouncementBytes) return Error::too_large;
  Announcement a;
  bool have_version = false;
  int bodies = 0;
  wire::pb::Reader r(bytes);
  wire::pb::Field f;
  while (r.next(f)) {
    switch (f.number) {
      case kVersion:
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        if (f.varint > kAnnouncementVersion) return Error::unsupported;
        if (f.varint == 0) return Error::malformed;
        a.version = static_cast<std::uint32_t>(f.varint);
        have_version = true;
        break;
      case kSentAt: {
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        auto v = as_i64(f.varint);
        if (!v) return v.error();
        a.sent_at_ms = *v;
        break;
      }
      case kEntry:
      case kInvalidation:
      case kRateLimit:
      case kMember: {
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (++bodies > 1) return Error::malformed;
        if (f.number == kMember) {
          auto m = decode_member_record(f.bytes);
          if (!m) return m.error();
          a.body = std::move(*m);
        } else if (f.number == kEntry) {
          auto e = decode_entry(f.bytes);
          if (!e) return e.error();
          a.body = std::move(*e);
        } else if (f.number == kInvalidation) {
          auto inv = decode_invalidation(f.bytes);
          if (!inv) return inv.error();
          a.body = std::move(*inv);
        } else {
          auto n = decode_rate_limit(f.bytes);
          if (!n) return n.error();
          a.body = std::move(*n);
        }
        break;
      }
      default:
        break;
    }
  }
  if (r.error()) return r.error();
  if (!have_version) return Error::malformed;
  if (bodies == 0) return Error::unsupported;  // a body kind of a later version: ignore it
  return a;
}

}  // namespace ipfsa::share
