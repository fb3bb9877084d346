// Noise_XX_25519_ChaChaPoly_SHA256 against the cacophony and snow test vectors (the Noise test
// vector format, https://github.com/noiseprotocol/noise_wiki/wiki/Test-vectors), plus the
// symmetric-state and cipher-state rules of Noise spec rev 34 section 5.
#include "proto/noise/handshake_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/sha256.hpp"
#include "proto/noise/test_keys.hpp"

namespace ipfsa::proto::noise {
namespace {

using testing::key32;
using testing::unhex;

struct Message {
  const char* payload;
  const char* ciphertext;
};
struct Vector {
  const char* name;
  const char* prologue;
  const char* init_static;
  const char* init_ephemeral;
  const char* resp_static;
  const char* resp_ephemeral;
  const char* handshake_hash;  // empty when the vector has none
  std::vector<Message> messages;
};

// cacophony.txt (haskell-cryptography/cacophony, vendored in mcginty/snow tests/vectors), the entry
// "Noise_XX_25519_ChaChaPoly_SHA256"; and snow.txt's entry of the same name.
const std::vector<Vector>& vectors() {
  static const std::vector<Vector> v = {
      {"cacophony",
       "4a6f686e2047616c74",
       "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
       "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
       "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
       "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
       "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
       {
           {"4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e20"
            "4d69736573"},
           {"4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378f"
            "fce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe"
            "09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
           {"462e20412e20486179656b",
            "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89"
            "be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
           {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
           {"4a65616e2d426170746973746520536179",
            "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
           {"457567656e2042f6686d20766f6e2042617765726b",
            "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
       }},
      {"snow",
       "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e"
       "20616e6420626f72696e672e",
       "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee",
       "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
       "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881",
       "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
       "",
       {
           {"d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
            "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c"
            "9e810d776b46a84912463fafa87b884eebf242dc34"},
           {"d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
            "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c2439"
            "1eefee725c17d8cb0fbe3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a"
            "63c02b0fab9e930612336bd43eaea04d3c670a0a146691aa9cc9d357872320dc735dbc48580cffb553db"},
           {"77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
            "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fd"
            "c2b74c331e2368a545cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73"
            "a67fbd5a63e8bfca96d0"},
           {"d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
            "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f879"
            "685f6ed25f"},
           {"dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
            "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc8"
            "048ab4ad66"},
       }},
  };
  return v;
}

class VectorTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(VectorTest, EveryMessageAndTheHandshakeHashMatch) {
  const Vector& v = vectors()[GetParam()];
  SCOPED_TRACE(v.name);
  const Bytes prologue = unhex(v.prologue);
  auto init = HandshakeState::create(Role::initiator, prologue, SecretBytes(unhex(v.init_static)),
                                     SecretBytes(unhex(v.init_ephemeral)));
  auto resp = HandshakeState::create(Role::responder, prologue, SecretBytes(unhex(v.resp_static)),
                                     SecretBytes(unhex(v.resp_ephemeral)));
  ASSERT_TRUE(init && resp);
  ASSERT_GT(v.messages.size(), std::size_t{kXXMessageCount});

  // Handshake messages alternate initiator, responder, initiator.
  for (int i = 0; i < kXXMessageCount; ++i) {
    HandshakeState& sender = i % 2 == 0 ? *init : *resp;
    HandshakeState& receiver = i % 2 == 0 ? *resp : *init;
    const Bytes payload = unhex(v.messages[i].payload);
    Bytes message;
    ASSERT_TRUE(sender.write_message(payload, message)) << i;
    EXPECT_EQ(hex_encode(message), v.messages[i].ciphertext) << "handshake message " << i;
    Bytes received;
    ASSERT_TRUE(receiver.read_message(message, received)) << i;
    EXPECT_EQ(received, payload) << i;
  }
  ASSERT_TRUE(init->is_done() && resp->is_done());
  EXPECT_EQ(init->handshake_hash(), resp->handshake_hash());
  if (*v.handshake_hash) {
    EXPECT_EQ(hex_encode(init->handshake_hash()), v.handshake_hash);
  }
  EXPECT_EQ(init->remote_static(), resp->local_static());
  EXPECT_EQ(resp->remote_static(), init->local_static());

  // Transport messages continue the alternation; Split()'s c1 carries initiator -> responder.
  auto init_ciphers = init->split();
  auto resp_ciphers = resp->split();
  ASSERT_TRUE(init_ciphers && resp_ciphers);
  for (std::size_t i = kXXMessageCount; i < v.messages.size(); ++i) {
    const bool from_initiator = i % 2 == 0;
    CipherState& send = from_initiator ? init_ciphers->first : resp_ciphers->second;
    CipherState& recv = from_initiator ? resp_ciphers->first : init_ciphers->second;
    const Bytes payload = unhex(v.messages[i].payload);
    Bytes ciphertext;
    ASSERT_TRUE(send.encrypt_with_ad({}, payload, ciphertext));
    EXPECT_EQ(hex_encode(ciphertext), v.messages[i].ciphertext) << "transport message " << i;
    Bytes plain;
    ASSERT_TRUE(recv.decrypt_with_ad({}, ciphertext, plain));
    EXPECT_EQ(plain, payload);
  }
}

INSTANTIATE_TEST_SUITE_P(NoiseVectors, VectorTest, ::testing::Values(0, 1));

TEST(SymmetricState, ProtocolNameOfExactlyHashLenIsUsedVerbatim) {
  // Section 5.2: a name of <= HASHLEN bytes is zero-padded, not hashed. Ours is exactly 32 bytes.
  ASSERT_EQ(kProtocolName.size(), kHashSize);
  SymmetricState ss(kProtocolName);
  EXPECT_EQ(to_string(ss.handshake_hash()), std::string(kProtocolName));
  EXPECT_FALSE(ss.has_key());
}

TEST(SymmetricState, ShortNamesArePaddedAndLongNamesHashed) {
  SymmetricState short_name("Noise_NN");
  std::string padded = "Noise_NN";
  padded.resize(kHashSize, '\0');
  EXPECT_EQ(to_string(short_name.handshake_hash()), padded);

  const std::string long_name = "Noise_XXpsk3_25519_ChaChaPoly_SHA256";
  SymmetricState hashed(long_name);
  EXPECT_EQ(hashed.handshake_hash(), crypto::sha256(as_bytes(long_name)));
}

TEST(SymmetricState, MixHashIsHashOfHConcatenatedWithData) {
  SymmetricState ss(kProtocolName);
  const Bytes data = to_bytes("prologue");
  Bytes expected_input = to_bytes(kProtocolName);
  append(expected_input, data);
  ss.mix_hash(data);
  EXPECT_EQ(ss.handshake_hash(), crypto::sha256(expected_input));
}

TEST(SymmetricState, EncryptAndHashPassesThroughBeforeTheFirstMixKey) {
  SymmetricState ss(kProtocolName);
  Bytes out;
  ASSERT_TRUE(ss.encrypt_and_hash(to_bytes("plain"), out));
  EXPECT_EQ(to_string(out), "plain");
  ss.mix_key(to_bytes("ikm"));
  ASSERT_TRUE(ss.has_key());
  Bytes sealed;
  ASSERT_TRUE(ss.encrypt_and_hash(to_bytes("plain"), sealed));
  EXPECT_EQ(sealed.size(), 5 + kTagSize);
}

TEST(CipherState, NonceExhaustionIsAnErrorAndNeverReusesANonce) {
  const SecretBytes key = key32(1);
  CipherState send(key.view());
  CipherState recv(key.view());
  send.set_nonce(kReservedNonce - 1);
  recv.set_nonce(kReservedNonce - 1);
  Bytes last;
  ASSERT_TRUE(send.encrypt_with_ad({}, to_bytes("last"), last));  // n = 2^64-2 is the last one
  EXPECT_TRUE(send.exhausted());
  Bytes more;
  EXPECT_EQ(send.encrypt_with_ad({}, to_bytes("more"), more).error(), Error::limit_exceeded);
  EXPECT_TRUE(more.empty());
  Bytes plain;
  ASSERT_TRUE(recv.decrypt_with_ad({}, last, plain));
  EXPECT_EQ(to_string(plain), "last");
  EXPECT_EQ(recv.decrypt_with_ad({}, last, plain).error(), Error::limit_exceeded);
}

TEST(CipherState, FailedDecryptDoesNotAdvanceTheNonce) {
  const SecretBytes key = key32(2);
  CipherState send(key.view());
  CipherState recv(key.view());
  Bytes first, second;
  ASSERT_TRUE(send.encrypt_with_ad({}, to_bytes("first"), first));
  ASSERT_TRUE(send.encrypt_with_ad({}, to_bytes("second"), second));
  Bytes plain;
  EXPECT_EQ(recv.decrypt_with_ad({}, second, plain).error(), Error::decrypt_failed);  // reordered
  EXPECT_EQ(recv.decrypt_with_ad({}, Bytes(kTagSize - 1), plain).error(), Error::decrypt_failed);
  EXPECT_TRUE(plain.empty());
  EXPECT_EQ(recv.nonce(), 0u);
  ASSERT_TRUE(recv.decrypt_with_ad({}, first, plain));
  ASSERT_TRUE(recv.decrypt_with_ad({}, second, plain));
  EXPECT_EQ(to_string(plain), "firstsecond");
  EXPECT_EQ(recv.decrypt_with_ad({}, second, plain).error(), Error::decrypt_failed);  // replay
}

TEST(CipherState, NonceIsFourZeroBytesThenLittleEndianCounter) {
  // The same key at nonce 1 must differ from nonce 2^32 (which a big-endian or 32-bit counter
  // would confuse) and must not open a nonce-0 ciphertext.
  const SecretBytes key = key32(3);
  CipherState a(key.view()), b(key.view()), c(key.view());
  a.set_nonce(1);
  b.set_nonce(std::uint64_t{1} << 32);
  Bytes ca, cb, cc;
  ASSERT_TRUE(a.encrypt_with_ad({}, to_bytes("x"), ca));
  ASSERT_TRUE(b.encrypt_with_ad({}, to_bytes("x"), cb));
  ASSERT_TRUE(c.encrypt_with_ad({}, to_bytes("x"), cc));
  EXPECT_NE(ca, cb);
  EXPECT_NE(ca, cc);
}

// --- HandshakeState rules -------------------------------------------------------------------

struct Pair {
  HandshakeState init;
  HandshakeState resp;
};
Pair make_pair() {
  return {HandshakeState::create(Role::initiator, {}, key32(10), key32(11)).value(),
          HandshakeState::create(Role::responder, {}, key32(12), key32(13)).value()};
}

TEST(HandshakeState, RejectsKeysThatAreNot32Bytes) {
  EXPECT_EQ(HandshakeState::create(Role::initiator, {}, SecretBytes(31), key32(1)).error(),
            Error::invalid_key);
  EXPECT_EQ(HandshakeState::create(Role::initiator, {}, key32(1), SecretBytes(33)).error(),
            Error::invalid_key);
}

TEST(HandshakeState, TurnsAreEnforced) {
  auto [init, resp] = make_pair();
  Bytes out;
  EXPECT_TRUE(init.is_my_turn());
  EXPECT_FALSE(resp.is_my_turn());
  EXPECT_EQ(resp.write_message({}, out).error(), Error::invalid_state);
  EXPECT_EQ(init.read_message(Bytes(32), out).error(), Error::invalid_state);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(init.write_message({}, out));
  EXPECT_EQ(out.size(), kMinMessageSize[0]);
  EXPECT_EQ(init.write_message({}, out).error(), Error::invalid_state);
  EXPECT_EQ(init.split().error(), Error::invalid_state);
}

TEST(HandshakeState, MessageSizesAndTheMaximumPayload) {
  auto [init, resp] = make_pair();
  Bytes m1, m2, m3, payload;
  ASSERT_TRUE(init.write_message({}, m1));
  ASSERT_TRUE(resp.read_message(m1, payload));
  // The largest payload that keeps message 2 within 65535 bytes fits; one more byte does not.
  const Bytes too_big(kMaxMessageSize - kMinMessageSize[1] + 1, 0xab);
  EXPECT_EQ(resp.write_message(too_big, m2).error(), Error::too_large);
  EXPECT_TRUE(m2.empty());
  EXPECT_FALSE(resp.has_failed());
  const Bytes biggest(kMaxMessageSize - kMinMessageSize[1], 0xab);
  ASSERT_TRUE(resp.write_message(biggest, m2));
  EXPECT_EQ(m2.size(), kMaxMessageSize);
  ASSERT_TRUE(init.read_message(m2, payload));
  EXPECT_EQ(payload, biggest);
  ASSERT_TRUE(init.write_message({}, m3));
  EXPECT_EQ(m3.size(), kMinMessageSize[2]);
  payload.clear();
  ASSERT_TRUE(resp.read_message(m3, payload));
  EXPECT_TRUE(payload.empty());
  EXPECT_TRUE(init.is_done() && resp.is_done());
  EXPECT_FALSE(init.is_my_turn() || resp.is_my_turn());
}

TEST(HandshakeState, OversizedMessagesAreRejectedBeforeDecrypting) {
  auto [init, resp] = make_pair();
  Bytes payload;
  EXPECT_EQ(resp.read_message(Bytes(kMaxMessageSize + 1), payload).error(), Error::too_large);
  EXPECT_TRUE(resp.has_failed());
}

TEST(HandshakeState, EveryTruncationOfEveryMessageFailsCleanly) {
  for (int target = 0; target < kXXMessageCount; ++target) {
    Bytes messages[kXXMessageCount];
    {
      auto [init, resp] = make_pair();
      Bytes payload;
      for (int i = 0; i < kXXMessageCount; ++i) {
        HandshakeState& w = i % 2 == 0 ? init : resp;
        HandshakeState& r = i % 2 == 0 ? resp : init;
        ASSERT_TRUE(w.write_message(to_bytes("payload"), messages[i]));
        ASSERT_TRUE(r.read_message(messages[i], payload));
      }
    }
    for (std::size_t len = 0; len < messages[target].size(); ++len) {
      auto [init, resp] = make_pair();
      Bytes scratch, payload;
      for (int i = 0; i < target; ++i) {  // replay the untouched prefix of the conversation
        HandshakeState& w = i % 2 == 0 ? init : resp;
        HandshakeState& r = i % 2 == 0 ? resp : init;
        scratch.clear();
        ASSERT_TRUE(w.write_message(to_bytes("payload"), scratch));
        ASSERT_TRUE(r.read_message(scratch, payload));
      }
      HandshakeState& r = target % 2 == 0 ? resp : init;
      payload.clear();
      auto result = r.read_message(ByteView(messages[target]).first(len), payload);
      if (target == 0 && len >= kDhSize) {
        // Message 1 is unauthenticated: a shorter payload is still a valid message.
        EXPECT_TRUE(result);
        continue;
      }
      ASSERT_FALSE(result) << "message " << target << " length " << len;
      EXPECT_TRUE(payload.empty());
      EXPECT_TRUE(r.has_failed());
      EXPECT_FALSE(r.remote_static().has_value());
      EXPECT_EQ(r.read_message(messages[target], payload).error(), Error::invalid_state);
    }
  }
}

TEST(HandshakeState, PrologueMismatchFailsAtMessageTwo) {
  auto init = HandshakeState::create(Role::initiator, to_bytes("a"), key32(1), key32(2)).value();
  auto resp = HandshakeState::create(Role::responder, to_bytes("b"), key32(3), key32(4)).value();
  Bytes m1, m2, payload;
  ASSERT_TRUE(init.write_message({}, m1));
  ASSERT_TRUE(resp.read_message(m1, payload));
  ASSERT_TRUE(resp.write_message({}, m2));
  EXPECT_EQ(init.read_message(m2, payload).error(), Error::decrypt_failed);
}

TEST(HandshakeState, LowOrderEphemeralIsRejected) {
  auto [init, resp] = make_pair();
  Bytes m1, m2, payload;
  ASSERT_TRUE(init.write_message({}, m1));
  ASSERT_TRUE(resp.read_message(m1, payload));
  ASSERT_TRUE(resp.write_message({}, m2));
  std::fill(m2.begin(), m2.begin() + kDhSize, 0);  // the all-zero point: DH output is zero
  EXPECT_EQ(init.read_message(m2, payload).error(), Error::invalid_key);
}

}  // namespace
}  // namespace ipfsa::proto::noise
