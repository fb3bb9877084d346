#include "wire/cid.hpp"

namespace ipfsa::wire {
namespace {

constexpr std::uint64_t kCidV1 = 1;
// CIDv0 text is exactly 46 base58 characters starting "Qm" (cid spec, "Decoding Algorithm").
constexpr std::size_t kCidV0TextSize = 46;
constexpr std::size_t kCidV0Size = 2 + kSha256DigestSize;

}  // namespace

bool is_known_codec(std::uint64_t code) noexcept {
  switch (static_cast<Codec>(code)) {
    case Codec::raw:
    case Codec::dag_pb:
    case Codec::dag_cbor:
    case Codec::libp2p_key:
    case Codec::dag_json:
    case Codec::json:
      return true;
  }
  return false;
}

Cid Cid::v1(Codec codec, Bytes multihash) { return Cid(1, codec, std::move(multihash)); }

Cid Cid::sha256_raw(ByteView body) { return Cid(1, Codec::raw, sha256_multihash(body)); }

Result<Cid> Cid::from_bytes(ByteView bytes) {
  if (bytes.size() > kMaxCidSize) return Error::too_large;
  // cid spec, "Decoding Algorithm": 34 bytes starting 0x12 0x20 is a CIDv0.
  if (bytes.size() == kCidV0Size && bytes[0] == 0x12 && bytes[1] == 0x20) {
    return Cid(0, Codec::dag_pb, Bytes(bytes.begin(), bytes.end()));
  }
  Reader r(bytes);
  auto version = r.uvarint();
  if (!version) return version.error();
  // 0x12 here would be a CIDv0 of the wrong size; other versions are reserved.
  if (*version != kCidV1) return *version == 0x12 ? Error::malformed : Error::unsupported;
  auto codec = r.uvarint();
  if (!codec) return codec.error();
  if (!is_known_codec(*codec)) return Error::unknown_code;
  const ByteView mh_start = r.rest();
  auto mh = read_multihash(r);
  if (!mh) return mh.error();
  if (!r.empty()) return Error::malformed;
  return Cid(1, static_cast<Codec>(*codec), Bytes(mh_start.begin(), mh_start.end()));
}

Result<Cid> Cid::parse(std::string_view text) {
  if (text.size() > kMaxMultibaseTextSize) return Error::too_large;
  if (text.size() == kCidV0TextSize && text.starts_with("Qm")) {
    auto mh = base58btc_decode(text);
    if (!mh) return mh.error();
    if (mh->size() != kCidV0Size) return Error::malformed;
    return from_bytes(*mh);
  }
  auto decoded = multibase_decode(text);
  if (!decoded) return decoded.error();
  auto cid = from_bytes(decoded->data);
  if (!cid) return cid.error();
  // A CIDv0 must be written as base58 "Qm...", never inside a multibase (cid spec).
  if (cid->version() != 1) return Error::malformed;
  return cid;
}

Bytes Cid::bytes() const {
  if (version_ == 0) return multihash_;
  Bytes out;
  append_uvarint(out, kCidV1);
  append_uvarint(out, static_cast<std::uint64_t>(codec_));
  append(out, multihash_);
  return out;
}

std::string Cid::to_string() const {
  if (version_ == 0) return base58btc_encode(multihash_);
  return multibase_encode(Multibase::base32, bytes());
}

std::string Cid::to_string(Multibase base) const { return multibase_encode(base, to_v1().bytes()); }

}  // namespace ipfsa::wire
