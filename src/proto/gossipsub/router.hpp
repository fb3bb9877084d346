// A gossipsub v1.1/v1.2 router without I/O (gossipsub-v1.0.md, -v1.1.md, -v1.2.md).
//
// Inputs: add_peer / remove_peer (a /meshsub/* stream pair came up / the connection went),
// handle_input (one decoded-frame's bytes from a peer), subscribe / unsubscribe / publish (the
// application), report_validation (the application's verdict on a delivered message) and
// handle_timeout (the heartbeat, due at poll_timeout(), every config.heartbeat_interval).
// Outputs, to drain after every input: poll_transmit() (one encoded RPC per call; a peer's
// pending RPCs are coalesced) and poll() (messages for the application to validate). A
// proto::EndpointEngine (proto/engine/engine.hpp). Time and randomness are inputs: `now` on
// every call, a seed and the first seqno at construction. Single-threaded; no I/O, no clock, no
// global RNG.
//
// Validation: a received message that verifies (StrictSign) and is new is handed to the
// application as a ReceivedMessage; it is cached and forwarded only after
// report_validation(id, accept). reject penalises the propagator; ignore drops it. Messages the
// application does not answer within config.validation_timeout are dropped.
//
// Scoring (a subset of v1.1 peer scoring, see docs/wire/gossipsub.md): P4 invalid messages and
// P7 behaviour penalties, decayed every heartbeat; thresholds gossip / publish / graylist.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "crypto/ed25519.hpp"
#include "proto/engine/engine.hpp"
#include "proto/gossipsub/cache.hpp"
#include "proto/gossipsub/message.hpp"
#include "proto/gossipsub/rpc.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::gossipsub {

inline constexpr std::string_view kProtocolV11 = "/meshsub/1.1.0";
inline constexpr std::string_view kProtocolV12 = "/meshsub/1.2.0";

inline constexpr std::size_t kMaxPeers = 1024;               // add_peer beyond: limit_exceeded
inline constexpr std::size_t kMaxTopicsPerPeer = 1024;       // a peer's subscriptions we track
inline constexpr std::size_t kMaxPendingValidations = 4096;  // messages awaiting the application
inline constexpr std::size_t kMaxDontWantPerPeer = 4096;     // IDONTWANT ids remembered per peer
inline constexpr std::size_t kMaxSeenEntries = 200000;       // seen-cache bound

enum class Protocol { v1_1, v1_2 };
// nullopt for anything but the two protocol ids above.
std::optional<Protocol> parse_protocol(std::string_view id) noexcept;

enum class Validation { accept, reject, ignore };

struct RouterConfig {
  // Mesh degrees (v1.0 defaults; D_lo as go-libp2p).
  std::size_t d = 6, d_lo = 5, d_hi = 12, d_lazy = 6, d_score = 4, d_out = 2;
  double gossip_factor = 0.25;
  Duration heartbeat_interval = std::chrono::seconds(1);
  Duration fanout_ttl = std::chrono::seconds(60);
  Duration seen_ttl = std::chrono::minutes(2);
  Duration prune_backoff = std::chrono::minutes(1);
  Duration unsubscribe_backoff = std::chrono::seconds(10);
  Duration validation_timeout = std::chrono::seconds(30);
  std::size_t history_length = 5, history_gossip = 3;
  std::size_t max_ihave_length = 5000;  // ids we request per peer per heartbeat / gossip per IHAVE
  std::size_t max_ihave_messages = 10;  // IHAVEs we process per peer per heartbeat
  std::size_t gossip_retransmission = 3;               // IWANT answers of one message to one peer
  std::size_t idontwant_min_data_size = 512;           // v1.2: IDONTWANT for messages this large
  std::size_t max_message_size = kMaxRpcBytes - 1024;  // encoded Message, ours and theirs
  bool flood_publish = true;
  // Scoring: score = invalid_weight * invalid^2 + behaviour_weight * max(0, b - threshold)^2.
  double invalid_weight = -20, behaviour_weight = -10, behaviour_threshold = 1;
  double decay = 0.99;  // both counters, per heartbeat; below 0.01 they become 0
  double gossip_threshold = -10, publish_threshold = -50, graylist_threshold = -80;
};

// A verified message awaiting the application's verdict (report_validation).
struct ReceivedMessage {
  Bytes id;
  std::string topic;
  Bytes data;
  wire::PeerId author;
  wire::PeerId propagator;
};

struct Outgoing {
  wire::PeerId peer;
  Bytes rpc;  // one encoded RPC (<= kMaxRpcBytes), without the length prefix
};

// What poll_transmit() appended: one encoded RPC of `size` bytes for `peer`.
struct RpcTransmit {
  wire::PeerId peer;
  std::size_t size = 0;
};

struct RouterStats {
  std::uint64_t rpcs_in = 0, rpcs_out = 0, bytes_in = 0, bytes_out = 0;
  std::uint64_t malformed_rpcs = 0, graylisted_rpcs = 0;
  std::uint64_t messages_published = 0, messages_delivered = 0, messages_forwarded = 0;
  std::uint64_t duplicates = 0, invalid = 0, rejected = 0, ignored = 0, dropped = 0;
  std::uint64_t iwant_served = 0, idontwant_sent = 0, idontwant_honoured = 0;
};

class Router {
 public:
  using Peer = wire::PeerId;
  using Event = ReceivedMessage;
  using Transmit = RpcTransmit;

  Router(crypto::Ed25519KeyPair identity, RouterConfig config, std::uint64_t random_seed,
         std::uint64_t first_seqno, TimePoint now);

  const wire::PeerId& local_peer() const noexcept { return local_; }

  // Errors: limit_exceeded (kMaxPeers), invalid_state (already added).
  Result<void> add_peer(const wire::PeerId& peer, Protocol protocol, bool outbound);
  void remove_peer(const wire::PeerId& peer);

  // One RPC frame from `peer`. Errors (the frame is dropped and the peer penalised): not_found
  // (unknown peer), and the decode errors of decode_rpc. Frames from graylisted peers are
  // dropped silently (counted).
  Result<void> handle_input(const wire::PeerId& peer, ByteView frame, TimePoint now);

  void subscribe(const std::string& topic);
  void unsubscribe(const std::string& topic);
  bool subscribed(const std::string& topic) const { return topics_.count(topic) != 0; }

  // Signs and sends; returns the message id. Errors: too_large (above max_message_size or
  // kMaxTopicLength). No peers is not an error.
  Result<Bytes> publish(const std::string& topic, Bytes data, TimePoint now);

  // The application's verdict on a ReceivedMessage; unknown ids are ignored.
  void report_validation(ByteView id, Validation verdict);

  // Runs the heartbeat when it is due (now >= poll_timeout()); otherwise does nothing.
  void handle_timeout(TimePoint now);
  std::optional<TimePoint> poll_timeout() const { return next_heartbeat_; }

  // Appends the next encoded RPC (without its length prefix, <= kMaxRpcBytes) to `out` (swaps
  // buffers when `out` is empty) and names its peer; nullopt when nothing is pending.
  std::optional<Transmit> poll_transmit(Bytes& out);
  std::optional<Event> poll();

  // Introspection (tests, stats).
  std::vector<wire::PeerId> mesh(const std::string& topic) const;
  std::vector<wire::PeerId> fanout(const std::string& topic) const;
  std::vector<wire::PeerId> peers() const;
  std::vector<std::string> topics() const { return {topics_.begin(), topics_.end()}; }
  bool peer_subscribed(const wire::PeerId& peer, const std::string& topic) const;
  double score(const wire::PeerId& peer) const;
  bool graylisted(const wire::PeerId& peer) const;
  const RouterStats& stats() const noexcept { return stats_; }

 private:
  struct PeerState {
    Protocol protocol;
    bool outbound;
    std::set<std::string> topics;
    double invalid = 0, behaviour = 0;
    std::size_t ihaves_this_heartbeat = 0, ids_asked_this_heartbeat = 0;
    std::unordered_map<MessageKey, std::uint64_t> dont_want;  // id -> heartbeat tick
    Rpc pending;
  };
  struct Pending {
    Message message;
    wire::PeerId author;
    wire::PeerId propagator;
    TimePoint received;
  };

  void heartbeat(TimePoint now);
  // Cuts every peer's pending RPC into frames, appended to ready_.
  void cut_pending();
  double score_of(const PeerState& p) const;
  PeerState* find(const wire::PeerId& peer);
  void handle_subscription(const wire::PeerId& id, PeerState& p, const SubOpts& sub);
  void handle_message(const wire::PeerId& id, PeerState& p, Message m, TimePoint now);
  void handle_control(const wire::PeerId& id, PeerState& p, Control& c, TimePoint now);
  void handle_graft(const wire::PeerId& id, PeerState& p, const std::string& topic, TimePoint now);
  void handle_prune(const wire::PeerId& id, const Prune& prune, TimePoint now);
  void forward(const MessageKey& key, const Message& m, const wire::PeerId* exclude_a,
               const wire::PeerId* exclude_b);
  void send_message(const wire::PeerId& to, const Message& m);
  void graft(const std::string& topic, const wire::PeerId& peer);
  void prune(const std::string& topic, const wire::PeerId& peer, Duration backoff, TimePoint now);
  bool in_backoff(const std::string& topic, const wire::PeerId& peer, TimePoint now) const;
  // Peers subscribed to `topic`, not in `exclude`, passing `filter`, in random order.
  template <class Filter>
  std::vector<wire::PeerId> candidates(const std::string& topic,
                                       const std::set<wire::PeerId>& exclude, Filter filter);
  void maintain_mesh(const std::string& topic, std::set<wire::PeerId>& mesh, TimePoint now);
  void emit_gossip(const std::string& topic, const std::set<wire::PeerId>& exclude);

  crypto::Ed25519KeyPair identity_;
  wire::PeerId local_;
  RouterConfig config_;
  std::mt19937_64 rng_;
  std::uint64_t next_seqno_;
  std::uint64_t tick_ = 0;
  TimePoint last_now_;
  TimePoint next_heartbeat_;
  std::vector<Outgoing> ready_;  // frames cut, not yet handed out by poll_transmit()
  std::size_t ready_taken_ = 0;
  std::set<std::string> topics_;
  std::unordered_map<wire::PeerId, PeerState> peers_;
  std::map<std::string, std::set<wire::PeerId>> mesh_;
  std::map<std::string, std::set<wire::PeerId>> fanout_;
  std::map<std::string, TimePoint> fanout_last_publish_;
  std::map<std::pair<std::string, wire::PeerId>, TimePoint> backoff_;
  MessageCache mcache_;
  SeenCache seen_;
  std::unordered_map<MessageKey, Pending> pending_;
  std::deque<ReceivedMessage> events_;
  RouterStats stats_;
};

template <class Filter>
std::vector<wire::PeerId> Router::candidates(const std::string& topic,
                                             const std::set<wire::PeerId>& exclude, Filter filter) {
  std::vector<wire::PeerId> out;
  for (const auto& [id, p] : peers_) {
    if (p.topics.count(topic) != 0 && exclude.count(id) == 0 && filter(id, p)) out.push_back(id);
  }
  std::shuffle(out.begin(), out.end(), rng_);
  return out;
}

static_assert(EndpointEngine<Router>);

}  // namespace ipfsa::proto::gossipsub
