// The gossipsub RPC frame (libp2p pubsub spec, "The RPC"; gossipsub v1.0/v1.1/v1.2 control
// messages): one protobuf RPC per uvarint-length-prefixed frame on a /meshsub/* stream.
//
//   RPC     { repeated SubOpts subscriptions = 1; repeated Message publish = 2;
//             optional ControlMessage control = 3; }
//   SubOpts { optional bool subscribe = 1; optional string topicid = 2; }
//   Message { optional bytes from = 1; optional bytes data = 2; optional bytes seqno = 3;
//             required string topic = 4; optional bytes signature = 5; optional bytes key = 6; }
//   ControlMessage { ihave = 1; iwant = 2; graft = 3; prune = 4; idontwant = 5 (all repeated) }
//   IHave { topicID = 1; repeated bytes messageIDs = 2; }   IWant { repeated bytes messageIDs = 1;
//   } Graft { topicID = 1; }   Prune { topicID = 1; repeated PeerInfo peers = 2; uint64 backoff =
//   3; } PeerInfo { bytes peerID = 1; bytes signedPeerRecord = 2; }   IDontWant { messageIDs = 1; }
//
// Every count and length fed by a peer is checked against the named limits below while decoding,
// before anything is stored. Unknown fields are skipped (forward compatibility, as protobuf does).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::proto::gossipsub {

// One frame (the protobuf RPC, without its length prefix).
inline constexpr std::size_t kMaxRpcBytes = 1024 * 1024;
inline constexpr std::size_t kMaxTopicLength = 256;  // bytes of a topic string
inline constexpr std::size_t kMaxSubscriptionsPerRpc = 1024;
inline constexpr std::size_t kMaxMessagesPerRpc = 1024;
inline constexpr std::size_t kMaxControlEntriesPerRpc = 1024;  // ihave+iwant+graft+prune+idontwant
inline constexpr std::size_t kMaxIdsPerRpc = 10000;            // message ids over all control
inline constexpr std::size_t kMaxMessageIdLength = 1024;       // a key protobuf (RSA) + seqno
inline constexpr std::size_t kMaxPrunePeers = 64;              // PeerInfo entries per PRUNE
inline constexpr std::size_t kMaxPeerInfoBytes = 4096;         // peerID + signedPeerRecord

struct SubOpts {
  bool subscribe = false;
  std::string topic;
  friend bool operator==(const SubOpts&, const SubOpts&) = default;
};

// Optional fields keep their presence: the signature covers the encoding as the author made it.
struct Message {
  std::optional<Bytes> from;
  std::optional<Bytes> data;
  std::optional<Bytes> seqno;
  std::string topic;
  std::optional<Bytes> signature;
  std::optional<Bytes> key;
  friend bool operator==(const Message&, const Message&) = default;
};

struct IHave {
  std::string topic;
  std::vector<Bytes> ids;
  friend bool operator==(const IHave&, const IHave&) = default;
};
struct IWant {
  std::vector<Bytes> ids;
  friend bool operator==(const IWant&, const IWant&) = default;
};
struct Graft {
  std::string topic;
  friend bool operator==(const Graft&, const Graft&) = default;
};
struct PeerInfo {
  Bytes peer_id;
  Bytes signed_peer_record;
  friend bool operator==(const PeerInfo&, const PeerInfo&) = default;
};
struct Prune {
  std::string topic;
  std::vector<PeerInfo> peers;
  std::optional<std::uint64_t> backoff_seconds;
  friend bool operator==(const Prune&, const Prune&) = default;
};
struct IDontWant {
  std::vector<Bytes> ids;
  friend bool operator==(const IDontWant&, const IDontWant&) = default;
};

struct Control {
  std::vector<IHave> ihave;
  std::vector<IWant> iwant;
  std::vector<Graft> graft;
  std::vector<Prune> prune;
  std::vector<IDontWant> idontwant;
  bool empty() const noexcept {
    return ihave.empty() && iwant.empty() && graft.empty() && prune.empty() && idontwant.empty();
  }
  friend bool operator==(const Control&, const Control&) = default;
};

struct Rpc {
  std::vector<SubOpts> subscriptions;
  std::vector<Message> publish;
  Control control;
  bool empty() const noexcept {
    return subscriptions.empty() && publish.empty() && control.empty();
  }
  friend bool operator==(const Rpc&, const Rpc&) = default;
};

// Deterministic encoding, fields in field-number order; control is omitted when empty.
Bytes encode_rpc(const Rpc& rpc);
// One Message as a protobuf (what `publish` entries carry).
Bytes encode_message(const Message& message);
// Errors: too_large (the frame above kMaxRpcBytes, or any count/length above its limit),
// truncated / malformed (protobuf), malformed (a topic that is not a valid protobuf string field,
// a message without a topic, a non-boolean subscribe flag).
Result<Rpc> decode_rpc(ByteView frame);

}  // namespace ipfsa::proto::gossipsub
