// Deterministic keys and small helpers shared by this folder's tests (not part of the library).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"
#include "base/secret.hpp"
#include "crypto/ed25519.hpp"
#include "proto/noise/handshake.hpp"

namespace ipfsa::proto::noise::testing {

inline const TimePoint kNow{};  // the handshake has no deadline of its own

// The next message poll_transmit() hands out, or nullopt (and checks Transmit::size).
inline std::optional<Bytes> next_message(Handshake& h) {
  Bytes out;
  auto t = h.poll_transmit(out);
  if (!t) return std::nullopt;
  EXPECT_EQ(t->size, out.size());
  return out;
}

inline Bytes unhex(std::string_view s) {
  auto b = hex_decode(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(Bytes{});
}

// 32 bytes derived from `tag`: distinct tags give distinct keys.
inline SecretBytes key32(std::uint8_t tag) {
  SecretBytes k(32);
  for (std::size_t i = 0; i < 32; ++i) {
    k.mutable_view()[i] = static_cast<std::uint8_t>(tag * 31 + i * 7 + 1);
  }
  return k;
}

inline crypto::Ed25519KeyPair identity(std::uint8_t tag) {
  return crypto::Ed25519KeyPair::from_seed(key32(static_cast<std::uint8_t>(tag + 100)).view())
      .value();
}

}  // namespace ipfsa::proto::noise::testing
