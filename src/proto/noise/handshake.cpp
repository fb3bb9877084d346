#include "proto/noise/handshake.hpp"

#include <utility>

namespace ipfsa::proto::noise {

namespace {

bool within_limits(const Extensions& ext) {
  if (ext.stream_muxers.size() > kMaxStreamMuxers) return false;
  for (const auto& muxer : ext.stream_muxers) {
    if (muxer.size() > kMaxStreamMuxerSize) return false;
  }
  return true;
}

}  // namespace

Handshake::Handshake(Role role, const crypto::Ed25519KeyPair& identity, SecretBytes static_private,
                     SecretBytes ephemeral_private, std::optional<wire::PeerId> expected_remote,
                     Extensions ours)
    : role_(role), expected_remote_(std::move(expected_remote)) {
  if (!within_limits(ours)) {
    error_ = Error::limit_exceeded;
    return;
  }
  // libp2p noise: the prologue is empty.
  auto state =
      HandshakeState::create(role, {}, std::move(static_private), std::move(ephemeral_private));
  if (!state) {
    error_ = state.error();
    return;
  }
  state_.emplace(std::move(*state));
  // The payload is the same whichever message carries it, so sign once, up front.
  HandshakePayload payload;
  payload.identity_key = crypto::encode_public_key(identity.public_key());
  payload.identity_sig = identity.sign(static_key_signature_message(state_->local_static()));
  payload.extensions = std::move(ours);
  our_payload_ = encode_payload(payload);
}

Result<void> Handshake::fail(boost::system::error_code ec) {
  if (!error_) error_ = ec;
  return error_;
}

std::optional<Transmit> Handshake::poll_transmit(Bytes& out) {
  auto message = take_message();
  if (!message) return std::nullopt;
  append(out, *message);
  return Transmit{message->size()};
}

std::optional<Bytes> Handshake::take_message() {
  if (error_ || !state_) return std::nullopt;
  if (outgoing_) {
    std::optional<Bytes> message = std::move(outgoing_);
    outgoing_.reset();
    return message;
  }
  if (!state_->is_my_turn()) return std::nullopt;
  if (auto ok = write_next(); !ok) return std::nullopt;
  return std::exchange(outgoing_, std::nullopt);
}

Result<void> Handshake::write_next() {
  // libp2p noise: message 1 carries an empty payload (nothing there is secret yet); ours rides
  // in the first message that encrypts it (2 for the responder, 3 for the initiator).
  const ByteView payload = state_->message_index() == 0 ? ByteView{} : ByteView(our_payload_);
  Bytes message;
  if (auto ok = state_->write_message(payload, message); !ok) return fail(ok.error());
  outgoing_ = std::move(message);
  return {};
}

Result<void> Handshake::handle_input(ByteView message, TimePoint) {
  if (error_) return error_;
  if (!state_) return fail(Error::invalid_state);
  const int index = state_->message_index();
  Bytes payload;
  if (auto ok = state_->read_message(message, payload); !ok) return fail(ok.error());
  // Message 1 has no identity; any payload the initiator put there is unauthenticated and ignored.
  if (index != 0) {
    if (auto ok = verify_remote(payload); !ok) return ok;
  }
  // Write our reply now, so that what it can reject (a low-order ephemeral key in message 1)
  // is reported here rather than as a silent nullopt from poll_transmit().
  if (state_->is_my_turn()) return write_next();
  return {};
}

// libp2p noise "The libp2p Handshake Payload": decode the identity key, check identity_sig over
// the static key the Noise handshake just authenticated, then derive the peer ID and compare it
// with the one we dialled ("SecureOutbound").
Result<void> Handshake::verify_remote(ByteView payload) {
  auto decoded = decode_payload(payload);
  if (!decoded) return fail(decoded.error());
  auto key = crypto::decode_public_key(decoded->identity_key);
  if (!key) return fail(key.error());
  const auto& remote_static = state_->remote_static();
  if (!remote_static) return fail(Error::invalid_state);
  if (auto ok =
          crypto::verify(*key, static_key_signature_message(*remote_static), decoded->identity_sig);
      !ok) {
    return fail(ok.error());
  }
  auto peer = wire::PeerId::from_public_key(*key);
  if (expected_remote_ && *expected_remote_ != peer) return fail(Error::peer_id_mismatch);
  event_ = Authenticated{peer};
  remote_peer_ = std::move(peer);
  remote_key_ = std::move(*key);
  remote_extensions_ = std::move(decoded->extensions);
  return {};
}

bool Handshake::is_done() const noexcept {
  return !error_ && state_ && state_->is_done() && remote_peer_.has_value() && !outgoing_;
}

const HandshakeHash& Handshake::handshake_hash() const {
  static const HandshakeHash kNone{};
  return state_ ? state_->handshake_hash() : kNone;
}

Result<HandshakeResult> Handshake::finish() && {
  if (error_) return error_;
  if (!is_done()) return Error::invalid_state;
  auto ciphers = state_->split();
  if (!ciphers) return ciphers.error();
  auto& [initiator_to_responder, responder_to_initiator] = *ciphers;
  // Noise section 5.2 Split(): c1 encrypts what the initiator sends.
  SecureChannel channel =
      role_ == Role::initiator
          ? SecureChannel(std::move(initiator_to_responder), std::move(responder_to_initiator))
          : SecureChannel(std::move(responder_to_initiator), std::move(initiator_to_responder));
  return HandshakeResult{std::move(channel), std::move(*remote_peer_), std::move(*remote_key_),
                         std::move(remote_extensions_)};
}

}  // namespace ipfsa::proto::noise
