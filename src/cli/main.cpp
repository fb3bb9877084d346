// ipfs-accelerate: parses the command line and dispatches to one subcommand.
#include <CLI/CLI.hpp>

#include "cli/common.hpp"

int main(int argc, char** argv) {
  using namespace ipfsa::cli;
  CLI::App app{"ipfs-accelerate: a peer-to-peer cache of GitHub API responses", "ipfs-accelerate"};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(1);

  bool json = false;
  auto* id = app.add_subcommand("id", "Print this node's peer ID and listen addresses");
  id->add_flag("--json", json, "Print a JSON object");

  PingOptions ping;
  auto* ping_cmd = app.add_subcommand("ping", "Ping a libp2p peer (/ipfs/ping/1.0.0) and print RTTs");
  ping_cmd->add_option("multiaddr", ping.target, "Peer address, e.g. /ip4/127.0.0.1/tcp/9100/p2p/12D3Koo...")
      ->required();
  ping_cmd->add_option("-n,--count", ping.count, "Number of pings")->check(CLI::Range(1, 100000));
  ping_cmd->add_option("-i,--interval", ping.interval_s, "Seconds between pings")
      ->check(CLI::Range(0.0, 3600.0));
  ping_cmd->add_option("--swarm-key", ping.swarm_key, "libp2p pnet swarm key file (private network)");

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the node (libp2p host on CACHE_LISTEN_PORT, default 9100)");
  serve_cmd->add_option("--listen", serve.listen,
                        "Listen multiaddr (repeatable); default /ip4/0.0.0.0 and /ip6/:: on CACHE_LISTEN_PORT");
  serve_cmd->add_option("--swarm-key", serve.swarm_key,
                        "libp2p pnet swarm key file (default: IPFS_ACCELERATE_SWARM_KEY)");

  CLI11_PARSE(app, argc, argv);
  if (*id) return run_id(json);
  if (*ping_cmd) return run_ping(ping);
  if (*serve_cmd) return run_serve(serve);
  return 2;
}
