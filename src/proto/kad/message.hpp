// Kademlia DHT messages (libp2p specs, kad-dht/README.md "RPC messages"), protocol
// /ipfs/kad/1.0.0, without I/O. Every RPC is `uvarint(length) || Message` on a stream; the
// requester writes one request and reads one response (none for ADD_PROVIDER), and may reuse the
// stream for further requests.
//
//   message Record  { bytes key = 1; bytes value = 2; string timeReceived = 5; }
//   message Message {
//     MessageType type = 1;  int32 clusterLevelRaw = 10;  bytes key = 2;  Record record = 3;
//     repeated Peer closerPeers = 8;  repeated Peer providerPeers = 9;
//     message Peer { bytes id = 1; repeated bytes addrs = 2; ConnectionType connection = 3; }
//   }
//
// Reading one side of a stream:
//   wire::LengthPrefixedReader reader(kad::kMaxMessageSize);
//   ... for each complete message: auto m = kad::decode(bytes); if (!m) reset the stream;
//   ... handle it (handler.hpp for a request, Lookup::on_response for a response).
// Writing: out = kad::frame(message).
//
// Addresses stay raw bytes here: peers send protocols wire::Multiaddr does not parse (/quic-v1,
// /webtransport, ...) and we pass them on unchanged; parse_addrs() gives the ones we can dial.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad {

inline constexpr std::string_view kProtocolId = "/ipfs/kad/1.0.0";

// The largest message body we accept (give it to wire::LengthPrefixedReader, which refuses a
// larger prefix before buffering). js and go accept 4 MiB. Ours is tighter because a response is
// bounded by what it may carry: kMaxCloserPeers + kMaxProviderPeers peers; our own answers are a
// few tens of KiB, and 1 MiB still holds a js node's answer listing several thousand providers
// of the swarm's rendezvous key (js sends every provider it holds). A peer's stream then costs
// at most 1 MiB of buffer, a quarter of js's.
inline constexpr std::size_t kMaxMessageSize = 1024 * 1024;
// `key` of a message and of a record: a peer ID (FIND_NODE), a multihash or CID (providers), a
// record key such as "/pk/<id>" (values). All are well under 100 bytes; js/go set no bound.
inline constexpr std::size_t kMaxKeySize = 256;
// closerPeers per message: honest peers send at most k (20); more is limit_exceeded.
inline constexpr std::size_t kMaxCloserPeers = 64;
// providerPeers per message. js answers with every provider it holds, which in a swarm where
// every member provides one rendezvous key can be many: peers beyond this are dropped (counted in
// Message::dropped_peers), not fatal. The first ones are enough to meet the swarm.
inline constexpr std::size_t kMaxProviderPeers = 256;
// addrs per Peer: js sends every address of its peer store entry (a handful); more is
// limit_exceeded.
inline constexpr std::size_t kMaxAddrsPerPeer = 64;
// One address (the multiaddr bound); larger is too_large.
inline constexpr std::size_t kMaxAddrSize = wire::kMaxMultiaddrSize;
// Record.value and Record.timeReceived (values are only decoded here, never stored; the value
// bound is rust-libp2p's record size; timeReceived is an RFC 3339 date).
inline constexpr std::size_t kMaxRecordValueSize = 64 * 1024;
inline constexpr std::size_t kMaxTimeReceivedSize = 64;

// What the routing table, the provider store and a lookup keep of a peer's addresses: at most
// kMaxStoredAddrs addresses of at most kMaxStoredAddrSize bytes each (a /dns4 name of 200
// characters fits), so stored state is bounded by count and bytes, not by what peers send.
inline constexpr std::size_t kMaxStoredAddrs = 8;
inline constexpr std::size_t kMaxStoredAddrSize = 256;

enum class MessageType : std::uint8_t {
  put_value = 0,
  get_value = 1,
  add_provider = 2,
  get_providers = 3,
  find_node = 4,
  ping = 5,
};

enum class ConnectionType : std::uint8_t {
  not_connected = 0,
  connected = 1,
  can_connect = 2,
  cannot_connect = 3,
};

struct Peer {
  wire::PeerId id;                           // 1: always a valid peer ID (see decode())
  std::vector<Bytes> addrs;                  // 2: binary multiaddrs, unvalidated
  std::optional<ConnectionType> connection;  // 3: absent unless the sender set it (js does not)
  friend bool operator==(const Peer&, const Peer&) = default;
};

struct Record {
  Bytes key;                  // 1
  Bytes value;                // 2
  std::string time_received;  // 5 (author 3 and signature 4 were removed from the spec)
  friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
  MessageType type = MessageType::put_value;  // 1 (absent on the wire when PUT_VALUE)
  std::optional<std::int32_t> cluster_level;  // 10: unused; echoed in answers as js does
  Bytes key;                                  // 2 (empty: absent)
  std::optional<Record> record;               // 3
  std::vector<Peer> closer_peers;             // 8
  std::vector<Peer> provider_peers;           // 9
  // Decode only, never encoded: peers that decode() left out (an invalid peer ID, or providers
  // beyond kMaxProviderPeers).
  std::size_t dropped_peers = 0;
  friend bool operator==(const Message&, const Message&) = default;
};

// Protobuf body without the length prefix, fields in the order js-libp2p's generated encoder
// writes them (1, 10, 2, 3, 8, 9; type omitted when PUT_VALUE, as proto3 does), so our bytes
// equal js's for the same values. The caller keeps the result within kMaxMessageSize (what the
// handler builds always is).
Bytes encode(const Message& message);
// uvarint(length) || encode(message).
Bytes frame(const Message& message);

// Decodes one message body. Unknown fields are skipped; for a repeated scalar field the last one
// wins (protobuf rules). A Peer whose id is missing or is not a valid peer ID
// (wire::PeerId::from_bytes) is dropped and counted, not fatal: js fails the whole message, but
// one bad entry among twenty should not cost us the other nineteen. An unknown ConnectionType
// reads as absent. Errors: too_large (message above kMaxMessageSize, key above kMaxKeySize, an
// address above kMaxAddrSize, a record field above its bound), limit_exceeded (more than
// kMaxCloserPeers closer peers or kMaxAddrsPerPeer addresses in one peer), unsupported (a
// MessageType outside 0..5), malformed / truncated (bad protobuf, or a known field with the wrong
// wire type).
Result<Message> decode(ByteView message);

// A request of `type` for `key` (FIND_NODE: a peer ID's bytes; GET_PROVIDERS, ADD_PROVIDER: the
// multihash). ADD_PROVIDER's provider peer is added by the caller.
Message make_request(MessageType type, ByteView key);

// The addresses wire::Multiaddr understands, in order; the others (unknown protocols, bad bytes)
// are skipped.
std::vector<wire::Multiaddr> parse_addrs(std::span<const Bytes> addrs);

// What a table keeps of `addrs`: the first kMaxStoredAddrs distinct, non-empty addresses of at
// most kMaxStoredAddrSize bytes.
std::vector<Bytes> bounded_addrs(std::span<const Bytes> addrs);

}  // namespace ipfsa::proto::kad
