// The C++ side of the mDNS interop test (tests/interop/mdns.test.mjs): runs one MdnsDiscovery
// that announces the given addresses under an identity and prints JSON lines on stdout:
//   {"event":"ready","peerId":...,"peerName":...,"addrs":[...]}
//   {"event":"discovery","peer":...,"addrs":[...]}      for every peer MdnsDiscovery reports
//   {"event":"error","message":...}                     when mDNS cannot start (exit code 2)
//
// usage: mdns_probe [--seed HEX32 | --peer-id ID] [--addr MA]... [--interval-ms N]
//                   [--rereport-ms N] [--timeout S] [--no-ipv6]
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "crypto/ed25519.hpp"
#include "discovery/mdns/mdns_discovery.hpp"
#include "io/asio.hpp"

namespace {

using namespace ipfsa;

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out + "\"";
}

std::string json_addrs(const std::vector<wire::Multiaddr>& addrs) {
  std::string out = "[";
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    if (i) out += ",";
    out += json_string(addrs[i].to_string());
  }
  return out + "]";
}

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

// A non-negative decimal number, or -1.
int number(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  return std::stoi(text);
}

int usage(const char* why) {
  std::fprintf(stderr, "mdns_probe: %s\n", why);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  log::init_from_env();
  std::string seed, peer_id_text;
  std::vector<std::string> addr_texts;
  int timeout_s = 60;
  discovery::MdnsConfig config;
  config.query_interval = std::chrono::seconds(1);
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-ipv6") {
      config.ipv6 = false;
      continue;
    }
    if (i + 1 >= argc) return usage("missing value");
    const std::string value = argv[++i];
    if (flag == "--seed")
      seed = value;
    else if (flag == "--peer-id")
      peer_id_text = value;
    else if (flag == "--addr")
      addr_texts.push_back(value);
    else if (flag == "--interval-ms")
      config.query_interval = std::chrono::milliseconds(number(value));
    else if (flag == "--rereport-ms")
      config.rereport_interval = std::chrono::milliseconds(number(value));
    else if (flag == "--timeout")
      timeout_s = number(value);
    else
      return usage("unknown flag");
  }

  if (config.query_interval <= Duration::zero() || config.rereport_interval < Duration::zero() ||
      timeout_s < 0)
    return usage("bad number");

  std::optional<wire::PeerId> self;
  if (!peer_id_text.empty()) {
    auto parsed = wire::PeerId::parse(peer_id_text);
    if (!parsed) return usage("bad --peer-id");
    self = *parsed;
  } else {
    auto key = crypto::Ed25519KeyPair::generate();
    if (!seed.empty()) {
      auto bytes = hex_decode(seed);
      auto from_seed = bytes ? crypto::Ed25519KeyPair::from_seed(*bytes)
                             : Result<crypto::Ed25519KeyPair>(Error::malformed);
      if (!from_seed) return usage("bad --seed");
      key = *from_seed;
    }
    self = wire::PeerId::from_public_key(key.public_key());
  }
  if (addr_texts.empty()) addr_texts.push_back("/ip4/127.0.0.1/tcp/4001");
  std::vector<wire::Multiaddr> addrs;
  for (const auto& text : addr_texts) {
    auto addr = wire::Multiaddr::parse(text);
    if (!addr) return usage("bad --addr");
    addrs.push_back(*addr);
  }

  io::asio::io_context context;
  discovery::MdnsDiscovery mdns(
      context, *self, [&] { return addrs; },
      [](const wire::PeerId& id, const std::vector<wire::Multiaddr>& found) {
        say("{\"event\":\"discovery\",\"peer\":" + json_string(id.to_string()) +
            ",\"addrs\":" + json_addrs(found) + "}");
      },
      config);
  if (auto ok = mdns.start(); !ok) {
    say("{\"event\":\"error\",\"message\":" + json_string(ok.error().message()) + "}");
    return 2;
  }
  std::vector<wire::Multiaddr> announced;
  for (const auto& a : addrs) announced.push_back(a.with_peer_id(*self));
  say("{\"event\":\"ready\",\"peerId\":" + json_string(self->to_string()) + ",\"peerName\":" +
      json_string(mdns.peer_name()) + ",\"addrs\":" + json_addrs(announced) + "}");

  io::asio::signal_set signals(context, SIGINT, SIGTERM);
  io::asio::steady_timer deadline(context, std::chrono::seconds(timeout_s));
  auto finish = [&] {
    mdns.stop();
    signals.cancel();
    deadline.cancel();
  };
  signals.async_wait([&](auto ec, int) {
    if (!ec) finish();
  });
  deadline.async_wait([&](auto ec) {
    if (!ec) finish();
  });
  context.run();
  return 0;
}
