#include "proto/relay/relay.hpp"

#include <limits>

#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::relay {
namespace {

// Field numbers from the spec's "Protobuf" section.
enum HopField : std::uint32_t {
  kHopType = 1,
  kHopPeer = 2,
  kHopReservation = 3,
  kHopLimit = 4,
  kHopStatus = 5
};
enum StopField : std::uint32_t { kStopType = 1, kStopPeer = 2, kStopLimit = 3, kStopStatus = 4 };
enum PeerField : std::uint32_t { kPeerId = 1, kPeerAddrs = 2 };
enum ReservationField : std::uint32_t { kExpire = 1, kReservationAddrs = 2, kVoucher = 3 };
enum LimitField : std::uint32_t { kDuration = 1, kData = 2 };

constexpr std::uint64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();

Result<ByteView> len_field(const wire::pb::Field& field, std::size_t max) {
  if (field.type != wire::pb::WireType::len) return Error::malformed;
  if (field.bytes.size() > max) return Error::too_large;
  return field.bytes;
}

Result<std::uint64_t> varint_field(const wire::pb::Field& field, std::uint64_t max) {
  if (field.type != wire::pb::WireType::varint) return Error::malformed;
  // js truncates an oversized uint32 or enum silently; a value that does not fit is not one the
  // peer meant to send.
  if (field.varint > max) return Error::malformed;
  return field.varint;
}

// The addresses of a Peer or a Reservation: appends one, within its count and size bounds.
Result<void> add_addr(std::vector<Bytes>& addrs, const wire::pb::Field& field,
                      std::size_t max_count) {
  auto v = len_field(field, kMaxAddrSize);
  if (!v) return v.error();
  if (addrs.size() == max_count) return Error::limit_exceeded;
  addrs.emplace_back(v->begin(), v->end());
  return {};
}

Bytes encode_peer(const Peer& peer) {
  wire::pb::Writer w;
  w.bytes(kPeerId, peer.id.bytes());
  for (const Bytes& addr : peer.addrs) w.bytes(kPeerAddrs, addr);
  return std::move(w).take();
}

Bytes encode_reservation(const Reservation& r) {
  wire::pb::Writer w;
  if (r.expire) w.varint(kExpire, *r.expire);
  for (const Bytes& addr : r.addrs) w.bytes(kReservationAddrs, addr);
  if (r.voucher) w.bytes(kVoucher, *r.voucher);
  return std::move(w).take();
}

Bytes encode_limit(const Limit& limit) {
  wire::pb::Writer w;
  if (limit.duration) w.varint(kDuration, *limit.duration);
  if (limit.data) w.varint(kData, *limit.data);
  return std::move(w).take();
}

Result<Peer> decode_peer(ByteView in) {
  std::optional<ByteView> id;
  std::vector<Bytes> addrs;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kPeerId: {
        auto v = len_field(field, wire::kMaxPeerIdSize);
        if (!v) return v.error() == Error::too_large ? Error::malformed : v.error();
        id = *v;
        break;
      }
      case kPeerAddrs:
        if (auto r = add_addr(addrs, field, kMaxAddrsPerPeer); !r) return r.error();
        break;
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  if (!id) return Error::malformed;  // `id` is required
  // A complete field that is not a peer ID can never become one: every failure is malformed.
  auto peer_id = wire::PeerId::from_bytes(*id);
  if (!peer_id) return Error::malformed;
  return Peer{std::move(*peer_id), std::move(addrs)};
}

Result<Reservation> decode_reservation(ByteView in) {
  Reservation out;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kExpire: {
        auto v = varint_field(field, std::numeric_limits<std::uint64_t>::max());
        if (!v) return v.error();
        out.expire = *v;
        break;
      }
      case kReservationAddrs:
        if (auto r = add_addr(out.addrs, field, kMaxReservationAddrs); !r) return r.error();
        break;
      case kVoucher: {
        auto v = len_field(field, kMaxMessageSize);
        if (!v) return v.error();
        out.voucher = Bytes(v->begin(), v->end());
        break;
      }
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  return out;
}

Result<Limit> decode_limit(ByteView in) {
  Limit out;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kDuration: {
        auto v = varint_field(field, kMaxUint32);
        if (!v) return v.error();
        out.duration = static_cast<std::uint32_t>(*v);
        break;
      }
      case kData: {
        auto v = varint_field(field, std::numeric_limits<std::uint64_t>::max());
        if (!v) return v.error();
        out.data = *v;
        break;
      }
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  return out;
}

Result<Status> decode_status(const wire::pb::Field& field) {
  auto v = varint_field(field, kMaxUint32);
  if (!v) return v.error();
  return static_cast<Status>(*v);
}

// Decodes a length-delimited submessage field with `decode`.
template <class T, class Decode>
Result<T> sub(const wire::pb::Field& field, Decode decode) {
  auto v = len_field(field, kMaxMessageSize);
  if (!v) return v.error();
  return decode(*v);
}

Bytes frame(const Bytes& body) {
  Bytes out = wire::encode_uvarint(body.size());
  append(out, body);
  return out;
}

}  // namespace

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::ok:
      return "OK";
    case Status::reservation_refused:
      return "RESERVATION_REFUSED";
    case Status::resource_limit_exceeded:
      return "RESOURCE_LIMIT_EXCEEDED";
    case Status::permission_denied:
      return "PERMISSION_DENIED";
    case Status::connection_failed:
      return "CONNECTION_FAILED";
    case Status::no_reservation:
      return "NO_RESERVATION";
    case Status::malformed_message:
      return "MALFORMED_MESSAGE";
    case Status::unexpected_message:
      return "UNEXPECTED_MESSAGE";
  }
  return "UNKNOWN";
}

Bytes encode_hop(const HopMessage& m) {
  wire::pb::Writer w;
  // `type` is required: written even when it is RESERVE (0), as js does.
  w.varint(kHopType, static_cast<std::uint32_t>(m.type));
  if (m.peer) w.bytes(kHopPeer, encode_peer(*m.peer));
  if (m.reservation) w.bytes(kHopReservation, encode_reservation(*m.reservation));
  if (m.limit) w.bytes(kHopLimit, encode_limit(*m.limit));
  if (m.status) w.varint(kHopStatus, static_cast<std::uint32_t>(*m.status));
  return std::move(w).take();
}

Bytes encode_stop(const StopMessage& m) {
  wire::pb::Writer w;
  w.varint(kStopType, static_cast<std::uint32_t>(m.type));
  if (m.peer) w.bytes(kStopPeer, encode_peer(*m.peer));
  if (m.limit) w.bytes(kStopLimit, encode_limit(*m.limit));
  if (m.status) w.varint(kStopStatus, static_cast<std::uint32_t>(*m.status));
  return std::move(w).take();
}

Bytes frame_hop(const HopMessage& message) { return frame(encode_hop(message)); }
Bytes frame_stop(const StopMessage& message) { return frame(encode_stop(message)); }

Result<HopMessage> decode_hop(ByteView message) {
  if (message.size() > kMaxMessageSize) return Error::too_large;
  HopMessage out;
  bool has_type = false;
  wire::pb::Reader reader(message);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kHopType: {
        auto v = varint_field(field, static_cast<std::uint64_t>(HopMessage::Type::status));
        if (!v) return v.error();
        out.type = static_cast<HopMessage::Type>(*v);
        has_type = true;
        break;
      }
      case kHopPeer: {
        auto v = sub<Peer>(field, decode_peer);
        if (!v) return v.error();
        out.peer = std::move(*v);
        break;
      }
      case kHopReservation: {
        auto v = sub<Reservation>(field, decode_reservation);
        if (!v) return v.error();
        out.reservation = std::move(*v);
        break;
      }
      case kHopLimit: {
        auto v = sub<Limit>(field, decode_limit);
        if (!v) return v.error();
        out.limit = *v;
        break;
      }
      case kHopStatus: {
        auto v = decode_status(field);
        if (!v) return v.error();
        out.status = *v;
        break;
      }
      default:
        break;  // unknown fields are skipped (protobuf rules)
    }
  }
  if (reader.error()) return reader.error();
  if (!has_type) return Error::malformed;
  return out;
}

Result<StopMessage> decode_stop(ByteView message) {
  if (message.size() > kMaxMessageSize) return Error::too_large;
  StopMessage out;
  bool has_type = false;
  wire::pb::Reader reader(message);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kStopType: {
        auto v = varint_field(field, static_cast<std::uint64_t>(StopMessage::Type::status));
        if (!v) return v.error();
        out.type = static_cast<StopMessage::Type>(*v);
        has_type = true;
        break;
      }
      case kStopPeer: {
        auto v = sub<Peer>(field, decode_peer);
        if (!v) return v.error();
        out.peer = std::move(*v);
        break;
      }
      case kStopLimit: {
        auto v = sub<Limit>(field, decode_limit);
        if (!v) return v.error();
        out.limit = *v;
        break;
      }
      case kStopStatus: {
        auto v = decode_status(field);
        if (!v) return v.error();
        out.status = *v;
        break;
      }
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  if (!has_type) return Error::malformed;
  return out;
}

ParsedAddrs parse_addrs(const std::vector<Bytes>& raw) {
  ParsedAddrs out;
  for (const Bytes& bytes : raw) {
    auto addr = wire::Multiaddr::from_bytes(bytes);
    if (addr && !addr->empty()) {
      out.addrs.push_back(std::move(*addr));
    } else {
      ++out.skipped;
    }
  }
  return out;
}

}  // namespace ipfsa::proto::relay
