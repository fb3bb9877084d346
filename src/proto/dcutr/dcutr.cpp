#include "proto/dcutr/dcutr.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::dcutr {
namespace {

// Field numbers of the spec's HolePunch.
enum Field : std::uint32_t {
  kType = 1,
  kObsAddrs = 2,
};

// ---- IP classification (for dialable_addrs) ----

struct Range4 {
  std::uint32_t base;
  int prefix;
};

constexpr std::uint32_t ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

// Never a punch target: "this network", multicast, reserved and the broadcast address.
constexpr std::array<Range4, 3> kUnusable4 = {{
    {ip4(0, 0, 0, 0), 8},
    {ip4(224, 0, 0, 0), 4},
    {ip4(240, 0, 0, 0), 4},  // includes 255.255.255.255
}};

// Not globally routable (IANA special-purpose registry; the ranges js's isPrivate lists).
constexpr std::array<Range4, 12> kPrivate4 = {{
    {ip4(10, 0, 0, 0), 8},
    {ip4(100, 64, 0, 0), 10},  // shared address space (carrier-grade NAT)
    {ip4(127, 0, 0, 0), 8},
    {ip4(169, 254, 0, 0), 16},
    {ip4(172, 16, 0, 0), 12},
    {ip4(192, 0, 0, 0), 24},
    {ip4(192, 0, 2, 0), 24},  // TEST-NET-1
    {ip4(192, 88, 99, 0), 24},
    {ip4(192, 168, 0, 0), 16},
    {ip4(198, 18, 0, 0), 15},
    {ip4(198, 51, 100, 0), 24},  // TEST-NET-2
    {ip4(203, 0, 113, 0), 24},   // TEST-NET-3
}};

template <std::size_t N>
bool in_any(const std::array<Range4, N>& ranges, std::uint32_t ip) {
  return std::any_of(ranges.begin(), ranges.end(), [ip](const Range4& r) {
    const std::uint32_t mask = r.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - r.prefix);
    return (ip & mask) == (r.base & mask);
  });
}

enum class Class { usable, private_only, unusable };

Class classify4(std::uint32_t ip) {
  if (in_any(kUnusable4, ip)) return Class::unusable;
  if (in_any(kPrivate4, ip)) return Class::private_only;
  return Class::usable;
}

Class classify6(ByteView ip) {
  const bool zero_prefix_80 = std::all_of(ip.begin(), ip.begin() + 10, [](auto b) { return !b; });
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
  if (zero_prefix_80 && ip[10] == 0xff && ip[11] == 0xff) return classify4(load_be32(&ip[12]));
  if (zero_prefix_80 && ip[10] == 0 && ip[11] == 0) {
    // :: is unspecified; ::1 loopback; the rest of ::/96 (deprecated IPv4-compatible) unusable.
    const bool loopback = load_be32(&ip[12]) == 1;
    return loopback ? Class::private_only : Class::unusable;
  }
  if (ip[0] == 0xff) return Class::unusable;                                // multicast ff00::/8
  if ((ip[0] & 0xfe) == 0xfc) return Class::private_only;                   // unique local fc00::/7
  if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) return Class::private_only;  // link-local fe80::/10
  if (ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x0d && ip[3] == 0xb8) {
    return Class::private_only;  // documentation 2001:db8::/32
  }
  if (ip[0] == 0x01 && ip[1] == 0x00 &&
      std::all_of(ip.begin() + 2, ip.begin() + 8, [](auto b) { return !b; })) {
    return Class::unusable;  // discard-only 100::/64
  }
  return Class::usable;
}

// The framed message with `type` and `addrs`, checked against the bounds a peer enforces.
Result<Bytes> frame_own(Type type, std::span<const wire::Multiaddr> addrs) {
  HolePunch message{.type = type, .obs_addrs = {}};
  for (const wire::Multiaddr& addr : addrs) {
    // Our relayed addresses are no use to the peer: the point is to stop going through a relay.
    if (addr.empty() || addr.is_relayed()) continue;
    message.obs_addrs.push_back(addr.bytes());
  }
  if (type == Type::connect && message.obs_addrs.empty()) return Error::not_found;
  if (message.obs_addrs.size() > kMaxAddrs) return Error::limit_exceeded;
  const Bytes body = encode(message);
  if (body.size() > kMaxMessageSize) return Error::too_large;
  Bytes out = wire::encode_uvarint(body.size());
  append(out, body);
  return out;
}

// The CONNECT's addresses a hole punch can use. Errors: protocol_violation (the CONNECT named
// none: go and js reject that too), unsupported (it named some, but none we can dial).
Result<Dialable> connect_addrs(const HolePunch& message, const AddrFilter& filter) {
  if (message.obs_addrs.empty()) return Error::protocol_violation;
  Dialable d = dialable_addrs(message.obs_addrs, filter);
  if (d.addrs.empty()) return Error::unsupported;
  return d;
}

std::optional<DcutrEvent> pop(std::deque<DcutrEvent>& events) {
  if (events.empty()) return std::nullopt;
  DcutrEvent e = std::move(events.front());
  events.pop_front();
  return e;
}

std::optional<Transmit> take(Bytes& queued, Bytes& out) {
  if (queued.empty()) return std::nullopt;
  const std::size_t size = queued.size();
  if (out.empty()) {
    out.swap(queued);
  } else {
    append(out, queued);
  }
  queued.clear();
  return Transmit{size};
}

}  // namespace

// ---- Codec ----

Bytes encode(const HolePunch& message) {
  wire::pb::Writer w;
  // js's generated encoder: type (always present), then every ObsAddrs entry.
  w.varint(kType, static_cast<std::uint32_t>(message.type));
  for (const Bytes& addr : message.obs_addrs) w.bytes(kObsAddrs, addr);
  return std::move(w).take();
}

Bytes frame(const HolePunch& message) {
  const Bytes body = encode(message);
  Bytes out = wire::encode_uvarint(body.size());
  append(out, body);
  return out;
}

Result<HolePunch> decode(ByteView message) {
  if (message.size() > kMaxMessageSize) return Error::too_large;
  HolePunch out;
  std::optional<std::uint64_t> type;
  wire::pb::Reader reader(message);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kType:
        if (field.type != wire::pb::WireType::varint) return Error::malformed;
        type = field.varint;  // protobuf: the last of a repeated scalar wins
        break;
      case kObsAddrs:
        if (field.type != wire::pb::WireType::len) return Error::malformed;
        if (field.bytes.size() > kMaxAddrSize) return Error::too_large;
        if (out.obs_addrs.size() == kMaxAddrs) return Error::limit_exceeded;
        out.obs_addrs.emplace_back(field.bytes.begin(), field.bytes.end());
        break;
      default:
        break;  // unknown fields are skipped (protobuf rules)
    }
  }
  if (reader.error()) return reader.error();
  // The spec's field is optional, but a message without it means nothing: go and js both reject
  // it (as type 0 / UNUSED) when they act on it.
  if (!type || *type > 0xffffffffu) return Error::malformed;
  if (*type != static_cast<std::uint32_t>(Type::connect) &&
      *type != static_cast<std::uint32_t>(Type::sync)) {
    return Error::unsupported;
  }
  out.type = static_cast<Type>(*type);
  return out;
}

// ---- Addresses ----

Dialable dialable_addrs(std::span<const Bytes> obs_addrs, const AddrFilter& filter) {
  Dialable out;
  for (const Bytes& raw : obs_addrs) {
    auto addr =
        raw.empty() ? Result<wire::Multiaddr>(Error::malformed) : wire::Multiaddr::from_bytes(raw);
    bool keep = addr && !addr->is_relayed() && addr->tcp_target().has_value();
    if (keep) {
      const auto& c = addr->components();
      keep = load_be16(c[1].value.data()) != 0;
      if (keep && c.size() == 3 && filter.remote) keep = addr->peer_id() == filter.remote;
      if (keep && (c[0].protocol == wire::Protocol::ip4 || c[0].protocol == wire::Protocol::ip6)) {
        const Class cls = c[0].protocol == wire::Protocol::ip4
                              ? classify4(load_be32(c[0].value.data()))
                              : classify6(c[0].value);
        keep = cls == Class::usable || (cls == Class::private_only && filter.allow_private);
      }
      // DNS names are taken as public (as js does): we cannot tell without resolving them.
      if (keep && std::find(out.addrs.begin(), out.addrs.end(), *addr) != out.addrs.end()) {
        keep = false;  // a duplicate: dialling it twice gains nothing
      }
    }
    if (keep) {
      out.addrs.push_back(std::move(*addr));
    } else {
      ++out.dropped;
    }
  }
  return out;
}

// ---- Initiator (B) ----

Initiator::Initiator(AddrFilter filter) : filter_(std::move(filter)) {}

Result<void> Initiator::start(std::span<const wire::Multiaddr> own_addrs, TimePoint now) {
  if (error_ || state_ != State::idle || attempts_ == kMaxAttempts) return Error::invalid_state;
  auto connect = frame_own(Type::connect, own_addrs);
  if (!connect) return connect.error();
  append(out_, *connect);
  // spec step 2: "sends to A a Connect message ... and starts a timer to measure RTT".
  sent_ = now;
  ++attempts_;
  state_ = State::awaiting_connect;
  return {};
}

Result<void> Initiator::fail(boost::system::error_code ec) {
  state_ = State::failed;
  error_ = ec;
  // The exchange is over: an event queued by the same input (a CONNECT glued to a bad SYNC)
  // must not lead the shell to answer or dial.
  events_.clear();
  out_.clear();
  return error_;
}

Result<void> Initiator::handle_input(ByteView data, TimePoint now) {
  if (error_) return make_error_code(Error::invalid_state);
  while (!data.empty()) {
    // A speaks only in answer to our CONNECT: anything else, even one byte, is out of turn.
    if (state_ != State::awaiting_connect) return fail(Error::protocol_violation);
    auto message = reader_.read(data);
    if (!message) return fail(message.error());
    if (!*message) break;  // incomplete: the reader keeps the part
    if (auto r = on_message(**message, now); !r) return r;
  }
  return {};
}

Result<void> Initiator::on_message(ByteView body, TimePoint now) {
  auto message = decode(body);
  if (!message) return fail(message.error());
  if (message->type != Type::connect) return fail(Error::protocol_violation);
  auto addrs = connect_addrs(*message, filter_);
  if (!addrs) return fail(addrs.error());
  // spec step 4: "Upon receiving the Connect, B sends a Sync message and starts a timer for half
  // the RTT measured from the time between sending the initial Connect and receiving the
  // response."
  rtt_ = now - sent_;
  append(out_, frame(HolePunch{.type = Type::sync, .obs_addrs = {}}));
  remote_ = std::move(*addrs);
  dial_at_ = now + rtt_ / 2;
  state_ = State::waiting_to_dial;
  handle_timeout(now);  // rtt/2 == 0: dial at once
  return {};
}

void Initiator::handle_timeout(TimePoint now) {
  if (state_ == State::awaiting_connect && now >= sent_ + kStreamTimeout) {
    (void)fail(Error::timeout);
    events_.push_back(Event{.kind = Event::Kind::timed_out, .addrs = {}});
  } else if (state_ == State::waiting_to_dial && now >= dial_at_) {
    // spec step 5: "Upon expiry of the timer, B starts a direct dial to A".
    state_ = State::idle;
    events_.push_back(Event{.kind = Event::Kind::dial,
                            .addrs = std::move(remote_.addrs),
                            .dropped_addrs = remote_.dropped,
                            .rtt = rtt_});
    remote_ = {};
  }
}

std::optional<Transmit> Initiator::poll_transmit(Bytes& out) { return take(out_, out); }

std::optional<TimePoint> Initiator::poll_timeout() const {
  switch (state_) {
    case State::awaiting_connect:
      return sent_ + kStreamTimeout;
    case State::waiting_to_dial:
      return dial_at_;
    default:
      return std::nullopt;
  }
}

std::optional<DcutrEvent> Initiator::poll() { return pop(events_); }

// ---- Responder (A) ----

Responder::Responder(TimePoint now, AddrFilter filter)
    : filter_(std::move(filter)), round_start_(now) {}

Result<void> Responder::respond(std::span<const wire::Multiaddr> own_addrs, TimePoint now) {
  if (error_ || state_ != State::awaiting_respond) return Error::invalid_state;
  auto connect = frame_own(Type::connect, own_addrs);
  if (!connect) return connect.error();
  // spec step 3: "A responds back with a Connect message containing its observed (and possibly
  // predicted) addresses."
  append(out_, *connect);
  responded_ = now;
  state_ = State::awaiting_sync;
  return {};
}

Result<void> Responder::fail(boost::system::error_code ec) {
  state_ = State::failed;
  error_ = ec;
  // The exchange is over: an event queued by the same input (a CONNECT glued to a bad SYNC)
  // must not lead the shell to answer or dial.
  events_.clear();
  out_.clear();
  return error_;
}

Result<void> Responder::handle_input(ByteView data, TimePoint now) {
  if (error_) return make_error_code(Error::invalid_state);
  while (!data.empty()) {
    // B waits for our CONNECT before it sends SYNC: bytes while we have not answered are early.
    if (state_ == State::awaiting_respond) return fail(Error::protocol_violation);
    auto message = reader_.read(data);
    if (!message) return fail(message.error());
    if (!*message) break;
    if (auto r = on_message(**message, now); !r) return r;
  }
  return {};
}

Result<void> Responder::on_message(ByteView body, TimePoint now) {
  auto message = decode(body);
  if (!message) return fail(message.error());
  if (state_ == State::awaiting_sync) {
    if (message->type != Type::sync) return fail(Error::protocol_violation);
    // spec step 5: "Upon receiving the Sync, A immediately starts a direct dial to B using the
    // addresses obtained from the Connect message."
    events_.push_back(Event{.kind = Event::Kind::dial,
                            .addrs = std::move(remote_.addrs),
                            .dropped_addrs = remote_.dropped,
                            .rtt = now - responded_});
    remote_ = {};
    state_ = State::between_rounds;
    return {};
  }
  // awaiting_connect or between_rounds: a (retry's) CONNECT.
  if (message->type != Type::connect) return fail(Error::protocol_violation);
  if (rounds_ == kMaxAttempts) return fail(Error::limit_exceeded);
  auto addrs = connect_addrs(*message, filter_);
  if (!addrs) return fail(addrs.error());
  ++rounds_;
  if (state_ == State::between_rounds) round_start_ = now;
  remote_ = std::move(*addrs);
  events_.push_back(Event{
      .kind = Event::Kind::connect, .addrs = remote_.addrs, .dropped_addrs = remote_.dropped});
  state_ = State::awaiting_respond;
  return {};
}

void Responder::handle_timeout(TimePoint now) {
  const bool open = state_ == State::awaiting_connect || state_ == State::awaiting_respond ||
                    state_ == State::awaiting_sync;
  if (!open || now < round_start_ + kStreamTimeout) return;
  (void)fail(Error::timeout);
  events_.push_back(Event{.kind = Event::Kind::timed_out, .addrs = {}});
}

std::optional<Transmit> Responder::poll_transmit(Bytes& out) { return take(out_, out); }

std::optional<TimePoint> Responder::poll_timeout() const {
  switch (state_) {
    case State::awaiting_connect:
    case State::awaiting_respond:
    case State::awaiting_sync:
      return round_start_ + kStreamTimeout;
    default:
      return std::nullopt;
  }
}

std::optional<DcutrEvent> Responder::poll() { return pop(events_); }

}  // namespace ipfsa::proto::dcutr
