// Helpers shared by the yamux tests: hex byte scripts in, hex frames and events out.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "proto/yamux/session.hpp"

namespace ipfsa::proto::yamux::testing {

inline const TimePoint kT0{std::chrono::hours(1)};

inline Config quiet_config() {
  Config config;
  config.keepalive_interval = Duration::zero();
  return config;
}

inline Bytes unhex(std::string_view s) {
  std::string compact;
  for (char c : s) {
    if (c != ' ') compact += c;
  }
  auto bytes = hex_decode(compact);
  EXPECT_TRUE(bytes) << s;
  return bytes.value_or(Bytes{});
}

// One header in hex: type, flags, stream id, length.
inline std::string frame_hex(FrameType type, std::uint16_t flags, StreamId id, std::uint32_t len) {
  Bytes b;
  append_header(b, Header{type, flags, id, len});
  return hex_encode(b);
}

inline std::string drain_hex(Session& s) {
  Bytes out;
  s.poll_transmit(out);
  return hex_encode(out);
}

inline std::vector<Event> drain_events(Session& s) {
  std::vector<Event> events;
  while (auto e = s.poll()) events.push_back(std::move(*e));
  return events;
}

inline Result<void> feed(Session& s, std::string_view hex, TimePoint now = kT0) {
  return s.handle_input(unhex(hex), now);
}

}  // namespace ipfsa::proto::yamux::testing
