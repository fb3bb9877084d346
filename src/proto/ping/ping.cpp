#include "proto/ping/ping.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace ipfsa::proto::ping {

void Initiator::start(const Payload& payload, TimePoint now) {
  assert(!in_flight_ && !error_);
  payload_ = payload;
  received_ = 0;
  sent_ = now;
  in_flight_ = true;
  unsent_ = true;
}

Result<void> Initiator::handle_input(ByteView data, TimePoint now) {
  if (error_) return make_error_code(Error::invalid_state);
  if (data.empty()) return {};
  // One ping is in flight at a time, so the peer may send at most what is left of its echo.
  // Compare as the bytes arrive: a wrong echo is reported without waiting for the rest.
  if (!in_flight_ || data.size() > kPayloadSize - received_ ||
      std::memcmp(data.data(), payload_.data() + received_, data.size()) != 0) {
    error_ = make_error_code(Error::protocol_violation);
    return error_;
  }
  received_ += data.size();
  if (received_ < kPayloadSize) return {};
  // "The dialing peer then measures the RTT from when it wrote the bytes to when it received
  // them."
  in_flight_ = false;
  event_ = Event{.kind = Event::Kind::rtt, .rtt = now - sent_};
  return {};
}

void Initiator::handle_timeout(TimePoint now) {
  if (error_ || !in_flight_ || now < sent_ + kTimeout) return;
  in_flight_ = false;
  error_ = make_error_code(Error::timeout);
  event_ = Event{.kind = Event::Kind::timed_out};
}

std::optional<Transmit> Initiator::poll_transmit(Bytes& out) {
  if (!unsent_) return std::nullopt;
  unsent_ = false;
  // ping.md: "The dialing peer sends a 32-byte payload of random binary data on an open stream."
  append(out, payload_);
  return Transmit{kPayloadSize};
}

std::optional<TimePoint> Initiator::poll_timeout() const {
  if (!in_flight_) return std::nullopt;
  return sent_ + kTimeout;
}

std::optional<PingEvent> Initiator::poll() { return std::exchange(event_, std::nullopt); }

Result<void> Responder::handle_input(ByteView data, TimePoint) {
  // ping.md: "the listening peer SHOULD loop and echo the next payload": echo whole payloads only.
  while (!data.empty()) {
    const std::size_t take = std::min(kPayloadSize - pending_size_, data.size());
    std::memcpy(pending_.data() + pending_size_, data.data(), take);
    pending_size_ += take;
    data = data.subspan(take);
    if (pending_size_ == kPayloadSize) {
      append(echo_, pending_);
      pending_size_ = 0;
    }
  }
  return {};
}

std::optional<Transmit> Responder::poll_transmit(Bytes& out) {
  if (echo_.empty()) return std::nullopt;
  const std::size_t size = echo_.size();
  if (out.empty()) {
    out.swap(echo_);
  } else {
    append(out, echo_);
  }
  echo_.clear();
  return Transmit{size};
}

}  // namespace ipfsa::proto::ping
