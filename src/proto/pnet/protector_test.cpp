#include "proto/pnet/protector.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "crypto/xsalsa20.hpp"

namespace ipfsa::proto::pnet {
namespace {

struct Pair {
  SecretBytes psk_a = crypto::random_secret(kPskSize);
  SecretBytes psk_b = psk_a;
  Bytes nonce_a = crypto::random_bytes(kNonceSize);
  Bytes nonce_b = crypto::random_bytes(kNonceSize);
};

// Delivers `wire` to `to` in chunks of `chunk` bytes: nonce first, then decryption.
Bytes deliver(Protector& to, ByteView wire, std::size_t chunk) {
  Bytes plain;
  for (std::size_t off = 0; off < wire.size(); off += chunk) {
    Bytes piece(wire.begin() + static_cast<std::ptrdiff_t>(off),
                wire.begin() + static_cast<std::ptrdiff_t>(std::min(wire.size(), off + chunk)));
    auto used = to.receive_nonce(piece);
    EXPECT_TRUE(used);
    std::span<std::uint8_t> rest = std::span(piece).subspan(*used);
    if (!rest.empty()) {
      EXPECT_TRUE(to.has_remote_nonce());
      to.decrypt(rest);
      append(plain, rest);
    }
  }
  return plain;
}

// What `from` writes for `message` in pieces of `chunk` bytes: its nonce, then ciphertext.
Bytes transmit(Protector& from, ByteView message, std::size_t chunk) {
  Bytes wire(from.local_nonce().begin(), from.local_nonce().end());
  for (std::size_t off = 0; off < message.size(); off += chunk) {
    Bytes piece(
        message.begin() + static_cast<std::ptrdiff_t>(off),
        message.begin() + static_cast<std::ptrdiff_t>(std::min(message.size(), off + chunk)));
    from.encrypt(piece);
    append(wire, piece);
  }
  return wire;
}

TEST(Protector, TwoPeersTalkAcrossOddChunkSizes) {
  const Bytes message = crypto::random_bytes(3000);
  for (std::size_t send_chunk : {1u, 13u, 64u, 65u, 999u, 3000u}) {
    for (std::size_t recv_chunk : {1u, 7u, 23u, 24u, 25u, 100u, 5000u}) {
      Pair p;
      Protector a(p.psk_a, p.nonce_a), b(p.psk_b, p.nonce_b);
      const Bytes wire_ab = transmit(a, message, send_chunk);
      ASSERT_EQ(wire_ab.size(), kNonceSize + message.size());
      EXPECT_EQ(Bytes(wire_ab.begin(), wire_ab.begin() + kNonceSize), p.nonce_a);
      EXPECT_NE(Bytes(wire_ab.begin() + kNonceSize, wire_ab.end()), message);
      EXPECT_EQ(deliver(b, wire_ab, recv_chunk), message) << send_chunk << "/" << recv_chunk;
      // And the other direction, independently keyed by B's nonce.
      const Bytes wire_ba = transmit(b, message, recv_chunk);
      EXPECT_EQ(deliver(a, wire_ba, send_chunk), message);
      EXPECT_NE(Bytes(wire_ab.begin() + kNonceSize, wire_ab.end()),
                Bytes(wire_ba.begin() + kNonceSize, wire_ba.end()));
    }
  }
}

TEST(Protector, CiphertextIsXSalsa20OfPskAndOwnNonce) {
  // Spec "On writing side": write(N), then data XOR XSalsa20(SS, N).
  Pair p;
  Protector a(p.psk_a, p.nonce_a);
  const Bytes message = to_bytes("\x13/multistream/1.0.0\n");
  const Bytes wire = transmit(a, message, 5);
  Bytes expected = message;
  crypto::XSalsa20Stream(p.psk_a, p.nonce_a).apply(expected);
  EXPECT_EQ(Bytes(wire.begin() + kNonceSize, wire.end()), expected);
}

TEST(Protector, WrongKeyGivesGarbageAndFailsTheFirstPlaintextCheck) {
  Pair p;
  p.psk_b = crypto::random_secret(kPskSize);
  Protector a(p.psk_a, p.nonce_a), b(p.psk_b, p.nonce_b);
  const Bytes message = to_bytes(std::string(kExpectedFirstPlaintext) + "/noise\n");
  const Bytes got = deliver(b, transmit(a, message, 7), 11);
  ASSERT_EQ(got.size(), message.size());
  EXPECT_NE(got, message);
  EXPECT_EQ(check_first_plaintext(got).error(), Error::protocol_violation);

  // With the right key the same check passes, on any prefix. (A fresh sender: `a`'s keystream
  // has moved on.)
  Protector a2(p.psk_a, p.nonce_a), c(p.psk_a, p.nonce_b);
  const Bytes good = deliver(c, transmit(a2, message, 7), 3);
  EXPECT_EQ(good, message);
  for (std::size_t n = 0; n <= good.size(); ++n) {
    EXPECT_TRUE(check_first_plaintext(ByteView(good).first(n))) << n;
  }
}

TEST(Protector, NonceIsConsumedIncrementally) {
  Pair p;
  Protector b(p.psk_b, p.nonce_b);
  Bytes wire = p.nonce_a;
  wire.push_back(0xee);
  EXPECT_EQ(b.receive_nonce(ByteView(wire).first(10)).value(), 10u);
  EXPECT_FALSE(b.has_remote_nonce());
  EXPECT_EQ(b.receive_nonce({}).value(), 0u);
  EXPECT_EQ(b.receive_nonce(ByteView(wire).subspan(10)).value(), 14u);
  EXPECT_TRUE(b.has_remote_nonce());
  EXPECT_EQ(b.receive_nonce(ByteView(wire).subspan(24)).value(), 0u);
}

TEST(Protector, ReflectedNonceIsRejected) {
  Pair p;
  Protector a(p.psk_a, p.nonce_a);
  auto r = a.receive_nonce(a.local_nonce());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::protocol_violation);
  EXPECT_FALSE(a.has_remote_nonce());
}

TEST(Protector, CheckFirstPlaintextRejectsOtherProtocols) {
  EXPECT_EQ(check_first_plaintext(as_bytes("GET / HTTP/1.1\r\n")).error(),
            Error::protocol_violation);
  EXPECT_EQ(check_first_plaintext(as_bytes("\x13/multistream/2.0.0\n")).error(),
            Error::protocol_violation);
  EXPECT_TRUE(check_first_plaintext({}));
}

}  // namespace
}  // namespace ipfsa::proto::pnet
