// Test-only: an in-memory network of Routers with a manual clock. Frames travel in FIFO order;
// delivered messages are validated by `validator` (accept by default) and recorded per node.
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "proto/gossipsub/router.hpp"

namespace ipfsa::proto::gossipsub::testing {

// Every RPC the router has queued, as (peer, bytes) pairs.
inline std::vector<Outgoing> drain(Router& r) {
  std::vector<Outgoing> out;
  for (Bytes rpc; auto t = r.poll_transmit(rpc); rpc.clear()) {
    out.push_back(Outgoing{t->peer, std::move(rpc)});
  }
  return out;
}

struct SimNet {
  struct Frame {
    std::size_t from, to;
    Bytes rpc;
  };

  TimePoint now{std::chrono::seconds(1000)};
  std::vector<std::unique_ptr<Router>> nodes;
  std::vector<std::vector<ReceivedMessage>> delivered;
  std::unordered_map<wire::PeerId, std::size_t> index;
  // nullopt holds the message in `held` (the application has not decided yet).
  std::function<std::optional<Validation>(std::size_t, const ReceivedMessage&)> validator =
      [](std::size_t, const ReceivedMessage&) { return Validation::accept; };
  std::vector<std::vector<ReceivedMessage>> held;
  std::deque<Frame> in_flight;
  std::vector<std::vector<bool>> linked;
  std::uint64_t frames = 0;

  std::size_t add(RouterConfig config = {}, std::uint64_t seed = 0) {
    const std::size_t i = nodes.size();
    auto key = crypto::Ed25519KeyPair::generate();
    nodes.push_back(std::make_unique<Router>(std::move(key), config, seed + i + 1, 1, now));
    delivered.emplace_back();
    held.emplace_back();
    index.emplace(nodes.back()->local_peer(), i);
    for (auto& row : linked) row.push_back(false);
    linked.emplace_back(nodes.size(), false);
    return i;
  }
  Router& operator[](std::size_t i) { return *nodes[i]; }
  const wire::PeerId& id(std::size_t i) const { return nodes[i]->local_peer(); }

  void connect(std::size_t a, std::size_t b, Protocol protocol = Protocol::v1_2) {
    if (a == b || linked[a][b]) return;
    linked[a][b] = linked[b][a] = true;
    (void)nodes[a]->add_peer(id(b), protocol, true);
    (void)nodes[b]->add_peer(id(a), protocol, false);
  }
  void disconnect(std::size_t a, std::size_t b) {
    linked[a][b] = linked[b][a] = false;
    nodes[a]->remove_peer(id(b));
    nodes[b]->remove_peer(id(a));
  }

  // Moves frames and validations until the network is quiet.
  void pump() {
    for (;;) {
      collect();
      if (in_flight.empty()) return;
      while (!in_flight.empty()) {
        Frame f = std::move(in_flight.front());
        in_flight.pop_front();
        ++frames;
        if (!linked[f.from][f.to]) continue;
        (void)nodes[f.to]->handle_input(id(f.from), f.rpc, now);
        drain_events(f.to);
      }
    }
  }

  // The application's late verdict on a held message.
  void decide(std::size_t i, const ReceivedMessage& m, Validation v) {
    if (v == Validation::accept) delivered[i].push_back(m);
    nodes[i]->report_validation(m.id, v);
    pump();
  }

  void heartbeat_all(Duration step = std::chrono::seconds(1)) {
    now += step;
    for (auto& n : nodes) n->handle_timeout(now);
    pump();
  }

 private:
  void collect() {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      drain_events(i);
      for (auto& out : drain(*nodes[i])) {
        in_flight.push_back(Frame{i, index.at(out.peer), std::move(out.rpc)});
      }
    }
  }
  void drain_events(std::size_t i) {
    while (auto m = nodes[i]->poll()) {
      const auto v = validator(i, *m);
      if (!v) {
        held[i].push_back(*m);
        continue;
      }
      if (*v == Validation::accept) delivered[i].push_back(*m);
      nodes[i]->report_validation(m->id, *v);
    }
  }
};

}  // namespace ipfsa::proto::gossipsub::testing
