// CID (multiformats/cid). CIDv1 binary: uvarint(1) ‖ uvarint(codec) ‖ multihash; text: a multibase
// string of that (base32 lower, "b...", by default). CIDv0 is a bare sha2-256 multihash whose text
// is base58btc "Qm..." (implicitly dag-pb): we parse it but only ever produce CIDv1 unless asked.
// Codecs are checked against the short list below: anything else is unknown_code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/multibase.hpp"
#include "wire/multihash.hpp"

namespace ipfsa::wire {

// Binary CID bound: version + codec varints + a multihash of at most kMaxMultihashDigestSize.
inline constexpr std::size_t kMaxCidSize = 2 * kMaxUvarintBytes + 2 + 2 + kMaxMultihashDigestSize;

enum class Codec : std::uint64_t {
  raw = 0x55,
  dag_pb = 0x70,
  dag_cbor = 0x71,
  libp2p_key = 0x72,
  dag_json = 0x0129,
  json = 0x0200,
};

// True for the codecs listed in Codec.
bool is_known_codec(std::uint64_t code) noexcept;

class Cid {
 public:
  // REQUIRES: `multihash` decodes with decode_multihash().
  static Cid v1(Codec codec, Bytes multihash);
  // CIDv1 raw + sha2-256 of `body`: how the cache content-addresses response bodies.
  static Cid sha256_raw(ByteView body);
  // Binary CIDv1, or a CIDv0 (34-byte sha2-256 multihash). Errors: truncated, malformed,
  // non_canonical, too_large, unsupported (CID version other than 0/1, a hash we do not speak),
  // unknown_code (codec).
  static Result<Cid> from_bytes(ByteView bytes);
  // "Qm..." (CIDv0) or any supported multibase of a CIDv1. Errors as from_bytes and
  // multibase_decode.
  static Result<Cid> parse(std::string_view text);

  int version() const noexcept { return version_; }
  Codec codec() const noexcept { return codec_; }
  const Bytes& multihash() const noexcept { return multihash_; }
  // Binary form: CIDv1 layout for version 1, the bare multihash for version 0.
  Bytes bytes() const;
  // Version 1: multibase base32 ("b..."); version 0: base58btc "Qm...".
  std::string to_string() const;
  // Version 1 in the given multibase (a CIDv0 is upgraded to v1 first).
  std::string to_string(Multibase base) const;
  Cid to_v1() const { return Cid(1, codec_, multihash_); }

  friend bool operator==(const Cid&, const Cid&) = default;

 private:
  Cid(int version, Codec codec, Bytes mh)
      : version_(version), codec_(codec), multihash_(std::move(mh)) {}
  int version_;
  Codec codec_;
  Bytes multihash_;
};

}  // namespace ipfsa::wire
