#include "cache/entry.hpp"

#include <xxhash.h>

#include <algorithm>
#include <optional>

#include "base/ascii.hpp"
#include "wire/cid.hpp"
#include "wire/protobuf.hpp"

namespace ipfsa::cache {
namespace {

// Field numbers of the meta message (docs/wire/cache-store.md).
enum MetaField : std::uint32_t {
  kStatus = 1,
  kHeader = 2,  // nested: 1 name, 2 value
  kCid = 3,
  kFetchedAtMs = 4,
  kExpiresAtMs = 5,
  kOrigin = 6,
  kBodyXxh3 = 7,  // XXH3-64 of the body: the store's fast integrity check
  kSignature = 8,  // the origin's signature over the metadata (bytes)
  kEnd = 15,  // always last: a meta blob cut anywhere fails to decode
};

inline constexpr int kMinStatus = 100;
inline constexpr int kMaxStatus = 599;

std::string cid_of(const std::string& body) {
  return wire::Cid::sha256_raw(as_bytes(body)).to_string();
}

std::uint64_t to_ms(WallTime t) noexcept {
  const auto ms = t.time_since_epoch().count();
  return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}

}  // namespace

std::string_view Entry::header(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

bool is_kept_header(std::string_view name) noexcept {
  return std::any_of(kKeptHeaders.begin(), kKeptHeaders.end(),
                     [&](std::string_view kept) { return ascii_iequals(kept, name); });
}

Result<Entry> make_entry(int status, const Headers& response_headers, std::string body,
                         WallTime fetched_at, WallTime expires_at, std::string origin) {
  if (body.size() > kMaxEntryBytes) return Error::too_large;
  if (origin.size() > kMaxOriginBytes) return Error::malformed;
  if (status < kMinStatus || status > kMaxStatus) return Error::malformed;
  Entry e;
  e.status = status;
  for (std::string_view kept : kKeptHeaders) {
    for (const auto& h : response_headers) {
      if (ascii_iequals(h.name, kept) && h.value.size() <= kMaxHeaderValueBytes) {
        e.headers.push_back({std::string(kept), h.value});
        break;
      }
    }
  }
  e.cid = cid_of(body);
  e.body = std::make_shared<const std::string>(std::move(body));
  e.fetched_at = fetched_at;
  e.expires_at = expires_at;
  e.origin = std::move(origin);
  return e;
}

Bytes encode_meta(const Entry& entry) {
  wire::pb::Writer w;
  w.varint(kStatus, static_cast<std::uint64_t>(entry.status));
  for (const auto& h : entry.headers) {
    wire::pb::Writer nested;
    nested.string(1, h.name);
    nested.string(2, h.value);
    w.bytes(kHeader, nested.data());
  }
  w.string(kCid, entry.cid);
  w.varint(kFetchedAtMs, to_ms(entry.fetched_at));
  w.varint(kExpiresAtMs, to_ms(entry.expires_at));
  if (!entry.origin.empty()) w.string(kOrigin, entry.origin);
  if (!entry.signature.empty()) w.string(kSignature, entry.signature);
  if (entry.body) w.varint(kBodyXxh3, XXH3_64bits(entry.body->data(), entry.body->size()));
  w.varint(kEnd, 1);
  return std::move(w).take();
}

Result<Entry> decode_meta(ByteView meta, Body body) {
  if (!body) return Error::malformed;
  if (meta.size() > kMaxEntryBytes || body->size() > kMaxEntryBytes) return Error::too_large;
  Entry e;
  bool have_status = false;
  bool have_cid = false;
  bool have_expiry = false;
  bool have_end = false;
  std::optional<std::uint64_t> body_xxh3;
  wire::pb::Reader r(meta);
  wire::pb::Field f;
  while (r.next(f)) {
    if (have_end) return Error::malformed;  // nothing may follow the end marker
    switch (f.number) {
      case kStatus:
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        if (f.varint < kMinStatus || f.varint > kMaxStatus) return Error::malformed;
        e.status = static_cast<int>(f.varint);
        have_status = true;
        break;
      case kHeader: {
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (e.headers.size() >= kKeptHeaders.size()) return Error::too_large;
        Header h;
        bool have_name = false;
        wire::pb::Reader hr(f.bytes);
        wire::pb::Field hf;
        while (hr.next(hf)) {
          if (hf.type != wire::pb::WireType::len) return Error::malformed;
          if (hf.number == 1) {
            h.name = to_string(hf.bytes);
            have_name = true;
          } else if (hf.number == 2) {
            if (hf.bytes.size() > kMaxHeaderValueBytes) return Error::too_large;
            h.value = to_string(hf.bytes);
          }
        }
        if (hr.error()) return hr.error();
        if (!have_name || !is_kept_header(h.name)) return Error::malformed;
        e.headers.push_back(std::move(h));
        break;
      }
      case kCid:
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (f.bytes.size() > kMaxCidTextBytes) return Error::too_large;
        e.cid = to_string(f.bytes);
        have_cid = true;
        break;
      case kFetchedAtMs:
      case kExpiresAtMs: {
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        if (f.varint > static_cast<std::uint64_t>(INT64_MAX)) return Error::malformed;
        const WallTime t{std::chrono::milliseconds(static_cast<std::int64_t>(f.varint))};
        if (f.number == kFetchedAtMs) {
          e.fetched_at = t;
        } else {
          e.expires_at = t;
          have_expiry = true;
        }
        break;
      }
      case kOrigin:
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (f.bytes.size() > kMaxOriginBytes) return Error::too_large;
        e.origin = to_string(f.bytes);
        break;
      case kSignature:
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (f.bytes.size() > kMaxSignatureBytes) return Error::too_large;
        e.signature = to_string(f.bytes);
        break;
      case kBodyXxh3:
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        body_xxh3 = f.varint;
        break;
      case kEnd:
        if (f.type != wire::pb::WireType::varint || f.varint != 1) return Error::malformed;
        have_end = true;
        break;
      default:  // unknown fields from a newer version are skipped
        break;
    }
  }
  if (r.error()) return r.error();
  if (!have_end) return Error::truncated;
  if (!have_status || !have_cid || !have_expiry) return Error::malformed;
  // The body must be what was stored. Rows carry a 64-bit XXH3 of it, checked at about 20 GB/s;
  // the CID (SHA-256, ~1.8 GB/s here: most of a cold read's time) is checked only for rows
  // without one. Bodies arriving from peers are checked against their CID (body_matches_cid).
  if (body_xxh3) {
    if (XXH3_64bits(body->data(), body->size()) != *body_xxh3) return Error::malformed;
  } else if (cid_of(*body) != e.cid) {
    return Error::malformed;
  }
  e.body = std::move(body);
  return e;
}

bool body_matches_cid(const Entry& entry) {
  return entry.body && cid_of(*entry.body) == entry.cid;
}

std::size_t entry_size(const Entry& entry, std::size_t meta_size) noexcept {
  return (entry.body ? entry.body->size() : 0) + meta_size;
}

}  // namespace ipfsa::cache
