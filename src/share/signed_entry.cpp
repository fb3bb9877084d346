#include "share/signed_entry.hpp"

#include "wire/protobuf.hpp"

namespace ipfsa::share {

bool is_key_hash(std::string_view key_hash) noexcept {
  if (key_hash.size() != kKeyHashHexBytes) return false;
  for (char c : key_hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Bytes signed_record(const cache::Entry& entry, std::string_view key_hash) {
  wire::pb::Writer w;
  const auto raw = hex_decode(key_hash);
  w.bytes(1, raw ? ByteView(*raw) : as_bytes(key_hash));
  w.varint(2, static_cast<std::uint64_t>(entry.status));
  for (const auto& h : entry.headers) {
    wire::pb::Writer nested;
    nested.string(1, h.name);
    nested.string(2, h.value);
    w.bytes(3, nested.data());
  }
  w.string(4, entry.cid);
  w.varint(5, static_cast<std::uint64_t>(entry.fetched_at.time_since_epoch().count()));
  w.varint(6, static_cast<std::uint64_t>(entry.expires_at.time_since_epoch().count()));
  w.string(7, entry.origin);
  w.varint(8, entry.body ? entry.body->size() : 0);
  Bytes out = to_bytes(kEntrySignatureContext);
  append(out, w.data());
  return out;
}

cache::EntryPtr sign_entry(const cache::Entry& entry, std::string_view key_hash,
                           const crypto::Ed25519KeyPair& key, const wire::PeerId& self) {
  cache::Entry copy = entry;
  copy.origin = self.to_string();
  const Bytes signature = key.sign(signed_record(copy, key_hash));
  copy.signature = ipfsa::to_string(signature);
  return std::make_shared<const cache::Entry>(std::move(copy));
}

Result<void> verify_entry(const cache::Entry& entry, std::string_view key_hash) {
  if (!is_key_hash(key_hash)) return Error::malformed;
  if (!cache::body_matches_cid(entry)) return Error::malformed;
  auto origin = wire::PeerId::parse(entry.origin);
  if (!origin) return Error::malformed;
  auto key = origin->public_key();
  if (!key) return Error::unsupported;
  if (entry.signature.empty()) return Error::invalid_signature;
  return crypto::verify(*key, signed_record(entry, key_hash), as_bytes(entry.signature));
}

}  // namespace ipfsa::share
