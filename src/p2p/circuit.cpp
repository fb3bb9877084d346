// The relayed transport of the Host (circuit relay v2, docs/wire/relay.md): a connection whose
// pipe is a stream of our connection to a relay, which splices it to the peer.
//   dialer:   /libp2p/circuit/relay/0.2.0/hop on the relay: CONNECT {peer} -> STATUS OK, then
//             the stream is upgraded (pnet, Noise, Yamux) as an outbound connection to the peer.
//   listener: /libp2p/circuit/relay/0.2.0/stop from the relay: CONNECT {peer} -> STATUS OK, then
//             the stream is upgraded as an inbound connection; Noise must prove that peer.
// The relay's side (reservations, hop CONNECT, splicing with limits) is p2p/relay.cpp.
#include "base/log.hpp"
#include "io/deadline.hpp"
#include "p2p/host.hpp"
#include "proto/relay/relay.hpp"

namespace ipfsa::p2p {

namespace relay = proto::relay;

namespace {

// What a relay's refusal means to the caller: a full relay is busy (ask another), anything else
// is a refusal.
boost::system::error_code refusal(relay::Status status) {
  return status == relay::Status::resource_limit_exceeded ||
                 status == relay::Status::reservation_refused
             ? make_error_code(Error::peer_busy)
             : make_error_code(Error::refused);
}

}  // namespace

io::Task<Result<std::shared_ptr<Connection>>> Host::dial_relayed(const wire::Multiaddr& addr) {
  const auto circuit = addr.circuit();
  if (!circuit || !circuit->target) {
    log::debug("cannot dial {}: a relayed address must name the relay and the target",
               addr.to_string());
    co_return make_error_code(Error::unsupported);
  }
  const wire::PeerId target = *circuit->target;
  const auto relay_peer = circuit->relay.peer_id();
  if (!relay_peer || *relay_peer == target || *relay_peer == peer_id_) {
    co_return make_error_code(Error::invalid_state);
  }
  if (connections_.size() >= config_.max_connections) {
    co_return make_error_code(Error::limit_exceeded);
  }
  auto relay_connection = co_await dial(circuit->relay);
  if (!relay_connection) co_return relay_connection.error();
  if ((*relay_connection)->relayed()) {
    co_return make_error_code(Error::unsupported);  // the spec's relays do not chain
  }
  std::vector<std::string> hop{std::string(relay::kHopProtocolId)};
  auto stream = co_await new_stream(**relay_connection, std::move(hop));
  if (!stream) co_return stream.error();
  auto exchange = [&]() -> io::Task<Result<relay::HopMessage>> {
    relay::HopMessage connect{.type = relay::HopMessage::Type::connect,
                              .peer = relay::Peer{target, {}}};
    if (auto w = co_await stream->write(relay::frame_hop(connect)); !w) co_return w.error();
    auto body = co_await stream->read_length_prefixed(relay::kMaxMessageSize);
    if (!body) co_return body.error();
    co_return relay::decode_hop(*body);
  };
  auto answer = co_await io::with_timeout(exchange(), config_.hop_timeout);
  if (!answer || !*answer) {
    stream->reset();
    const auto ec = answer ? answer->error() : make_error_code(Error::timeout);
    log::info("relay {} did not connect us to {}: {}", relay_peer->to_string(), target.to_string(),
              ec.message());
    co_return ec;
  }
  const auto& reply = **answer;
  if (reply.type != relay::HopMessage::Type::status || reply.status != relay::Status::ok) {
    stream->reset();
    const auto status = reply.status.value_or(relay::Status::unexpected_message);
    log::info("relay {} refused to connect us to {}: {}", relay_peer->to_string(),
              target.to_string(), relay::to_string(status));
    co_return refusal(status);
  }
  std::string why;
  auto upgraded = co_await upgrade_outbound(Pipe(std::move(*stream)), upgrade_config(), target, &why);
  if (!upgraded) {
    log::info("relayed dial {} failed during upgrade: {}", addr.to_string(),
              why.empty() ? upgraded.error().message() : why);
    co_return upgraded.error();
  }
  co_return adopt(std::move(*upgraded), Direction::outbound, addr);
}

io::Task<void> Host::serve_stop(Stream stream) {
  const wire::PeerId relay_peer = stream.remote_peer();
  if (stream.connection().relayed()) {  // a circuit through a circuit: the spec has none
    stream.reset();
    co_return;
  }
  auto reply = [&](relay::Status status) -> io::Task<Result<void>> {
    relay::StopMessage m{.type = relay::StopMessage::Type::status, .status = status};
    co_return co_await stream.write(relay::frame_stop(m));
  };
  auto body = co_await io::with_timeout(stream.read_length_prefixed(relay::kMaxMessageSize),
                                        config_.hop_timeout);
  if (!body || !*body) {
    stream.reset();
    co_return;
  }
  auto request = relay::decode_stop(**body);
  if (!request || request->type != relay::StopMessage::Type::connect || !request->peer) {
    log::info("relay {} sent a stop message we cannot use: {}", relay_peer.to_string(),
              request ? "not a CONNECT with a peer" : request.error().message());
    (void)co_await reply(request ? relay::Status::unexpected_message
                                 : relay::Status::malformed_message);
    stream.reset();
    co_return;
  }
  const wire::PeerId initiator = request->peer->id;
  if (initiator == peer_id_ || connections_.size() >= config_.max_connections) {
    (void)co_await reply(relay::Status::resource_limit_exceeded);
    stream.reset();
    co_return;
  }
  if (auto w = co_await reply(relay::Status::ok); !w) co_return;
  const wire::Multiaddr remote_addr =
      wire::Multiaddr::from_components([&] {
        auto c = stream.connection().remote_addr().without_peer_id().components();
        c.push_back({wire::Protocol::p2p, relay_peer.bytes()});
        c.push_back({wire::Protocol::p2p_circuit, {}});
        c.push_back({wire::Protocol::p2p, initiator.bytes()});
        return c;
      }());
  std::string why;
  auto upgraded = co_await upgrade_inbound(Pipe(std::move(stream)), upgrade_config(), &why);
  if (!upgraded) {
    log::info("relayed connection from {} via {} failed during upgrade: {}", initiator.to_string(),
              relay_peer.to_string(), why.empty() ? upgraded.error().message() : why);
    co_return;
  }
  if (upgraded->remote_peer != initiator) {
    // The relay named one peer and Noise proved another: trust the proof, not the relay.
    log::info("relay {} announced {} but {} connected: closed", relay_peer.to_string(),
              initiator.to_string(), upgraded->remote_peer.to_string());
    upgraded->secured.pipe.abort();
    co_return;
  }
  adopt(std::move(*upgraded), Direction::inbound, remote_addr);
}

}  // namespace ipfsa::p2p
