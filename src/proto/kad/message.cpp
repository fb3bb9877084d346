#include "proto/kad/message.hpp"

#include <algorithm>

#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::kad {
namespace {

// Field numbers from the spec's "RPC messages".
enum MessageField : std::uint32_t {
  kType = 1,
  kKey = 2,
  kRecord = 3,
  kCloserPeers = 8,
  kProviderPeers = 9,
  kClusterLevel = 10,
};
enum PeerField : std::uint32_t { kPeerId = 1, kPeerAddrs = 2, kPeerConnection = 3 };
enum RecordField : std::uint32_t { kRecordKey = 1, kRecordValue = 2, kRecordTimeReceived = 5 };

// A length-delimited field no longer than `max`.
Result<ByteView> bytes_field(const wire::pb::Field& field, std::size_t max) {
  if (field.type != wire::pb::WireType::len) return Error::malformed;
  if (field.bytes.size() > max) return Error::too_large;
  return field.bytes;
}

Result<std::uint64_t> varint_field(const wire::pb::Field& field) {
  if (field.type != wire::pb::WireType::varint) return Error::malformed;
  return field.varint;
}

Bytes encode_peer(const Peer& peer) {
  wire::pb::Writer w;
  w.bytes(kPeerId, peer.id.bytes());
  for (const Bytes& addr : peer.addrs) w.bytes(kPeerAddrs, addr);
  if (peer.connection) w.varint(kPeerConnection, static_cast<std::uint64_t>(*peer.connection));
  return std::move(w).take();
}

Bytes encode_record(const Record& record) {
  wire::pb::Writer w;
  if (!record.key.empty()) w.bytes(kRecordKey, record.key);
  if (!record.value.empty()) w.bytes(kRecordValue, record.value);
  if (!record.time_received.empty()) w.string(kRecordTimeReceived, record.time_received);
  return std::move(w).take();
}

// One Peer. nullopt (no error) when its id is missing or not a valid peer ID: the caller drops
// it. Bounds are checked before each address is stored.
Result<std::optional<Peer>> decode_peer(ByteView in) {
  std::optional<ByteView> id;
  std::vector<Bytes> addrs;
  std::optional<ConnectionType> connection;
  bool id_too_large = false;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kPeerId: {
        if (field.type != wire::pb::WireType::len) return Error::malformed;
        // An oversized id is an invalid peer ID like any other: the peer is dropped.
        id_too_large = field.bytes.size() > wire::kMaxPeerIdSize;
        id = field.bytes;
        break;
      }
      case kPeerAddrs: {
        auto v = bytes_field(field, kMaxAddrSize);
        if (!v) return v.error();
        if (addrs.size() == kMaxAddrsPerPeer) return Error::limit_exceeded;
        addrs.emplace_back(v->begin(), v->end());
        break;
      }
      case kPeerConnection: {
        auto v = varint_field(field);
        if (!v) return v.error();
        connection = *v <= static_cast<std::uint64_t>(ConnectionType::cannot_connect)
                         ? std::optional(static_cast<ConnectionType>(*v))
                         : std::nullopt;
        break;
      }
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  if (!id || id_too_large) return std::optional<Peer>();
  auto peer_id = wire::PeerId::from_bytes(*id);
  if (!peer_id) return std::optional<Peer>();
  return std::optional<Peer>(Peer{std::move(*peer_id), std::move(addrs), connection});
}

Result<Record> decode_record(ByteView in) {
  Record out;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kRecordKey: {
        auto v = bytes_field(field, kMaxKeySize);
        if (!v) return v.error();
        out.key.assign(v->begin(), v->end());
        break;
      }
      case kRecordValue: {
        auto v = bytes_field(field, kMaxRecordValueSize);
        if (!v) return v.error();
        out.value.assign(v->begin(), v->end());
        break;
      }
      case kRecordTimeReceived: {
        auto v = bytes_field(field, kMaxTimeReceivedSize);
        if (!v) return v.error();
        out.time_received = to_string(*v);
        break;
      }
      default:
        break;  // author (3) and signature (4) of older peers, or anything newer
    }
  }
  if (reader.error()) return reader.error();
  return out;
}

}  // namespace

Bytes encode(const Message& message) {
  wire::pb::Writer w;
  // js-libp2p's generated encoder writes type, clusterLevel, key, record, closer, providers.
  if (message.type != MessageType::put_value) {
    w.varint(kType, static_cast<std::uint64_t>(message.type));
  }
  if (message.cluster_level) {
    // int32: a negative value is sign-extended to 64 bits (10 bytes), as protobuf requires.
    w.varint(kClusterLevel,
             static_cast<std::uint64_t>(static_cast<std::int64_t>(*message.cluster_level)));
  }
  if (!message.key.empty()) w.bytes(kKey, message.key);
  if (message.record) w.bytes(kRecord, encode_record(*message.record));
  for (const Peer& peer : message.closer_peers) w.bytes(kCloserPeers, encode_peer(peer));
  for (const Peer& peer : message.provider_peers) w.bytes(kProviderPeers, encode_peer(peer));
  return std::move(w).take();
}

Bytes frame(const Message& message) {
  const Bytes body = encode(message);
  Bytes out = wire::encode_uvarint(body.size());
  append(out, body);
  return out;
}

Result<Message> decode(ByteView message) {
  if (message.size() > kMaxMessageSize) return Error::too_large;
  Message out;
  wire::pb::Reader reader(message);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kType: {
        auto v = varint_field(field);
        if (!v) return v.error();
        if (*v > static_cast<std::uint64_t>(MessageType::ping)) return Error::unsupported;
        out.type = static_cast<MessageType>(*v);
        break;
      }
      case kClusterLevel: {
        auto v = varint_field(field);
        if (!v) return v.error();
        out.cluster_level = static_cast<std::int32_t>(static_cast<std::uint32_t>(*v));
        break;
      }
      case kKey: {
        auto v = bytes_field(field, kMaxKeySize);
        if (!v) return v.error();
        out.key.assign(v->begin(), v->end());
        break;
      }
      case kRecord: {
        auto v = bytes_field(field, kMaxMessageSize);
        if (!v) return v.error();
        auto record = decode_record(*v);
        if (!record) return record.error();
        out.record = std::move(*record);
        break;
      }
      case kCloserPeers:
      case kProviderPeers: {
        auto v = bytes_field(field, kMaxMessageSize);
        if (!v) return v.error();
        const bool closer = field.number == kCloserPeers;
        std::vector<Peer>& list = closer ? out.closer_peers : out.provider_peers;
        // Checked before decoding the peer: past the bound nothing more is allocated.
        if (closer && list.size() == kMaxCloserPeers) return Error::limit_exceeded;
        if (!closer && list.size() == kMaxProviderPeers) {
          ++out.dropped_peers;
          break;
        }
        auto peer = decode_peer(*v);
        if (!peer) return peer.error();
        if (*peer) {
          list.push_back(std::move(**peer));
        } else {
          ++out.dropped_peers;
        }
        break;
      }
      default:
        break;  // unknown fields are skipped (protobuf rules)
    }
  }
  if (reader.error()) return reader.error();
  return out;
}

Message make_request(MessageType type, ByteView key) {
  Message m;
  m.type = type;
  m.key.assign(key.begin(), key.end());
  return m;
}

std::vector<wire::Multiaddr> parse_addrs(std::span<const Bytes> addrs) {
  std::vector<wire::Multiaddr> out;
  for (const Bytes& bytes : addrs) {
    if (auto addr = wire::Multiaddr::from_bytes(bytes)) out.push_back(std::move(*addr));
  }
  return out;
}

std::vector<Bytes> bounded_addrs(std::span<const Bytes> addrs) {
  std::vector<Bytes> out;
  for (const Bytes& addr : addrs) {
    if (out.size() == kMaxStoredAddrs) break;
    if (addr.empty() || addr.size() > kMaxStoredAddrSize) continue;
    if (std::find(out.begin(), out.end(), addr) != out.end()) continue;
    out.push_back(addr);
  }
  return out;
}

}  // namespace ipfsa::proto::kad
