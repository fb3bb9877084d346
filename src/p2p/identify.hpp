// Identify and identify-push over Host streams (docs/wire/identify.md): the shell of the
// proto/identify codec, in its own file beside the Host as go-libp2p's protocol/identify is.
//   /ipfs/id/1.0.0       the listener writes our Identify and closes; the dialer reads it to the
//                        end of the stream and records it in the connection's RemoteInfo.
//   /ipfs/id/push/1.0.0  the dialer writes our Identify (after our addresses or protocols
//                        changed); the listener reads it and records it as an update.
// Messages are read to the end of the stream and merged (js-libp2p may split one into several),
// at most proto::identify::kMaxMessages of kMaxMessageSize each, within `read_timeout`.
//
// Threading: REQUIRES the Host's io_context thread (IdentifyService is not synchronised).
#pragma once

#include <functional>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "io/asio.hpp"
#include "p2p/connection.hpp"
#include "p2p/stream.hpp"
#include "proto/identify/identify.hpp"
#include "proto/identify/peer_info.hpp"

namespace ipfsa::p2p {

class IdentifyService {
 public:
  struct Hooks {
    // What we announce: our key, versions, listen addresses and protocols, as of now.
    std::function<proto::identify::PeerInfo()> self;
    // A connection's RemoteInfo was filled (identify) or updated (push).
    std::function<void(Connection&)> identified;
  };
  IdentifyService(Hooks hooks, Duration read_timeout);

  // Listener of /ipfs/id/1.0.0: writes our Identify (with the peer's address as observed) and
  // half-closes.
  io::Task<void> serve(Stream stream);
  // Listener of /ipfs/id/push/1.0.0: reads the peer's push and records it. A push that does not
  // parse, names another peer or stalls is dropped (the stream reset); the connection stays.
  io::Task<void> serve_push(Stream stream);
  // Dialer: on a stream negotiated to /ipfs/id/1.0.0, half-closes, reads the peer's Identify and
  // records it. Failures are logged (INFO for a peer that answers nonsense) and leave the
  // connection as it was.
  io::Task<void> identify(Stream stream);
  // Dialer of push: writes our Identify on a stream negotiated to /ipfs/id/push/1.0.0.
  io::Task<void> push(Stream stream);

  // Our framed Identify for `connection` (its remote address as the observed address).
  Bytes message_for(const Connection& connection) const;

 private:
  void apply(Connection& connection, proto::identify::Identify message, bool push);

  Hooks hooks_;
  Duration read_timeout_;
};

}  // namespace ipfsa::p2p
