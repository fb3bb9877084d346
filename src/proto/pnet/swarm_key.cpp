#include "proto/pnet/swarm_key.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace ipfsa::proto::pnet {
namespace {

constexpr std::size_t kBase16Size = 2 * kPskSize;              // 64 hex digits
constexpr std::size_t kBase64Size = 4 * ((kPskSize + 2) / 3);  // 44 characters, one '=' pad

bool is_blank(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

ByteView trim_right(ByteView s) {
  while (!s.empty() && is_blank(s.back())) s = s.first(s.size() - 1);
  return s;
}

// Splits off the next '\n'-terminated line (without the terminator and trailing blanks).
// nullopt when there is no newline: the file ended inside the line.
std::optional<ByteView> take_line(ByteView& in) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n') {
      ByteView line = trim_right(in.first(i));
      in = in.subspan(i + 1);
      return line;
    }
  }
  return std::nullopt;
}

bool equals(ByteView a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

int hex_value(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(std::uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Result<SecretBytes> decode_base16(ByteView text) {
  for (std::uint8_t c : text) {
    if (hex_value(c) < 0) return Error::malformed;
  }
  if (text.size() < kBase16Size) return Error::truncated;
  if (text.size() > kBase16Size) return Error::malformed;
  SecretBytes psk(kPskSize);
  auto out = psk.mutable_view();
  for (std::size_t i = 0; i < kPskSize; ++i) {
    out[i] = static_cast<std::uint8_t>(hex_value(text[2 * i]) << 4 | hex_value(text[2 * i + 1]));
  }
  return psk;
}

// RFC 4648 section 4 (standard alphabet, padded), as go's base64.StdEncoding writes it.
Result<SecretBytes> decode_base64(ByteView text) {
  if (text.size() < kBase64Size) {
    for (std::uint8_t c : text) {
      if (base64_value(c) < 0) return Error::malformed;
    }
    return Error::truncated;
  }
  if (text.size() > kBase64Size || text[kBase64Size - 1] != '=') return Error::malformed;
  SecretBytes psk(kPskSize);
  auto out = psk.mutable_view();
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < kBase64Size; ++i) {
    const int v = base64_value(text[i]);
    if (v < 0) return Error::malformed;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  // 43 symbols carry 258 bits: the 2 left over must be zero in a canonical encoding.
  if ((acc & ((1u << bits) - 1)) != 0 || n != kPskSize) return Error::malformed;
  return psk;
}

}  // namespace

Result<SecretBytes> parse_swarm_key(ByteView file) {
  if (file.size() > kMaxSwarmKeyFileSize) return Error::too_large;
  ByteView in = file;
  // Line 1: the path multicodec of the key type.
  auto header = take_line(in);
  if (!header) {
    // No newline yet: a strict prefix of the header is a truncation, anything else is wrong.
    const ByteView t = trim_right(in);
    const bool prefix =
        t.size() <= kSwarmKeyHeader.size() && equals(t, kSwarmKeyHeader.substr(0, t.size()));
    return prefix ? Error::truncated : Error::malformed;
  }
  if (!equals(*header, kSwarmKeyHeader)) return Error::malformed;
  // Line 2: the base encoding of the rest.
  auto encoding = take_line(in);
  if (!encoding) {
    const ByteView t = trim_right(in);
    for (std::string_view known : {"/base16/", "/base64/", "/bin/"}) {
      if (t.size() <= known.size() && equals(t, known.substr(0, t.size()))) {
        return Error::truncated;
      }
    }
    return Error::malformed;
  }
  if (equals(*encoding, "/bin/")) {
    // Raw key: exactly 32 bytes (which may themselves be whitespace), then only whitespace.
    if (in.size() < kPskSize) return Error::truncated;
    for (std::uint8_t c : in.subspan(kPskSize)) {
      if (!is_blank(c)) return Error::malformed;
    }
    return SecretBytes(in.first(kPskSize));
  }
  const ByteView text = trim_right(in);
  for (std::uint8_t c : text) {
    if (is_blank(c)) return Error::malformed;  // a line break or space inside the key
  }
  if (equals(*encoding, "/base16/")) return decode_base16(text);
  if (equals(*encoding, "/base64/")) return decode_base64(text);
  return Error::unsupported;
}

SecretBytes format_swarm_key(const SecretBytes& psk) {
  if (psk.size() != kPskSize) {
    std::fputs("ipfsa: format_swarm_key needs a 32-byte key\n", stderr);
    std::abort();
  }
  constexpr std::string_view kEncoding = "/base16/\n";
  constexpr char kDigits[] = "0123456789abcdef";
  SecretBytes out(kSwarmKeyHeader.size() + 1 + kEncoding.size() + kBase16Size + 1);
  auto o = out.mutable_view();
  std::size_t n = 0;
  for (char c : kSwarmKeyHeader) o[n++] = static_cast<std::uint8_t>(c);
  o[n++] = '\n';
  for (char c : kEncoding) o[n++] = static_cast<std::uint8_t>(c);
  for (std::uint8_t b : psk.view()) {
    o[n++] = static_cast<std::uint8_t>(kDigits[b >> 4]);
    o[n++] = static_cast<std::uint8_t>(kDigits[b & 15]);
  }
  o[n++] = '\n';
  return out;
}

}  // namespace ipfsa::proto::pnet
