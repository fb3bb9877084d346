// Circuit relay v2 messages (libp2p specs, relay/circuit-v2.md), without I/O: the HopMessage of
// /libp2p/circuit/relay/0.2.0/hop (client <-> relay: RESERVE, CONNECT, STATUS) and the
// StopMessage of /libp2p/circuit/relay/0.2.0/stop (relay -> target: CONNECT, STATUS). Each is
// exchanged as one uvarint-length-prefixed protobuf; after a CONNECT answered with STATUS OK the
// same stream carries the relayed connection, so the bytes that follow the message are not ours
// (wire::LengthPrefixedReader stops at the message's end and leaves them to the caller).
//
//   message HopMessage {                     // Type: RESERVE 0, CONNECT 1, STATUS 2
//     required Type type = 1;  optional Peer peer = 2;  optional Reservation reservation = 3;
//     optional Limit limit = 4;  optional Status status = 5; }
//   message StopMessage {                    // Type: CONNECT 0, STATUS 1
//     required Type type = 1;  optional Peer peer = 2;  optional Limit limit = 3;
//     optional Status status = 4; }
//   message Peer { required bytes id = 1;  repeated bytes addrs = 2; }
//   message Reservation { optional uint64 expire = 1;  repeated bytes addrs = 2;
//                         optional bytes voucher = 3; }        // voucher: see voucher.hpp
//   message Limit { optional uint32 duration = 1;  optional uint64 data = 2; }  // 0 = no limit
//
// The relay reading a request on an inbound hop stream:
//   wire::LengthPrefixedReader reader(relay::kMaxMessageSize);
//   ... feed reads until one message is complete: auto m = relay::decode_hop(*message);
//   if (!m) write(relay::frame_hop({.type = HopMessage::Type::status,
//                                   .status = relay::Status::malformed_message}));
//   else switch (m->type) { RESERVE: see reservations.hpp; CONNECT: ...; STATUS: unexpected }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::relay {

inline constexpr std::string_view kHopProtocolId = "/libp2p/circuit/relay/0.2.0/hop";
inline constexpr std::string_view kStopProtocolId = "/libp2p/circuit/relay/0.2.0/stop";

// The largest message body we accept (go-libp2p circuitv2 maxMessageSize); give it to the
// wire::LengthPrefixedReader, which refuses a larger prefix before buffering.
inline constexpr std::size_t kMaxMessageSize = 4096;
// Addresses in one Peer (the target of a CONNECT, the initiator of a stop CONNECT) and in one
// Reservation (the relay's public addresses). Neither go nor js bounds them beyond the message
// size; a node has a handful, and 64 leaves room for every interface and transport.
inline constexpr std::size_t kMaxAddrsPerPeer = 64;
inline constexpr std::size_t kMaxReservationAddrs = 64;
// One address (kept as raw bytes, so addresses with protocols we do not parse survive).
inline constexpr std::size_t kMaxAddrSize = wire::kMaxMultiaddrSize;

// The spec's Status enum. Decoding keeps a value outside this list as its number (a newer peer's
// code): anything but ok is a failure.
enum class Status : std::uint32_t {
  ok = 100,
  reservation_refused = 200,
  resource_limit_exceeded = 201,
  permission_denied = 202,
  connection_failed = 203,
  no_reservation = 204,
  malformed_message = 400,
  unexpected_message = 401,
};
// "OK", "RESERVATION_REFUSED", ... (the spec's names, for logs); "UNKNOWN" for other values.
std::string_view to_string(Status status) noexcept;

struct Peer {
  wire::PeerId id;           // 1: always a valid peer ID (decode checks it)
  std::vector<Bytes> addrs;  // 2: binary multiaddrs, unvalidated
  friend bool operator==(const Peer&, const Peer&) = default;
};

struct Reservation {
  std::optional<std::uint64_t> expire;  // 1: UTC unix seconds
  std::vector<Bytes> addrs;             // 2: the relay's addresses with its /p2p, unvalidated
  std::optional<Bytes> voucher;         // 3: signed envelope (voucher.hpp), unverified
  friend bool operator==(const Reservation&, const Reservation&) = default;
};

// Absent and 0 both mean "no limit" (spec).
struct Limit {
  std::optional<std::uint32_t> duration;  // 1: seconds
  std::optional<std::uint64_t> data;      // 2: bytes per direction
  friend bool operator==(const Limit&, const Limit&) = default;
};

struct HopMessage {
  enum class Type : std::uint32_t { reserve = 0, connect = 1, status = 2 };
  Type type = Type::reserve;               // 1 (required)
  std::optional<Peer> peer;                // 2: CONNECT's target
  std::optional<Reservation> reservation;  // 3: STATUS OK answering RESERVE
  std::optional<Limit> limit;              // 4: STATUS OK
  std::optional<Status> status;            // 5: STATUS
  friend bool operator==(const HopMessage&, const HopMessage&) = default;
};

struct StopMessage {
  enum class Type : std::uint32_t { connect = 0, status = 1 };
  Type type = Type::connect;     // 1 (required)
  std::optional<Peer> peer;      // 2: CONNECT's initiator
  std::optional<Limit> limit;    // 3: CONNECT
  std::optional<Status> status;  // 4: STATUS
  friend bool operator==(const StopMessage&, const StopMessage&) = default;
};

// Protobuf bodies without the length prefix, fields in number order and only those present (as
// js-libp2p's codec writes them, so our bytes equal js's for the same values). The caller keeps
// the result within kMaxMessageSize (peers reject larger ones); encoding does not check.
Bytes encode_hop(const HopMessage& message);
Bytes encode_stop(const StopMessage& message);
// uvarint(length) || encode_*(message): what goes on the stream.
Bytes frame_hop(const HopMessage& message);
Bytes frame_stop(const StopMessage& message);

// Decode one message body. Unknown fields are skipped; a field that appears twice keeps the last
// value (as js). Errors: too_large (body above kMaxMessageSize, an address above kMaxAddrSize),
// limit_exceeded (more than kMaxAddrsPerPeer / kMaxReservationAddrs addresses), truncated /
// malformed (bad protobuf; a known field with the wrong wire type; type missing or not one of
// the message's types; a Peer without id or whose id is not a valid peer ID; a type, status or
// duration above 32 bits).
Result<HopMessage> decode_hop(ByteView message);
Result<StopMessage> decode_stop(ByteView message);

// The addresses wire::Multiaddr understands; the others (e.g. /quic-v1, /webtransport, which
// peers do send) are skipped and counted, never an error.
struct ParsedAddrs {
  std::vector<wire::Multiaddr> addrs;
  std::size_t skipped = 0;
};
ParsedAddrs parse_addrs(const std::vector<Bytes>& raw);

}  // namespace ipfsa::proto::relay
