// Gossipsub over a p2p::Host: the I/O shell around proto::gossipsub::Router.
//
// For every connection whose identify protocols include /meshsub/1.2.0 or /meshsub/1.1.0 (or
// that opens a meshsub stream to us), the shell adds the peer to the router, opens ONE outbound
// stream (1.2.0 preferred) for everything we send and reads the peer's inbound stream(s). Frames
// are uvarint-length-prefixed RPCs of at most proto::gossipsub::kMaxRpcBytes. Each peer has a
// bounded send queue: when it is full, frames are dropped and counted, the router never waits.
// A broken outbound stream is re-opened while the connection lives (config.max_stream_opens);
// a disconnect removes the peer. The heartbeat runs on a steady_timer.
//
// Threading: every method, and every handler, runs on the io_context thread.
// Lifetime: stop() before destroying; the Host must outlive the Gossipsub, and (as for the Host)
// the io_context must not be running when it is destroyed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/gossipsub/router.hpp"
#include "wire/peer_id.hpp"

namespace boost::asio {
class io_context;
}
namespace ipfsa::p2p {
class Host;  // p2p/host.hpp (Asio: kept out of this header)
}

namespace ipfsa::pubsub {

using proto::gossipsub::Validation;

// Frames waiting for one peer's stream.
inline constexpr std::size_t kMaxSendQueueFrames = 1024;

struct GossipsubConfig {
  proto::gossipsub::RouterConfig router{};
  std::size_t max_send_queue_frames = kMaxSendQueueFrames;
  // Outbound stream (re)opens per connection, and the pause between two attempts.
  int max_stream_opens = 5;
  Duration reopen_delay = std::chrono::milliseconds(500);
};

struct ReceivedMessage {
  std::string topic;
  Bytes data;
  wire::PeerId author;      // `from`: who signed it
  wire::PeerId propagator;  // who sent it to us
  Bytes id;                 // the message id (js StrictSign convention)
};

struct GossipsubStats {
  std::size_t peers = 0;
  std::map<std::string, std::size_t> mesh_sizes;  // per subscribed topic
  std::uint64_t messages_in = 0;                  // accepted by our handlers
  std::uint64_t messages_published = 0;
  std::uint64_t messages_invalid = 0;  // bad signatures + rejected by handlers
  std::uint64_t frames_dropped = 0;    // a full send queue, or no stream
  std::uint64_t streams_opened = 0;
  proto::gossipsub::RouterStats router;  // rpcs and bytes in/out, duplicates, ...
};

class Gossipsub {
 public:
  using Handler = std::function<Validation(const ReceivedMessage&)>;

  Gossipsub(boost::asio::io_context& context, p2p::Host& host, GossipsubConfig config = {});
  ~Gossipsub();
  Gossipsub(const Gossipsub&) = delete;
  Gossipsub& operator=(const Gossipsub&) = delete;

  // Registers the protocols (and tells connected peers through identify-push), picks up already
  // connected peers and starts the heartbeat.
  void start();
  // Unregisters, resets our streams and stops the heartbeat. Idempotent.
  void stop();

  // Joins `topic`; `on_message` decides for every new message (accept forwards it). A second
  // subscribe replaces the handler.
  void subscribe(std::string topic, Handler on_message);
  void unsubscribe(const std::string& topic);

  // Errors: too_large (data or topic above the limits). No peers is not an error.
  Result<Bytes> publish(const std::string& topic, Bytes data);

  GossipsubStats stats() const;
  // Our mesh for `topic` (empty when not subscribed), and every gossipsub peer we know subscribed.
  std::vector<wire::PeerId> mesh_peers(const std::string& topic) const;
  std::vector<wire::PeerId> topic_peers(const std::string& topic) const;
  const wire::PeerId& local_peer() const noexcept;

  struct State;  // internal, shared with the coroutines

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ipfsa::pubsub
