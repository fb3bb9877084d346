// DNS messages as multicast DNS uses them (RFC 1035 section 4, RFC 6762 sections 5.4, 10.2, 18),
// without I/O: a header, questions, and answer/authority/additional records of the types libp2p
// mDNS needs (PTR, TXT, SRV, A, AAAA); any other type is kept as raw RDATA.
//
//   auto message = dns::decode(packet);           // one UDP datagram
//   if (!message) drop(message.error());
//   Bytes out = *dns::encode(reply);                // names written uncompressed
//
// Names are dotted text without the trailing dot ("_p2p._udp.local"); compare them with
// names_equal() (DNS names are case-insensitive, RFC 1035 2.3.3). A label may not contain '.'.
// Everything a peer sends is bounded by the limits below, checked before allocating.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::proto::mdns {

// RFC 6762 17: an mDNS message may be up to 9000 bytes (jumbo frames); we neither read nor write
// larger ones.
inline constexpr std::size_t kMaxMdnsPacketBytes = 9000;
// Questions + answers + authorities + additionals in one message.
inline constexpr std::size_t kMaxRecords = 128;
// Character-strings in one TXT record.
inline constexpr std::size_t kMaxTxtStrings = 64;
// RFC 1035 2.3.4: a name is at most 255 bytes on the wire, a label at most 63.
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxLabelLength = 63;
// Compression pointers followed while reading one name. Pointers must also point strictly
// backwards, which alone rules out loops; this bounds the work per name.
inline constexpr std::size_t kMaxCompressionJumps = 32;
inline constexpr std::size_t kHeaderSize = 12;

namespace type {
inline constexpr std::uint16_t kA = 1;
inline constexpr std::uint16_t kPtr = 12;
inline constexpr std::uint16_t kTxt = 16;
inline constexpr std::uint16_t kAaaa = 28;
inline constexpr std::uint16_t kSrv = 33;
inline constexpr std::uint16_t kAny = 255;
}  // namespace type
inline constexpr std::uint16_t kClassIn = 1;
inline constexpr std::uint16_t kClassAny = 255;

namespace flag {
inline constexpr std::uint16_t kResponse = 0x8000;       // QR
inline constexpr std::uint16_t kAuthoritative = 0x0400;  // AA
inline constexpr std::uint16_t kTruncated = 0x0200;      // TC
}  // namespace flag

struct Question {
  std::string name;
  std::uint16_t type = type::kPtr;
  std::uint16_t qclass = kClassIn;  // without the top bit
  bool unicast_response = false;    // RFC 6762 5.4: the QU bit (top bit of the class)
  friend bool operator==(const Question&, const Question&) = default;
};

struct PtrData {
  std::string target;
  friend bool operator==(const PtrData&, const PtrData&) = default;
};
struct TxtData {
  std::vector<Bytes> strings;  // each at most 255 bytes; at most kMaxTxtStrings
  friend bool operator==(const TxtData&, const TxtData&) = default;
};
struct SrvData {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;
  friend bool operator==(const SrvData&, const SrvData&) = default;
};
struct AData {
  std::array<std::uint8_t, 4> address{};
  friend bool operator==(const AData&, const AData&) = default;
};
struct AaaaData {
  std::array<std::uint8_t, 16> address{};
  friend bool operator==(const AaaaData&, const AaaaData&) = default;
};
struct RawData {
  Bytes rdata;  // any other type, uninterpreted (names inside it are not decompressed)
  friend bool operator==(const RawData&, const RawData&) = default;
};
using RecordData = std::variant<PtrData, TxtData, SrvData, AData, AaaaData, RawData>;

struct Record {
  std::string name;
  std::uint16_t type = type::kPtr;  // must agree with `data` (RawData: any type but the five)
  std::uint16_t rclass = kClassIn;  // without the top bit
  bool cache_flush = false;         // RFC 6762 10.2: the top bit of the class
  std::uint32_t ttl = 0;
  RecordData data;
  friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authorities;
  std::vector<Record> additionals;

  bool is_response() const noexcept { return (flags & flag::kResponse) != 0; }
  friend bool operator==(const Message&, const Message&) = default;
};

// Reads one datagram. Errors: too_large (packet above kMaxMdnsPacketBytes, more than kMaxRecords
// records, more than kMaxTxtStrings strings in a TXT, a name above kMaxNameLength), truncated (the
// packet ends inside the header, a name, a record or its RDATA), malformed (a compression
// pointer that does not point strictly backwards or exceeds kMaxCompressionJumps, a reserved
// label type, a '.' inside a label, RDATA whose length disagrees with its type, bytes after the
// last record).
Result<Message> decode(ByteView packet);

// Writes `message` without name compression. Errors: malformed (an empty label, a label above
// kMaxLabelLength, a type that disagrees with its data, a TXT string above 255 bytes), too_large
// (a name above kMaxNameLength, more than kMaxRecords records or kMaxTxtStrings strings, the
// result above kMaxMdnsPacketBytes).
Result<Bytes> encode(const Message& message);

// Case-insensitive (ASCII) comparison of two dotted names.
bool names_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace ipfsa::proto::mdns
