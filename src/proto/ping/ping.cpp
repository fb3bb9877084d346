#include "proto/ping/ping.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace ipfsa::proto::ping {

Bytes Initiator::start(const Payload& payload, TimePoint now) {
  assert(!in_flight_ && !failed_);
  payload_ = payload;
  received_ = 0;
  sent_ = now;
  in_flight_ = true;
  // ping.md: "The dialing peer sends a 32-byte payload of random binary data on an open stream."
  return Bytes(payload.begin(), payload.end());
}

Result<std::optional<Duration>> Initiator::receive(ByteView data, TimePoint now) {
  if (failed_) return Error::invalid_state;
  if (data.empty()) return std::optional<Duration>{};
  // One ping is in flight at a time, so the peer may send at most what is left of its echo.
  if (!in_flight_ || data.size() > kPayloadSize - received_) {
    failed_ = true;
    return Error::protocol_violation;
  }
  // Compare as the bytes arrive: a wrong echo is reported without waiting for the rest.
  if (std::memcmp(data.data(), payload_.data() + received_, data.size()) != 0) {
    failed_ = true;
    return Error::protocol_violation;
  }
  received_ += data.size();
  if (received_ < kPayloadSize) return std::optional<Duration>{};
  // "The dialing peer then measures the RTT from when it wrote the bytes to when it received
  // them."
  in_flight_ = false;
  return std::optional<Duration>(now - sent_);
}

std::optional<TimePoint> Initiator::deadline() const {
  if (!in_flight_) return std::nullopt;
  return sent_ + kTimeout;
}

Bytes Responder::receive(ByteView data) {
  // ping.md: "the listening peer SHOULD loop and echo the next payload": echo whole payloads only.
  Bytes out;
  out.reserve((pending_size_ + data.size()) / kPayloadSize * kPayloadSize);
  while (!data.empty()) {
    const std::size_t take = std::min(kPayloadSize - pending_size_, data.size());
    std::memcpy(pending_.data() + pending_size_, data.data(), take);
    pending_size_ += take;
    data = data.subspan(take);
    if (pending_size_ == kPayloadSize) {
      append(out, pending_);
      pending_size_ = 0;
    }
  }
  return out;
}

}  // namespace ipfsa::proto::ping
