// Interop probe for tests/interop/gossip.test.mjs: a Host with Gossipsub that subscribes to one
// topic, prints JSON lines on stdout and publishes every line read from stdin.
//
// usage: gossip_probe [--listen MA] [--dial MA]... [--topic T] [--psk FILE] [--seed HEX32]
//                     [--timeout S]
// events: {"event":"ready","peerId","addrs"}, {"event":"mesh","topic","peers"} (when it changes),
//         {"event":"message","topic","from","propagator","id","data"},
//         {"event":"published","id","peers"}, {"event":"error","where","message"}
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "p2p/host.hpp"
#include "proto/pnet/swarm_key.hpp"
#include "pubsub/gossipsub.hpp"

namespace {

using namespace ipfsa;
namespace asio = io::asio;
namespace json = boost::json;

struct Options {
  std::string listen = "/ip4/127.0.0.1/tcp/0";
  std::vector<std::string> dial;
  std::string topic = "ipfs-accelerate/test";
  std::string psk;
  std::string seed;
  int timeout_s = 60;
};

void say(const json::object& event) {
  std::fputs((json::serialize(event) + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void error(std::string_view where, std::string_view message) {
  say({{"event", "error"}, {"where", where}, {"message", message}});
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      std::exit(2);
    }
    const std::string value = argv[++i];
    if (flag == "--listen")
      o.listen = value;
    else if (flag == "--dial")
      o.dial.push_back(value);
    else if (flag == "--topic")
      o.topic = value;
    else if (flag == "--psk")
      o.psk = value;
    else if (flag == "--seed")
      o.seed = value;
    else if (flag == "--timeout")
      o.timeout_s = std::stoi(value);
    else {
      std::cerr << "unknown flag " << flag << "\n";
      std::exit(2);
    }
  }
  return o;
}

io::Task<void> dial_all(p2p::Host& host, std::vector<std::string> addrs) {
  for (const auto& text : addrs) {
    auto addr = wire::Multiaddr::parse(text);
    if (!addr) {
      error("dial", "bad multiaddr " + text);
      continue;
    }
    auto connection = co_await host.dial(*addr);
    if (!connection) error("dial", connection.error().message());
  }
}

io::Task<void> read_stdin(pubsub::Gossipsub& gossip, std::string topic) {
  asio::posix::stream_descriptor in(co_await asio::this_coro::executor, ::dup(STDIN_FILENO));
  std::string buffer;
  for (;;) {
    auto [ec, n] =
        co_await asio::async_read_until(in, asio::dynamic_buffer(buffer), '\n', io::kNoThrow);
    if (ec) co_return;  // end of input: keep running until the timeout or a signal
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    auto id = gossip.publish(topic, to_bytes(line));
    if (!id) {
      error("publish", id.error().message());
      continue;
    }
    say({{"event", "published"}, {"id", hex_encode(*id)}, {"peers", gossip.stats().peers}});
  }
}

// Prints the mesh whenever it changes.
io::Task<void> watch_mesh(pubsub::Gossipsub& gossip, std::string topic) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::size_t last = static_cast<std::size_t>(-1);
  for (;;) {
    const auto stats = gossip.stats();
    auto it = stats.mesh_sizes.find(topic);
    const std::size_t size = it == stats.mesh_sizes.end() ? 0 : it->second;
    if (size != last) {
      last = size;
      say({{"event", "mesh"}, {"topic", topic}, {"size", size}, {"peers", stats.peers}});
    }
    timer.expires_after(std::chrono::milliseconds(100));
    auto [ec] = co_await timer.async_wait(io::kNoThrow);
    if (ec) co_return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::warn);

  std::optional<crypto::Ed25519KeyPair> identity;
  if (!o.seed.empty()) {
    auto seed = hex_decode(o.seed);
    if (seed) {
      if (auto key = crypto::Ed25519KeyPair::from_seed(*seed)) identity = std::move(*key);
    }
    if (!identity) {
      std::cerr << "bad --seed\n";
      return 2;
    }
  } else {
    identity = crypto::Ed25519KeyPair::generate();
  }
  std::optional<SecretBytes> psk;
  if (!o.psk.empty()) {
    std::ifstream file(o.psk, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(file)), {});
    auto key = proto::pnet::parse_swarm_key(as_bytes(content));
    if (!key) {
      std::cerr << "bad swarm key: " << key.error().message() << "\n";
      return 2;
    }
    psk = std::move(*key);
  }

  asio::io_context context;
  p2p::Host host(context, p2p::HostConfig{std::move(*identity), std::move(psk),
                                          "ipfs-accelerate/gossip-probe"});
  auto bound = host.listen(*wire::Multiaddr::parse(o.listen));
  if (!bound) {
    std::cerr << "listen: " << bound.error().message() << "\n";
    return 1;
  }
  pubsub::Gossipsub gossip(context, host);
  gossip.start();
  gossip.subscribe(o.topic, [](const pubsub::ReceivedMessage& m) {
    say({{"event", "message"},
         {"topic", m.topic},
         {"from", m.author.to_string()},
         {"propagator", m.propagator.to_string()},
         {"id", hex_encode(m.id)},
         {"data", to_string(m.data)}});
    return pubsub::Validation::accept;
  });
  json::array addrs;
  for (const auto& a : host.listen_addrs())
    addrs.emplace_back(a.with_peer_id(host.peer_id()).to_string());
  say({{"event", "ready"}, {"peerId", host.peer_id().to_string()}, {"addrs", addrs}});

  asio::co_spawn(context, dial_all(host, o.dial), asio::detached);
  asio::co_spawn(context, read_stdin(gossip, o.topic), asio::detached);
  asio::co_spawn(context, watch_mesh(gossip, o.topic), asio::detached);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  asio::steady_timer deadline(context, std::chrono::seconds(o.timeout_s));
  auto finish = [&] {
    gossip.stop();
    host.close();
    context.stop();
  };
  signals.async_wait([&](auto, int) { finish(); });
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) finish();
  });
  context.run();
  return 0;
}
