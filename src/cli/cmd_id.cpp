// `ipfs-accelerate id`: the node's peer ID (from its persistent identity) and the addresses
// `serve` listens on.
#include <iostream>

#include "cli/common.hpp"
#include "node/config.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::cli {

int run_id(bool json) {
  auto identity = load_identity();
  if (!identity) return 1;
  auto config = node::load_p2p_config(process_env());
  if (!config) {
    std::cerr << "error: " << config.error() << "\n";
    return 2;
  }
  const auto peer = wire::PeerId::from_public_key(identity->public_key());
  const auto port = config->listen_port;
  std::vector<std::string> addrs;
  for (const char* ip : {"0.0.0.0", "::"}) {
    if (auto ma = wire::Multiaddr::tcp(ip, port)) addrs.push_back(ma->with_peer_id(peer).to_string());
  }
  if (json) {
    std::cout << "{\"peer_id\":\"" << peer.to_base58() << "\",\"peer_id_cid\":\""
              << peer.to_cid_string() << "\",\"agent\":\"" << agent_version()
              << "\",\"listen_addrs\":[";
    for (std::size_t i = 0; i < addrs.size(); ++i) std::cout << (i ? "," : "") << '"' << addrs[i] << '"';
    std::cout << "]}\n";
    return 0;
  }
  std::cout << "peer_id: " << peer.to_base58() << "\n";
  std::cout << "agent: " << agent_version() << "\n";
  std::cout << "listen_addrs:\n";
  for (const auto& a : addrs) std::cout << "  " << a << "\n";
  return 0;
}

}  // namespace ipfsa::cli
