// Identify v1.0.0 and identify/push (libp2p specs, identify/README.md), without I/O.
// The responder (or pusher) writes one uvarint-length-prefixed Identify protobuf and closes the
// stream; the reader reads until end of stream. js-libp2p 3.x reads up to kMaxMessages framed
// messages and merges them (libp2p/specs PR 709): merge() does the same.
//
//   message Identify {                       // proto2
//     optional string protocolVersion = 5;  optional string agentVersion = 6;
//     optional bytes publicKey = 1;          repeated bytes listenAddrs = 2;
//     optional bytes observedAddr = 4;       repeated string protocols = 3;
//     optional bytes signedPeerRecord = 8;
//   }
//
// Reading one side of the stream:
//   wire::LengthPrefixedReader reader(identify::kMaxMessageSize);
//   ... feed every read; for each complete message: auto m = identify::decode(bytes);
//   ... at end of stream: reader.at_boundary() must hold; then identify::interpret(m, remote, ...).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/multiaddr.hpp"

namespace ipfsa::proto::identify {

inline constexpr std::string_view kProtocolId = "/ipfs/id/1.0.0";
inline constexpr std::string_view kPushProtocolId = "/ipfs/id/push/1.0.0";
// What js-libp2p sends as protocolVersion ("<protocolPrefix>/0.1.0").
inline constexpr std::string_view kDefaultProtocolVersion = "ipfs/0.1.0";

// The largest message body we accept or send (js-libp2p MAX_IDENTIFY_MESSAGE_SIZE and go-libp2p's
// signed identify size are both 8 KiB).
inline constexpr std::size_t kMaxMessageSize = 8 * 1024;
// Framed messages read from one stream before we stop (js-libp2p MAX_IDENTIFY_MESSAGES).
inline constexpr std::size_t kMaxMessages = 10;
// Per-message bounds, checked while decoding (before each element is stored).
inline constexpr std::size_t kMaxListenAddrs = 128;
inline constexpr std::size_t kMaxProtocols = 256;
inline constexpr std::size_t kMaxProtocolIdSize = 1023;  // multistream's longest id
inline constexpr std::size_t kMaxVersionSize = 1024;     // protocolVersion, agentVersion
inline constexpr std::size_t kMaxAddrSize = wire::kMaxMultiaddrSize;  // listen or observed addr

struct Identify {
  std::string protocol_version;             // 5 ("" when absent)
  std::string agent_version;                // 6 ("" when absent)
  std::optional<Bytes> public_key;          // 1: PublicKey protobuf (peer-ids spec)
  std::vector<Bytes> listen_addrs;          // 2: binary multiaddrs, unvalidated
  std::vector<std::string> protocols;       // 3
  std::optional<Bytes> observed_addr;       // 4: binary multiaddr, unvalidated
  std::optional<Bytes> signed_peer_record;  // 8: SignedEnvelope, unverified
  friend bool operator==(const Identify&, const Identify&) = default;
};

// Protobuf body without the length prefix. Fields go out in the order js-libp2p writes them
// (5, 6, 1, 2, 4, 3, 8); empty strings are omitted. The caller keeps the result within
// kMaxMessageSize (peers reject larger ones); frame() does not check.
Bytes encode(const Identify& message);
// uvarint(length) || encode(message).
Bytes frame(const Identify& message);

// Decodes one message body. Unknown fields are skipped; for repeated optional fields the last one
// wins (protobuf rules). Errors: too_large (message above kMaxMessageSize, or a string/bytes field
// above its bound), limit_exceeded (more than kMaxListenAddrs / kMaxProtocols), malformed /
// truncated (bad protobuf, or a known field with the wrong wire type).
Result<Identify> decode(ByteView message);

// Folds a later message of the same stream into `into`, as js-libp2p does: scalar fields present
// in `later` replace, listen addresses are appended (up to kMaxListenAddrs), protocols are added
// when not yet present (up to kMaxProtocols).
void merge(Identify& into, Identify later);

}  // namespace ipfsa::proto::identify
