// Multibase (multiformats/multibase): a one-character prefix naming the base, then the text.
// We speak the four bases libp2p and IPFS use for CIDs and peer IDs:
//   'z' base58btc (Bitcoin alphabet)        'b' base32 lower, RFC 4648, no padding ('B': upper)
//   'f' base16 lower ('F': upper)            'u' base64url, RFC 4648 section 5, no padding
// Raw base58btc (no prefix) is exposed too: legacy peer IDs and CIDv0 use it.
//
// Decoding is strict: a character outside the alphabet is malformed; an impossible length
// (base32 with 1, 3 or 6 trailing characters, base64 with 1, odd base16) is malformed; non-zero
// padding bits in the last character are non_canonical (RFC 4648 section 3.5). Mixed case is
// malformed. Text longer than kMaxMultibaseTextSize is too_large, checked before any work.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::wire {

// Upper bound on the encoded text (prefix included) we decode. Base58 decoding is quadratic, so
// this also bounds CPU: 4096 characters cost ~3M byte operations.
inline constexpr std::size_t kMaxMultibaseTextSize = 4096;

enum class Multibase : char {
  base58btc = 'z',
  base32 = 'b',
  base16 = 'f',
  base64url = 'u',
};

// `base` prefix followed by the encoding of `data` (lower case where the base has case).
std::string multibase_encode(Multibase base, ByteView data);

struct MultibaseDecoded {
  Multibase base;  // base32 and base16 also report upper-case input as base32/base16
  Bytes data;
};
// Errors: malformed (empty, bad character, impossible length), unsupported (a prefix we do not
// speak), non_canonical (non-zero trailing bits), too_large.
Result<MultibaseDecoded> multibase_decode(std::string_view text);

// Without prefix. Leading zero bytes map to leading '1' characters and back.
std::string base58btc_encode(ByteView data);
Result<Bytes> base58btc_decode(std::string_view text);

std::string base32_encode(ByteView data);            // lower case, no padding
Result<Bytes> base32_decode(std::string_view text);  // one case throughout, no padding

std::string base16_encode(ByteView data);            // lower case
Result<Bytes> base16_decode(std::string_view text);  // one case throughout

std::string base64url_encode(ByteView data);            // no padding
Result<Bytes> base64url_decode(std::string_view text);  // no padding

}  // namespace ipfsa::wire
