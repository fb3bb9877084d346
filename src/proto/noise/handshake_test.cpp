// The libp2p Noise handshake between two in-process Handshakes, and every way it must fail.
#include "proto/noise/handshake.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "crypto/x25519.hpp"
#include "proto/noise/test_keys.hpp"

namespace ipfsa::proto::noise {
namespace {

using testing::identity;
using testing::key32;
using testing::kNow;
using testing::next_message;

const crypto::Ed25519KeyPair& alice_id() {
  static const auto k = identity(1);
  return k;
}
const crypto::Ed25519KeyPair& bob_id() {
  static const auto k = identity(2);
  return k;
}
wire::PeerId peer_of(const crypto::Ed25519KeyPair& k) {
  return wire::PeerId::from_public_key(k.public_key());
}

Handshake alice(std::optional<wire::PeerId> expected = {}, Extensions ext = {}) {
  return Handshake(Role::initiator, alice_id(), key32(1), key32(2), std::move(expected),
                   std::move(ext));
}
Handshake bob(std::optional<wire::PeerId> expected = {}, Extensions ext = {}) {
  return Handshake(Role::responder, bob_id(), key32(3), key32(4), std::move(expected),
                   std::move(ext));
}

using Tamper = std::function<void(int index, Bytes& message)>;

// Drives both sides like the I/O shell would; returns the first error either side reports.
Result<void> run(Handshake& init, Handshake& resp, const Tamper& tamper = {}) {
  int index = 0;
  for (int round = 0; round < 8 && !(init.is_done() && resp.is_done()); ++round) {
    for (auto [from, to] : {std::pair{&init, &resp}, std::pair{&resp, &init}}) {
      if (auto m = next_message(*from)) {
        if (tamper) tamper(index, *m);
        ++index;
        if (auto ok = to->handle_input(*m, kNow); !ok) return ok.error();
      }
      if (from->error()) return from->error();
    }
  }
  if (!init.is_done() || !resp.is_done()) return Error::invalid_state;
  return {};
}

std::vector<Bytes> transcript() {
  auto i = alice();
  auto r = bob();
  std::vector<Bytes> messages;
  EXPECT_TRUE(run(i, r, [&](int, Bytes& m) { messages.push_back(m); }));
  return messages;
}

TEST(Handshake, EachSideReportsTheProvenPeerOnce) {
  auto i = alice();
  auto r = bob();
  Bytes m1, m2;
  ASSERT_TRUE(i.poll_transmit(m1));
  EXPECT_FALSE(i.poll());
  ASSERT_TRUE(r.handle_input(m1, kNow));
  EXPECT_FALSE(r.poll());  // message 1 carries no identity
  ASSERT_TRUE(r.poll_transmit(m2));
  ASSERT_TRUE(i.handle_input(m2, kNow));
  auto event = i.poll();  // message 2 proved bob
  ASSERT_TRUE(event);
  EXPECT_EQ(event->remote_peer, peer_of(bob_id()));
  EXPECT_FALSE(i.poll());
  EXPECT_FALSE(i.is_done());  // message 3 not yet taken
  Bytes m3;
  ASSERT_TRUE(i.poll_transmit(m3));
  EXPECT_TRUE(i.is_done());
  ASSERT_TRUE(r.handle_input(m3, kNow));
  event = r.poll();
  ASSERT_TRUE(event);
  EXPECT_EQ(event->remote_peer, peer_of(alice_id()));
  EXPECT_FALSE(i.poll_timeout());
}

TEST(Handshake, CompletesAndEachSideLearnsTheOther) {
  const Extensions alice_ext{{"/yamux/1.0.0"}};
  const Extensions bob_ext{{"/yamux/1.0.0", "/mplex/6.7.0"}};
  auto i = alice(peer_of(bob_id()), alice_ext);
  auto r = bob({}, bob_ext);
  EXPECT_EQ(kProtocolId, "/noise");
  EXPECT_FALSE(next_message(r));  // the initiator speaks first
  ASSERT_TRUE(run(i, r));
  EXPECT_EQ(i.handshake_hash(), r.handshake_hash());
  EXPECT_FALSE(next_message(i));
  EXPECT_FALSE(next_message(r));

  auto ri = std::move(i).finish();
  auto rr = std::move(r).finish();
  ASSERT_TRUE(ri && rr);
  EXPECT_EQ(ri->remote_peer, peer_of(bob_id()));
  EXPECT_EQ(rr->remote_peer, peer_of(alice_id()));
  EXPECT_EQ(ri->remote_key, bob_id().public_key());
  EXPECT_EQ(rr->remote_key, alice_id().public_key());
  EXPECT_EQ(ri->remote_extensions, bob_ext);
  EXPECT_EQ(rr->remote_extensions, alice_ext);

  Bytes wire, plain;
  ri->channel.encrypt(to_bytes("ping"), wire);
  ASSERT_TRUE(rr->channel.decrypt(wire, plain));
  EXPECT_EQ(to_string(plain), "ping");
  wire.clear();
  plain.clear();
  rr->channel.encrypt(to_bytes("pong"), wire);
  ASSERT_TRUE(ri->channel.decrypt(wire, plain));
  EXPECT_EQ(to_string(plain), "pong");
}

TEST(Handshake, MessageOneIsABareEphemeralKeyAndPayloadsRideInTwoAndThree) {
  const auto m = transcript();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].size(), kDhSize);  // empty payload
  // Message 2/3 = fixed Noise overhead + an encrypted NoiseHandshakePayload (Ed25519 identity:
  // 36-byte key, 64-byte signature, 2 + 2 bytes of protobuf tags and lengths).
  const std::size_t payload = 36 + 64 + 4;
  EXPECT_EQ(m[1].size(), kMinMessageSize[1] + payload);
  EXPECT_EQ(m[2].size(), kMinMessageSize[2] + payload);
}

TEST(Handshake, InitiatorRejectsAResponderWithAnotherIdentity) {
  auto i = alice(peer_of(identity(9)));
  auto r = bob();
  EXPECT_EQ(run(i, r).error(), Error::peer_id_mismatch);
  EXPECT_EQ(i.error(), Error::peer_id_mismatch);
  EXPECT_FALSE(next_message(i));  // message 3 (our identity) is never sent
  EXPECT_EQ(std::move(i).finish().error(), Error::peer_id_mismatch);
}

TEST(Handshake, ResponderMayAlsoCheckTheInitiator) {
  auto i = alice();
  auto r = bob(peer_of(identity(9)));
  EXPECT_EQ(run(i, r).error(), Error::peer_id_mismatch);
  auto i2 = alice();
  auto r2 = bob(peer_of(alice_id()));
  EXPECT_TRUE(run(i2, r2));
}

// A peer that speaks Noise correctly but lies in its libp2p payload.
struct Rogue {
  HandshakeState state;
  Bytes payload;
};

Bytes signed_payload(const crypto::Ed25519KeyPair& key, ByteView signed_static,
                     const crypto::Ed25519KeyPair& signer) {
  HandshakePayload p;
  p.identity_key = crypto::encode_public_key(key.public_key());
  p.identity_sig = signer.sign(static_key_signature_message(signed_static));
  return encode_payload(p);
}

// Rogue responder: answers a real initiator's message 1 with `make_payload(its static key)`.
Result<void> rogue_responder(const std::function<Bytes(ByteView)>& make_payload) {
  auto i = alice();
  auto rogue = HandshakeState::create(Role::responder, {}, key32(50), key32(51)).value();
  Bytes payload, m2;
  EXPECT_TRUE(rogue.read_message(*next_message(i), payload));
  EXPECT_TRUE(rogue.write_message(make_payload(rogue.local_static()), m2));
  auto result = i.handle_input(m2, kNow);
  EXPECT_FALSE(i.is_done());
  return result;
}

TEST(Handshake, BadSignaturesAreRejected) {
  const auto other_static = crypto::x25519_public(key32(99)).value();
  // Signature over a different static key.
  EXPECT_EQ(rogue_responder([&](ByteView) {
              return signed_payload(bob_id(), other_static, bob_id());
            }).error(),
            Error::invalid_signature);
  // Signature by a different identity than the one presented.
  EXPECT_EQ(
      rogue_responder([&](ByteView s) { return signed_payload(bob_id(), s, identity(7)); }).error(),
      Error::invalid_signature);
  // A flipped signature bit.
  EXPECT_EQ(rogue_responder([&](ByteView s) {
              HandshakePayload p;
              p.identity_key = crypto::encode_public_key(bob_id().public_key());
              p.identity_sig = bob_id().sign(static_key_signature_message(s));
              p.identity_sig[5] ^= 1;
              return encode_payload(p);
            }).error(),
            Error::invalid_signature);
  // The honest version of the same rogue passes, so the failures above are the signature's.
  EXPECT_TRUE(rogue_responder([&](ByteView s) { return signed_payload(bob_id(), s, bob_id()); }));
}

TEST(Handshake, MalformedPayloadsAreRejected) {
  EXPECT_FALSE(rogue_responder([](ByteView) { return Bytes{}; }));
  EXPECT_FALSE(rogue_responder([](ByteView) { return to_bytes("\xff\xff\xff"); }));
  EXPECT_FALSE(rogue_responder([&](ByteView s) {
    HandshakePayload p;
    p.identity_key = to_bytes("not a public key");
    p.identity_sig = bob_id().sign(static_key_signature_message(s));
    return encode_payload(p);
  }));
}

TEST(Handshake, RogueInitiatorIsRejectedByTheResponder) {
  auto r = bob();
  auto rogue = HandshakeState::create(Role::initiator, {}, key32(60), key32(61)).value();
  Bytes m1, m3, payload;
  ASSERT_TRUE(rogue.write_message({}, m1));
  ASSERT_TRUE(r.handle_input(m1, kNow));
  ASSERT_TRUE(rogue.read_message(*next_message(r), payload));
  const auto other_static = crypto::x25519_public(key32(99)).value();
  ASSERT_TRUE(rogue.write_message(signed_payload(alice_id(), other_static, alice_id()), m3));
  EXPECT_EQ(r.handle_input(m3, kNow).error(), Error::invalid_signature);
  EXPECT_FALSE(r.is_done());
}

TEST(Handshake, NonEmptyMessageOnePayloadIsIgnored) {
  auto r = bob();
  auto init = HandshakeState::create(Role::initiator, {}, key32(1), key32(2)).value();
  Bytes m1;
  ASSERT_TRUE(init.write_message(to_bytes("early"), m1));
  EXPECT_TRUE(r.handle_input(m1, kNow));
  EXPECT_TRUE(next_message(r));
}

TEST(Handshake, ATamperedByteAnywhereInAnyMessageFailsTheHandshake) {
  const auto clean = transcript();
  for (int target = 0; target < 3; ++target) {
    for (std::size_t pos = 0; pos < clean[target].size(); ++pos) {
      auto i = alice();
      auto r = bob();
      auto result = run(i, r, [&](int index, Bytes& m) {
        if (index == target) m[pos] ^= 0x01;
      });
      ASSERT_FALSE(result) << "message " << target << " byte " << pos;
      EXPECT_FALSE(i.is_done() && r.is_done());
    }
  }
}

TEST(Handshake, EveryTruncatedMessageFails) {
  const auto clean = transcript();
  for (int target = 0; target < 3; ++target) {
    for (std::size_t len = 0; len < clean[target].size(); ++len) {
      auto i = alice();
      auto r = bob();
      auto result = run(i, r, [&](int index, Bytes& m) {
        if (index == target) m.resize(len);
      });
      ASSERT_FALSE(result) << "message " << target << " length " << len;
    }
  }
}

TEST(Handshake, OversizedAndOutOfTurnMessagesFail) {
  auto r = bob();
  EXPECT_EQ(r.handle_input(Bytes(kMaxMessageSize + 1), kNow).error(), Error::too_large);
  EXPECT_EQ(r.handle_input(Bytes(kDhSize), kNow).error(), Error::too_large);  // errors are sticky
  EXPECT_FALSE(next_message(r));

  auto i = alice();
  EXPECT_EQ(i.handle_input(Bytes(kDhSize), kNow).error(), Error::invalid_state);  // we speak first
}

TEST(Handshake, ReplayedMessagesFail) {
  auto i = alice();
  auto r = bob();
  const Bytes m1 = *next_message(i);
  ASSERT_TRUE(r.handle_input(m1, kNow));
  const Bytes m2 = *next_message(r);
  ASSERT_TRUE(i.handle_input(m2, kNow));
  EXPECT_EQ(i.handle_input(m2, kNow).error(), Error::invalid_state);

  // Message 3 of one session does not complete another with the same responder keys.
  const auto old = transcript();
  auto i2 = alice();
  auto r2 = Handshake(Role::responder, bob_id(), key32(3), key32(5), std::nullopt);
  ASSERT_TRUE(r2.handle_input(*next_message(i2), kNow));
  ASSERT_TRUE(next_message(r2));
  EXPECT_EQ(r2.handle_input(old[2], kNow).error(), Error::decrypt_failed);
}

TEST(Handshake, LowOrderEphemeralInMessageOneFailsInReceive) {
  auto r = bob();
  EXPECT_EQ(r.handle_input(Bytes(kDhSize, 0), kNow).error(), Error::invalid_key);
  EXPECT_FALSE(next_message(r));
}

TEST(Handshake, NotDoneUntilTheLastMessageIsTaken) {
  auto i = alice();
  auto r = bob();
  ASSERT_TRUE(r.handle_input(*next_message(i), kNow));
  ASSERT_TRUE(i.handle_input(*next_message(r), kNow));
  EXPECT_FALSE(i.is_done());  // message 3 is written but not yet taken
  const auto m3 = next_message(i);
  ASSERT_TRUE(m3);
  EXPECT_TRUE(i.is_done());
  EXPECT_FALSE(r.is_done());
  ASSERT_TRUE(r.handle_input(*m3, kNow));
  EXPECT_TRUE(r.is_done());
}

TEST(Handshake, FinishBeforeDoneIsInvalidState) {
  auto i = alice();
  EXPECT_FALSE(i.is_done());
  EXPECT_EQ(std::move(i).finish().error(), Error::invalid_state);
}

TEST(Handshake, ViolatedConstructorRequirementsSurfaceAsErrors) {
  Handshake bad_key(Role::initiator, alice_id(), SecretBytes(31), key32(2), std::nullopt);
  EXPECT_EQ(bad_key.error(), Error::invalid_key);
  EXPECT_FALSE(next_message(bad_key));
  EXPECT_EQ(bad_key.handle_input(Bytes(32), kNow).error(), Error::invalid_key);

  Extensions too_many;
  too_many.stream_muxers.assign(kMaxStreamMuxers + 1, "/m");
  Handshake bad_ext(Role::responder, bob_id(), key32(3), key32(4), std::nullopt, too_many);
  EXPECT_EQ(bad_ext.error(), Error::limit_exceeded);
}

}  // namespace
}  // namespace ipfsa::proto::noise
