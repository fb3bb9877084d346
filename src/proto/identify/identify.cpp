#include "proto/identify/identify.hpp"

#include <algorithm>

#include "crypto/public_key.hpp"
#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::identify {
namespace {

// Field numbers from the spec's "The Identify Message".
enum Field : std::uint32_t {
  kPublicKey = 1,
  kListenAddrs = 2,
  kProtocols = 3,
  kObservedAddr = 4,
  kProtocolVersion = 5,
  kAgentVersion = 6,
  kSignedPeerRecord = 8,
};

static_assert(kMaxMessageSize <= crypto::kMaxEncodedPublicKeySize,
              "every public key that fits in a message is within the key decoder's bound");

// A length-delimited field no longer than `max`.
Result<ByteView> bytes_field(const wire::pb::Field& field, std::size_t max) {
  if (field.type != wire::pb::WireType::len) return Error::malformed;
  if (field.bytes.size() > max) return Error::too_large;
  return field.bytes;
}

}  // namespace

Bytes encode(const Identify& message) {
  wire::pb::Writer w;
  // js-libp2p's generated encoder writes in declaration order: 5, 6, 1, 2, 4, 3, 8. Matching it
  // makes our bytes comparable with theirs.
  if (!message.protocol_version.empty()) w.string(kProtocolVersion, message.protocol_version);
  if (!message.agent_version.empty()) w.string(kAgentVersion, message.agent_version);
  if (message.public_key) w.bytes(kPublicKey, *message.public_key);
  for (const Bytes& addr : message.listen_addrs) w.bytes(kListenAddrs, addr);
  if (message.observed_addr) w.bytes(kObservedAddr, *message.observed_addr);
  for (const std::string& protocol : message.protocols) w.string(kProtocols, protocol);
  if (message.signed_peer_record) w.bytes(kSignedPeerRecord, *message.signed_peer_record);
  return std::move(w).take();
}

Bytes frame(const Identify& message) {
  const Bytes body = encode(message);
  Bytes out = wire::encode_uvarint(body.size());
  append(out, body);
  return out;
}

Result<Identify> decode(ByteView message) {
  if (message.size() > kMaxMessageSize) return Error::too_large;
  Identify out;
  wire::pb::Reader reader(message);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kPublicKey: {
        auto v = bytes_field(field, crypto::kMaxEncodedPublicKeySize);
        if (!v) return v.error();
        out.public_key = Bytes(v->begin(), v->end());
        break;
      }
      case kListenAddrs: {
        auto v = bytes_field(field, kMaxAddrSize);
        if (!v) return v.error();
        if (out.listen_addrs.size() == kMaxListenAddrs) return Error::limit_exceeded;
        out.listen_addrs.emplace_back(v->begin(), v->end());
        break;
      }
      case kProtocols: {
        auto v = bytes_field(field, kMaxProtocolIdSize);
        if (!v) return v.error();
        if (out.protocols.size() == kMaxProtocols) return Error::limit_exceeded;
        out.protocols.push_back(to_string(*v));
        break;
      }
      case kObservedAddr: {
        auto v = bytes_field(field, kMaxAddrSize);
        if (!v) return v.error();
        out.observed_addr = Bytes(v->begin(), v->end());
        break;
      }
      case kProtocolVersion:
      case kAgentVersion: {
        auto v = bytes_field(field, kMaxVersionSize);
        if (!v) return v.error();
        (field.number == kProtocolVersion ? out.protocol_version : out.agent_version) =
            to_string(*v);
        break;
      }
      case kSignedPeerRecord: {
        auto v = bytes_field(field, kMaxMessageSize);
        if (!v) return v.error();
        out.signed_peer_record = Bytes(v->begin(), v->end());
        break;
      }
      default:
        break;  // unknown fields are skipped (protobuf rules; newer peers may add fields)
    }
  }
  if (reader.error()) return reader.error();
  return out;
}

void merge(Identify& into, Identify later) {
  if (!later.protocol_version.empty()) into.protocol_version = std::move(later.protocol_version);
  if (!later.agent_version.empty()) into.agent_version = std::move(later.agent_version);
  if (later.public_key) into.public_key = std::move(later.public_key);
  if (later.observed_addr) into.observed_addr = std::move(later.observed_addr);
  if (later.signed_peer_record) into.signed_peer_record = std::move(later.signed_peer_record);
  for (Bytes& addr : later.listen_addrs) {
    if (into.listen_addrs.size() == kMaxListenAddrs) break;
    into.listen_addrs.push_back(std::move(addr));
  }
  for (std::string& protocol : later.protocols) {
    if (into.protocols.size() == kMaxProtocols) break;
    if (std::find(into.protocols.begin(), into.protocols.end(), protocol) == into.protocols.end()) {
      into.protocols.push_back(std::move(protocol));
    }
  }
}

}  // namespace ipfsa::proto::identify
