#include "proto/multistream/multistream.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "wire/varint.hpp"

namespace ipfsa::proto::multistream {
namespace {

[[maybe_unused]] bool valid_protocol_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxProtocolIdSize &&
         id.find('\n') == std::string_view::npos && id != kNotAvailable && id != kList;
}

// Feeds `data` through `reader`, calling `on_message(text)` for every complete line, and stops at
// the line after which `is_done()` holds: the bytes behind it go to `remaining`.
template <class OnMessage, class IsDone>
Result<void> feed(wire::LengthPrefixedReader& reader, ByteView data, Bytes& remaining,
                  OnMessage on_message, IsDone is_done) {
  while (!data.empty()) {
    auto message = reader.read(data);
    if (!message) return message.error();
    if (!*message) break;  // all of `data` went into a partial message
    auto text = parse_message(**message);
    if (!text) return text.error();
    if (auto ok = on_message(*text); !ok) return ok.error();
    if (is_done()) {
      append(remaining, data);
      break;
    }
  }
  return {};
}

}  // namespace

void append_message(Bytes& out, std::string_view text) {
  assert(text.size() <= kMaxProtocolIdSize);
  wire::append_uvarint(out, text.size() + 1);
  append(out, as_bytes(text));
  out.push_back('\n');
}

Result<std::string> parse_message(ByteView body) {
  // Connections spec, "multistream-select": every message is followed by '\n', counted in the
  // length. js-libp2p rejects a missing newline the same way ("Missing newline").
  if (body.empty() || body.back() != '\n') return Error::protocol_violation;
  return std::string(body.begin(), body.end() - 1);
}

// ---- What both sides share ----

namespace detail {

template <class Side>
std::optional<Transmit> Negotiator<Side>::poll_transmit(Bytes& out) {
  if (outgoing_.empty()) return std::nullopt;
  const std::size_t size = outgoing_.size();
  append(out, outgoing_);
  outgoing_.clear();
  return Transmit{size};
}

template <class Side>
Result<void> Negotiator<Side>::handle_input(ByteView data, TimePoint) {
  if (phase_ == Phase::failed) return Error::invalid_state;
  if (phase_ == Phase::done) {
    append(remaining_, data);
    return {};
  }
  auto ok = feed(
      reader_, data, remaining_,
      [this](const std::string& text) { return static_cast<Side*>(this)->on_message(text); },
      [this] { return phase_ == Phase::done; });
  if (!ok) phase_ = Phase::failed;
  return ok;
}

template <class Side>
std::optional<Negotiated> Negotiator<Side>::poll() {
  if (phase_ != Phase::done || reported_) return std::nullopt;
  reported_ = true;
  return Negotiated{static_cast<const Side*>(this)->protocol()};
}

template class Negotiator<Dialer>;
template class Negotiator<Listener>;

}  // namespace detail

// ---- Dialer ----

Dialer::Dialer(std::vector<std::string> protocols) : protocols_(std::move(protocols)) {
  assert(!protocols_.empty());
  assert(std::all_of(protocols_.begin(), protocols_.end(),
                     [](const std::string& p) { return valid_protocol_id(p); }));
  // Both sides may send the header without waiting; pipelining the first proposal with it saves a
  // round trip (js-libp2p's select() writes the same two lines in one write).
  append_message(outgoing_, kProtocolId);
  append_message(outgoing_, protocols_.front());
}

Result<void> Dialer::on_message(const std::string& text) {
  switch (phase_) {
    case Phase::await_header:
      // "If either side receives anything other than the multistream protocol id as the first
      // message, they abort the negotiation process."
      if (text != kProtocolId) return Error::protocol_violation;
      phase_ = Phase::negotiating;
      return {};
    case Phase::negotiating:
      if (text == protocols_[current_]) {
        phase_ = Phase::done;
        return {};
      }
      if (text != kNotAvailable) return Error::protocol_violation;
      // "If a peer receives a "na" response to a proposed protocol id, they can either try again
      // with a different protocol id or close the channel."
      if (++current_ == protocols_.size()) return Error::negotiation_failed;
      append_message(outgoing_, protocols_[current_]);
      return {};
    case Phase::done:
    case Phase::failed:
      break;
  }
  return Error::invalid_state;
}


// ---- Listener ----

Listener::Listener(std::vector<std::string> supported) : supported_(std::move(supported)) {
  assert(std::all_of(supported_.begin(), supported_.end(),
                     [](const std::string& p) { return valid_protocol_id(p); }));
  append_message(outgoing_, kProtocolId);
}

Result<void> Listener::on_message(const std::string& text) {
  switch (phase_) {
    case Phase::await_header:
      if (text != kProtocolId) return Error::protocol_violation;
      phase_ = Phase::negotiating;
      return {};
    case Phase::negotiating: {
      // Every answer costs us a write: bound them so a peer cannot keep a stream busy forever.
      if (++proposals_ > kMaxProposals) return Error::limit_exceeded;
      auto it = std::find(supported_.begin(), supported_.end(), text);
      if (it != supported_.end()) {
        accepted_ = static_cast<std::size_t>(it - supported_.begin());
        append_message(outgoing_, *it);  // the echo signals agreement
        phase_ = Phase::done;
        return {};
      }
      if (text == kList) {
        append_listing();
      } else {
        append_message(outgoing_, kNotAvailable);
      }
      return {};
    }
    case Phase::done:
    case Phase::failed:
      break;
  }
  return Error::invalid_state;
}

void Listener::append_listing() {
  // multistream-select README, "Listing"; the layout js-libp2p and go-multistream send: one
  // message whose body is each protocol as its own length-prefixed line, then a final '\n'. We
  // list as many protocols as fit in kMaxMessageSize, so a peer's reader never rejects it.
  Bytes body;
  for (const std::string& protocol : supported_) {
    const std::size_t entry = wire::uvarint_size(protocol.size() + 1) + protocol.size() + 1;
    if (body.size() + entry + 1 > kMaxMessageSize) break;
    wire::append_uvarint(body, protocol.size() + 1);
    append(body, as_bytes(protocol));
    body.push_back('\n');
  }
  body.push_back('\n');
  wire::append_uvarint(outgoing_, body.size());
  append(outgoing_, body);
}


}  // namespace ipfsa::proto::multistream
