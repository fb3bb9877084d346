#include "cli/common.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

#include "crypto/identity.hpp"
#include "proto/pnet/swarm_key.hpp"

namespace ipfsa::cli {

std::string agent_version() { return "ipfs-accelerate/" + std::string(kVersion); }

std::optional<crypto::Ed25519KeyPair> load_identity() {
  auto dir = crypto::state_dir_from_env(process_env());
  if (!dir) {
    std::cerr << "error: cannot find a state directory (set IPFS_ACCELERATE_HOME): "
              << dir.error().message() << "\n";
    return std::nullopt;
  }
  auto identity = crypto::load_or_create_identity(*dir);
  if (!identity) {
    std::cerr << "error: cannot load or create the node identity in " << dir->string() << ": "
              << identity.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*identity);
}

std::optional<SecretBytes> load_swarm_key(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read swarm key file " << file.string() << "\n";
    return std::nullopt;
  }
  std::string content;
  content.resize(proto::pnet::kMaxSwarmKeyFileSize + 1);
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  auto key = proto::pnet::parse_swarm_key(as_bytes(content));
  secure_wipe(content.data(), content.size());
  if (!key) {
    std::cerr << "error: " << file.string() << " is not a libp2p swarm key (/key/swarm/psk/1.0.0/): "
              << key.error().message() << "\n";
    return std::nullopt;
  }
  return std::move(*key);
}

}  // namespace ipfsa::cli
