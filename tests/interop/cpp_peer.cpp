// The C++ side of the interoperability tests: the same flags and JSON-lines events as peer.mjs,
// driven by the node test runner (interop.test.mjs) against the js-libp2p reference peer.
//
// usage: cpp_peer [--listen MA] [--seed HEX32] [--dial MA]... [--protocol ID] [--request TEXT]
//                 [--request-size N] [--concurrency K] [--ping N] [--psk FILE] [--timeout S]
//                 [--handshake-timeout-ms MS] [--no-inline-muxer]
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "p2p/host.hpp"
#include "proto/pnet/swarm_key.hpp"

namespace {

using namespace ipfsa;
namespace asio = io::asio;

struct Options {
  std::string listen = "/ip4/127.0.0.1/tcp/0";
  std::string seed;
  std::vector<std::string> dial;
  std::string protocol = "/ipfs-accelerate/echo/1.0.0";
  std::optional<std::string> request;
  std::size_t request_size = 0;
  int concurrency = 1;
  int pings = 1;
  std::string psk;
  int timeout_s = 30;
  int handshake_timeout_ms = 10000;
  bool inline_muxer = true;
};

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? ",\"" : "\"") + json_escape(items[i]) + "\"";
  }
  return out + "]";
}

void say(const std::string& json) {
  std::fputs((json + "\n").c_str(), stdout);
  std::fflush(stdout);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << flag << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--listen") o.listen = value();
    else if (flag == "--seed") o.seed = value();
    else if (flag == "--dial") o.dial.push_back(value());
    else if (flag == "--protocol") o.protocol = value();
    else if (flag == "--request") o.request = value();
    else if (flag == "--request-size") o.request_size = std::stoul(value());
    else if (flag == "--concurrency") o.concurrency = std::stoi(value());
    else if (flag == "--ping") o.pings = std::stoi(value());
    else if (flag == "--psk") o.psk = value();
    else if (flag == "--timeout") o.timeout_s = std::stoi(value());
    else if (flag == "--handshake-timeout-ms") o.handshake_timeout_ms = std::stoi(value());
    else if (flag == "--no-inline-muxer") o.inline_muxer = false;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      std::exit(2);
    }
  }
  return o;
}

// One request on a new stream: send, half-close, read the echo to the end.
io::Task<bool> request_once(p2p::Host& host, p2p::Connection& connection, const Options& o,
                            const Bytes& payload) {
  std::vector<std::string> protocols{o.protocol};  // named: g++ 12 and init-lists in co_await
  auto stream = co_await host.new_stream(connection, std::move(protocols));
  if (!stream) {
    say("{\"event\":\"error\",\"where\":\"new_stream\",\"message\":\"" +
        json_escape(stream.error().message()) + "\"}");
    co_return false;
  }
  auto w = co_await stream->write(payload);
  if (!w || !stream->close_write()) co_return false;
  auto reply = co_await stream->read_to_end(payload.size() + 1);
  if (!reply) {
    say("{\"event\":\"error\",\"where\":\"reply\",\"message\":\"" +
        json_escape(reply.error().message()) + "\"}");
    co_return false;
  }
  co_return *reply == payload;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::warn);

  auto identity = o.seed.empty() ? crypto::Ed25519KeyPair::generate()
                                 : *crypto::Ed25519KeyPair::from_seed(*hex_decode(o.seed));
  std::optional<SecretBytes> psk;
  if (!o.psk.empty()) {
    std::FILE* f = std::fopen(o.psk.c_str(), "rb");
    if (!f) return 2;
    std::string content(4096, '\0');
    content.resize(std::fread(content.data(), 1, content.size(), f));
    std::fclose(f);
    auto key = proto::pnet::parse_swarm_key(as_bytes(content));
    if (!key) {
      std::cerr << "bad swarm key: " << key.error().message() << "\n";
      return 2;
    }
    psk = std::move(*key);
  }

  asio::io_context context;
  p2p::HostConfig config{std::move(identity), std::move(psk), "ipfs-accelerate/0.1.0"};
  config.handshake_step_timeout = std::chrono::milliseconds(o.handshake_timeout_ms);
  config.inline_muxer_negotiation = o.inline_muxer;
  p2p::Host host(context, std::move(config));
  host.set_stream_handler(o.protocol, [&](p2p::Stream stream) -> io::Task<void> {
    auto body = co_await stream.read_to_end(64 * 1024 * 1024);
    if (!body) co_return;
    say("{\"event\":\"request\",\"protocol\":\"" + json_escape(o.protocol) +
        "\",\"bytes\":" + std::to_string(body->size()) + "}");
    if (auto w = co_await stream.write(*body); !w) co_return;
    (void)stream.close_write();
  });
  host.on_connect([](p2p::Connection& c) {
    say("{\"event\":\"connect\",\"peer\":\"" + c.remote_peer().to_string() + "\"}");
  });
  host.on_disconnect([](p2p::Connection& c) {
    say("{\"event\":\"disconnect\",\"peer\":\"" + c.remote_peer().to_string() + "\"}");
  });
  host.on_identify([](p2p::Connection& c) {
    std::vector<std::string> addrs;
    for (const auto& a : c.remote_info().listen_addrs) addrs.push_back(a.to_string());
    say("{\"event\":\"identify\",\"peer\":\"" + c.remote_peer().to_string() + "\",\"agent\":\"" +
        json_escape(c.remote_info().agent_version) + "\",\"protocolVersion\":\"" +
        json_escape(c.remote_info().protocol_version) +
        "\",\"protocols\":" + json_list(c.remote_info().protocols) +
        ",\"listenAddrs\":" + json_list(addrs) + ",\"observedAddr\":\"" +
        (c.remote_info().observed_addr ? c.remote_info().observed_addr->to_string() : "") + "\"}");
  });

  auto listen = wire::Multiaddr::parse(o.listen);
  if (!listen) return 2;
  auto bound = host.listen(*listen);
  if (!bound) {
    say("{\"event\":\"error\",\"where\":\"listen\",\"message\":\"" + json_escape(bound.error().message()) + "\"}");
    return 1;
  }
  std::vector<std::string> addrs;
  for (const auto& a : host.listen_addrs()) addrs.push_back(a.with_peer_id(host.peer_id()).to_string());
  say("{\"event\":\"ready\",\"peerId\":\"" + host.peer_id().to_string() + "\",\"addrs\":" + json_list(addrs) + "}");

  int exit_code = 0;
  asio::co_spawn(
      context,
      [&]() -> io::Task<void> {
        for (const auto& text : o.dial) {
          auto ma = wire::Multiaddr::parse(text);
          if (!ma) {
            say("{\"event\":\"error\",\"where\":\"dial\",\"message\":\"bad multiaddr\"}");
            exit_code = 1;
            continue;
          }
          auto connection = co_await host.dial(*ma);
          if (!connection) {
            say("{\"event\":\"error\",\"where\":\"dial\",\"address\":\"" + json_escape(text) +
                "\",\"message\":\"" + json_escape(connection.error().message()) + "\"}");
            exit_code = 1;
            continue;
          }
          const auto peer = (*connection)->remote_peer();
          auto ping = co_await host.ping(peer, o.pings, std::chrono::milliseconds(10),
                                         [&](int, Result<Duration> rtt) {
                                           if (!rtt) return;
                                           say("{\"event\":\"ping\",\"peer\":\"" + peer.to_string() +
                                               "\",\"rtt_ms\":" +
                                               std::to_string(std::chrono::duration<double, std::milli>(*rtt).count()) +
                                               "}");
                                         });
          if (!ping) {
            say("{\"event\":\"error\",\"where\":\"ping\",\"message\":\"" + json_escape(ping.error().message()) + "\"}");
            exit_code = 1;
          }
          if (o.request || o.request_size > 0) {
            Bytes payload = o.request ? to_bytes(*o.request) : crypto::random_bytes(o.request_size);
            int ok = 0, remaining = o.concurrency;
            io::Signal all_done(context.get_executor());
            const auto start = Clock::now();
            for (int i = 0; i < o.concurrency; ++i) {
              asio::co_spawn(
                  context,
                  [&, connection = *connection]() -> io::Task<void> {
                    if (co_await request_once(host, *connection, o, payload)) ++ok;
                    if (--remaining == 0) all_done.notify();
                  },
                  asio::detached);
            }
            while (remaining > 0) co_await all_done.wait();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            say("{\"event\":\"reply\",\"peer\":\"" + peer.to_string() + "\",\"ok\":" + std::to_string(ok) +
                ",\"total\":" + std::to_string(o.concurrency) + ",\"bytes\":" + std::to_string(payload.size()) +
                ",\"ms\":" + std::to_string(ms) +
                (o.request ? ",\"data\":\"" + json_escape(*o.request) + "\"" : std::string()) + "}");
            if (ok != o.concurrency) exit_code = 1;
          }
        }
        say("{\"event\":\"done\"}");
      },
      asio::detached);

  asio::steady_timer deadline(context, std::chrono::seconds(o.timeout_s));
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    host.close();
    context.stop();
  });
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    host.close();
    context.stop();
  });
  context.run();
  return exit_code;
}
