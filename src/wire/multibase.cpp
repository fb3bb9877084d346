#include "wire/multibase.hpp"

#include <array>
#include <cstdint>

namespace ipfsa::wire {
namespace {

constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBase32Lower = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kBase32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase16Lower = "0123456789abcdef";
constexpr std::string_view kBase16Upper = "0123456789ABCDEF";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kInvalid = 0xff;
using Table = std::array<std::uint8_t, 256>;

constexpr Table make_table(std::string_view alphabet) {
  Table t{};
  for (auto& v : t) v = kInvalid;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return t;
}

constexpr Table kBase58Table = make_table(kBase58Alphabet);
constexpr Table kBase32LowerTable = make_table(kBase32Lower);
constexpr Table kBase32UpperTable = make_table(kBase32Upper);
constexpr Table kBase16LowerTable = make_table(kBase16Lower);
constexpr Table kBase16UpperTable = make_table(kBase16Upper);
constexpr Table kBase64UrlTable = make_table(kBase64Url);

// RFC 4648 bit packing for 2^bits-character alphabets (5 = base32, 6 = base64), no padding.
std::string encode_bits(ByteView data, std::string_view alphabet, unsigned bits) {
  std::string out;
  out.reserve((data.size() * 8 + bits - 1) / bits);
  std::uint32_t buffer = 0;
  unsigned held = 0;
  const std::uint32_t mask = (1u << bits) - 1;
  for (std::uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    held += 8;
    while (held >= bits) {
      held -= bits;
      out.push_back(alphabet[(buffer >> held) & mask]);
    }
  }
  if (held > 0) out.push_back(alphabet[(buffer << (bits - held)) & mask]);
  return out;
}

Result<Bytes> decode_bits(std::string_view text, const Table& table, unsigned bits) {
  if (text.size() > kMaxMultibaseTextSize) return Error::too_large;
  // A trailing group shorter than one byte cannot come from any input (RFC 4648 section 6/4).
  if ((text.size() * bits) % 8 >= bits) return Error::malformed;
  Bytes out;
  out.reserve(text.size() * bits / 8);
  std::uint32_t buffer = 0;
  unsigned held = 0;
  for (char c : text) {
    const std::uint8_t v = table[static_cast<unsigned char>(c)];
    if (v == kInvalid) return Error::malformed;
    buffer = ((buffer << bits) | v) & 0xffff;
    held += bits;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> held));
    }
  }
  // RFC 4648 section 3.5: the pad bits of the last character must be zero.
  if (held > 0 && (buffer & ((1u << held) - 1)) != 0) return Error::non_canonical;
  return out;
}

Result<Bytes> decode_hex(std::string_view text, const Table& table) {
  if (text.size() > kMaxMultibaseTextSize) return Error::too_large;
  if (text.size() % 2 != 0) return Error::malformed;
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const std::uint8_t hi = table[static_cast<unsigned char>(text[i])];
    const std::uint8_t lo = table[static_cast<unsigned char>(text[i + 1])];
    if (hi == kInvalid || lo == kInvalid) return Error::malformed;
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

}  // namespace

std::string base58btc_encode(ByteView data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // log(256) / log(58) < 1.38: enough base-58 digits for the rest.
  std::vector<std::uint8_t> digits((data.size() - zeros) * 138 / 100 + 1, 0);
  std::size_t used = 0;  // significant digits, stored little-endian
  for (std::size_t i = zeros; i < data.size(); ++i) {
    std::uint32_t carry = data[i];
    std::size_t j = 0;
    for (; j < used || carry != 0; ++j) {
      carry += std::uint32_t{digits[j]} * 256;
      digits[j] = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    used = j;
  }
  std::string out(zeros, '1');
  out.reserve(zeros + used);
  for (std::size_t j = used; j-- > 0;) out.push_back(kBase58Alphabet[digits[j]]);
  return out;
}

Result<Bytes> base58btc_decode(std::string_view text) {
  if (text.size() > kMaxMultibaseTextSize) return Error::too_large;
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // log(58) / log(256) < 0.733.
  Bytes bytes((text.size() - zeros) * 733 / 1000 + 1, 0);
  std::size_t used = 0;  // significant bytes, stored little-endian
  for (std::size_t i = zeros; i < text.size(); ++i) {
    const std::uint8_t v = kBase58Table[static_cast<unsigned char>(text[i])];
    if (v == kInvalid) return Error::malformed;
    std::uint32_t carry = v;
    std::size_t j = 0;
    for (; j < used || carry != 0; ++j) {
      carry += std::uint32_t{bytes[j]} * 58;
      bytes[j] = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  Bytes out(zeros, 0);
  out.reserve(zeros + used);
  for (std::size_t j = used; j-- > 0;) out.push_back(bytes[j]);
  return out;
}

std::string base32_encode(ByteView data) { return encode_bits(data, kBase32Lower, 5); }
Result<Bytes> base32_decode(std::string_view text) {
  // One case throughout: pick the table from the first letter (digits exist in both).
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') return decode_bits(text, kBase32UpperTable, 5);
    if (c >= 'a' && c <= 'z') break;
  }
  return decode_bits(text, kBase32LowerTable, 5);
}

std::string base16_encode(ByteView data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kBase16Lower[b >> 4]);
    out.push_back(kBase16Lower[b & 0x0f]);
  }
  return out;
}
Result<Bytes> base16_decode(std::string_view text) {
  for (char c : text) {
    if (c >= 'A' && c <= 'F') return decode_hex(text, kBase16UpperTable);
    if (c >= 'a' && c <= 'f') break;
  }
  return decode_hex(text, kBase16LowerTable);
}

std::string base64url_encode(ByteView data) { return encode_bits(data, kBase64Url, 6); }
Result<Bytes> base64url_decode(std::string_view text) {
  return decode_bits(text, kBase64UrlTable, 6);
}

std::string multibase_encode(Multibase base, ByteView data) {
  std::string out(1, static_cast<char>(base));
  switch (base) {
    case Multibase::base58btc:
      return out + base58btc_encode(data);
    case Multibase::base32:
      return out + base32_encode(data);
    case Multibase::base16:
      return out + base16_encode(data);
    case Multibase::base64url:
      return out + base64url_encode(data);
  }
  return out;
}

Result<MultibaseDecoded> multibase_decode(std::string_view text) {
  if (text.size() > kMaxMultibaseTextSize) return Error::too_large;
  if (text.empty()) return Error::malformed;
  const std::string_view body = text.substr(1);
  Result<Bytes> data = Error::unsupported;
  Multibase base{};
  // multibase.csv: 'B' and 'F' are the upper-case variants of 'b' and 'f'.
  switch (text[0]) {
    case 'z':
      base = Multibase::base58btc;
      data = base58btc_decode(body);
      break;
    case 'b':
      base = Multibase::base32;
      data = decode_bits(body, kBase32LowerTable, 5);
      break;
    case 'B':
      base = Multibase::base32;
      data = decode_bits(body, kBase32UpperTable, 5);
      break;
    case 'f':
      base = Multibase::base16;
      data = decode_hex(body, kBase16LowerTable);
      break;
    case 'F':
      base = Multibase::base16;
      data = decode_hex(body, kBase16UpperTable);
      break;
    case 'u':
      base = Multibase::base64url;
      data = decode_bits(body, kBase64UrlTable, 6);
      break;
    default:
      return Error::unsupported;
  }
  if (!data) return data.error();
  return MultibaseDecoded{base, std::move(*data)};
}

}  // namespace ipfsa::wire
