// Fuzz target for proto/noise: arbitrary bytes as handshake message 1, 2 or 3, as the decrypted
// libp2p payload of an otherwise valid message 2, and as a SecureChannel ciphertext stream.
// Byte 0 picks the mode; the rest is the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "crypto/ed25519.hpp"
#include "proto/noise/handshake.hpp"
#include "proto/noise/payload.hpp"

namespace {

using namespace ipfsa;
using namespace ipfsa::proto::noise;

SecretBytes key(std::uint8_t tag) {
  SecretBytes k(32);
  for (std::size_t i = 0; i < 32; ++i) k.mutable_view()[i] = static_cast<std::uint8_t>(tag + i);
  return k;
}

const crypto::Ed25519KeyPair& identity() {
  static const auto k = crypto::Ed25519KeyPair::from_seed(key(200).view()).value();
  return k;
}

const TimePoint kNow{};

std::optional<Bytes> next_message(Handshake& h) {
  Bytes out;
  if (!h.poll_transmit(out)) return std::nullopt;
  return out;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void as_message_one(ByteView data) {
  Handshake r(Role::responder, identity(), key(1), key(2), std::nullopt);
  if (r.handle_input(data, kNow)) check(next_message(r).has_value());
}

void as_message_two(ByteView data) {
  Handshake i(Role::initiator, identity(), key(3), key(4), std::nullopt);
  check(next_message(i).has_value());
  if (i.handle_input(data, kNow)) std::abort();  // nobody can forge an authenticated message 2
}

void as_message_three(ByteView data) {
  Handshake i(Role::initiator, identity(), key(5), key(6), std::nullopt);
  Handshake r(Role::responder, identity(), key(7), key(8), std::nullopt);
  check(r.handle_input(*next_message(i), kNow).has_value());
  check(i.handle_input(*next_message(r), kNow).has_value());
  if (r.handle_input(data, kNow)) std::abort();
}

// A responder that speaks Noise correctly but sends `data` as its libp2p payload.
void as_payload(ByteView data) {
  Handshake i(Role::initiator, identity(), key(9), key(10), std::nullopt);
  auto rogue = HandshakeState::create(Role::responder, {}, key(11), key(12)).value();
  Bytes ignored, m2;
  check(rogue.read_message(*next_message(i), ignored).has_value());
  if (!rogue.write_message(data, m2)) return;  // too large for one message
  // Passing would need an identity signature over the rogue's static key: unforgeable.
  if (i.handle_input(m2, kNow)) std::abort();
  (void)decode_payload(data);
}

void as_transport(ByteView data) {
  const SecretBytes k = key(13);
  SecureChannel channel(CipherState(k.view()), CipherState(k.view()));
  Bytes out;
  // Each piece: one length byte, then that many bytes of ciphertext stream.
  while (!data.empty()) {
    const std::size_t n = std::min<std::size_t>(data[0], data.size() - 1);
    auto ok = channel.decrypt(data.subspan(1, n), out);
    check(channel.buffered() < kMaxFrameSize);
    if (!ok) {
      check(channel.has_failed());
      return;
    }
    data = data.subspan(1 + n);
  }
  check(out.empty());  // no forged frame can authenticate
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const ByteView data(bytes + 1, size - 1);
  switch (bytes[0] % 5) {
    case 0:
      as_message_one(data);
      break;
    case 1:
      as_message_two(data);
      break;
    case 2:
      as_message_three(data);
      break;
    case 3:
      as_payload(data);
      break;
    default:
      as_transport(data);
      break;
  }
  return 0;
}
