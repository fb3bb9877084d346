#include "proto/noise/handshake_state.hpp"

#include <algorithm>

namespace ipfsa::proto::noise {

Result<HandshakeState> HandshakeState::create(Role role, ByteView prologue,
                                              SecretBytes static_private,
                                              SecretBytes ephemeral_private) {
  if (static_private.size() != kDhSize || ephemeral_private.size() != kDhSize) {
    return Error::invalid_key;
  }
  auto s_pub = crypto::x25519_public(static_private);
  if (!s_pub) return s_pub.error();
  auto e_pub = crypto::x25519_public(ephemeral_private);
  if (!e_pub) return e_pub.error();
  HandshakeState hs(role, std::move(static_private), *s_pub, std::move(ephemeral_private), *e_pub);
  // Section 5.3 Initialize(): MixHash(prologue); XX has no pre-message keys to hash.
  hs.ss_.mix_hash(prologue);
  return hs;
}

HandshakeState::HandshakeState(Role role, SecretBytes s, crypto::X25519Public s_pub, SecretBytes e,
                               crypto::X25519Public e_pub)
    : role_(role), s_(std::move(s)), s_pub_(s_pub), e_(std::move(e)), e_pub_(e_pub) {}

bool HandshakeState::is_my_turn() const noexcept {
  if (failed_ || step_ >= kXXMessageCount) return false;
  // Messages alternate, starting with the initiator (section 7.1).
  return (step_ % 2 == 0) == (role_ == Role::initiator);
}

Result<void> HandshakeState::write_message(ByteView payload, Bytes& out) {
  if (!is_my_turn()) return Error::invalid_state;
  // Section 3: a Noise message is at most 65535 bytes; the size is known before encrypting.
  if (payload.size() > kMaxMessageSize - kMinMessageSize[step_]) return Error::too_large;
  const std::size_t start = out.size();
  out.reserve(start + kMinMessageSize[step_] + payload.size());
  if (auto ok = write_steps(payload, out); !ok) {
    out.resize(start);
    failed_ = true;
    return ok.error();
  }
  ++step_;
  return {};
}

Result<void> HandshakeState::read_message(ByteView message, Bytes& payload_out) {
  if (failed_ || step_ >= kXXMessageCount || is_my_turn()) return Error::invalid_state;
  // Bound the size before touching any state (section 3: at most 65535 bytes).
  Result<void> result;
  if (message.size() > kMaxMessageSize) {
    result = Error::too_large;
  } else if (message.size() < kMinMessageSize[step_]) {
    result = Error::truncated;
  } else {
    const std::size_t start = payload_out.size();
    result = read_steps(message, payload_out);
    if (!result) payload_out.resize(start);
  }
  if (!result) {
    failed_ = true;
    rs_.reset();
    return result;
  }
  ++step_;
  return {};
}

Result<void> HandshakeState::mix_dh(const SecretBytes& ours, const crypto::X25519Public& theirs) {
  auto shared = crypto::x25519(ours, theirs);
  if (!shared) return shared.error();
  ss_.mix_key(shared->view());
  return {};
}

// Reads an "e" (plain) or "s" (EncryptAndHash'ed once a key exists) token from the front of
// `message` (section 5.3 ReadMessage). The caller has checked the minimum size already.
Result<void> HandshakeState::read_public(ByteView& message, bool encrypted,
                                         crypto::X25519Public& key) {
  if (!encrypted) {
    std::copy_n(message.begin(), kDhSize, key.begin());
    ss_.mix_hash(message.first(kDhSize));
    message = message.subspan(kDhSize);
    return {};
  }
  const std::size_t size = kDhSize + kTagSize;  // XX only sends s after ee: always keyed
  Bytes plain;
  if (auto ok = ss_.decrypt_and_hash(message.first(size), plain); !ok) return ok.error();
  std::copy_n(plain.begin(), kDhSize, key.begin());
  message = message.subspan(size);
  return {};
}

Result<void> HandshakeState::write_steps(ByteView payload, Bytes& out) {
  switch (step_) {
    case 0:  // -> e
      append(out, e_pub_);
      ss_.mix_hash(e_pub_);
      break;
    case 1: {  // <- e, ee, s, es   (we are the responder: es = DH(s, re))
      append(out, e_pub_);
      ss_.mix_hash(e_pub_);
      if (auto ok = mix_dh(e_, *re_); !ok) return ok;
      if (auto ok = ss_.encrypt_and_hash(s_pub_, out); !ok) return ok;
      if (auto ok = mix_dh(s_, *re_); !ok) return ok;
      break;
    }
    case 2: {  // -> s, se   (we are the initiator: se = DH(s, re))
      if (auto ok = ss_.encrypt_and_hash(s_pub_, out); !ok) return ok;
      if (auto ok = mix_dh(s_, *re_); !ok) return ok;
      break;
    }
    default:
      return Error::invalid_state;
  }
  return ss_.encrypt_and_hash(payload, out);
}

Result<void> HandshakeState::read_steps(ByteView message, Bytes& payload_out) {
  switch (step_) {
    case 0: {  // -> e   (we are the responder)
      crypto::X25519Public re{};
      if (auto ok = read_public(message, false, re); !ok) return ok;
      re_ = re;
      break;
    }
    case 1: {  // <- e, ee, s, es   (we are the initiator: es = DH(e, rs))
      crypto::X25519Public re{};
      if (auto ok = read_public(message, false, re); !ok) return ok;
      re_ = re;
      if (auto ok = mix_dh(e_, re); !ok) return ok;
      crypto::X25519Public rs{};
      if (auto ok = read_public(message, true, rs); !ok) return ok;
      if (auto ok = mix_dh(e_, rs); !ok) return ok;
      rs_ = rs;
      break;
    }
    case 2: {  // -> s, se   (we are the responder: se = DH(e, rs))
      crypto::X25519Public rs{};
      if (auto ok = read_public(message, true, rs); !ok) return ok;
      if (auto ok = mix_dh(e_, rs); !ok) return ok;
      rs_ = rs;
      break;
    }
    default:
      return Error::invalid_state;
  }
  return ss_.decrypt_and_hash(message, payload_out);
}

Result<std::pair<CipherState, CipherState>> HandshakeState::split() const {
  if (!is_done()) return Error::invalid_state;
  return ss_.split();
}

}  // namespace ipfsa::proto::noise
