// Test helpers shared by the kad tests: deterministic peer IDs and the js-libp2p vectors' peers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "proto/kad/routing_table.hpp"
#include "wire/multihash.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad::testing {

inline Bytes hex(std::string_view h) { return *hex_decode(h); }

// A valid sha2-256 peer ID ("Qm...") per number: no key pair needed.
inline wire::PeerId peer(std::uint32_t n) {
  const std::string seed = "kad test peer " + std::to_string(n);
  return *wire::PeerId::from_bytes(wire::sha256_multihash(as_bytes(seed)));
}

// The first peer (counting from `start`) whose key shares exactly `cpl` bits with `of`.
inline wire::PeerId peer_with_cpl(const Key& of, std::size_t cpl, std::uint32_t start = 1000) {
  for (std::uint32_t n = start;; ++n) {
    wire::PeerId p = peer(n);
    if (common_prefix_length(key_of(p), of) == cpl) return p;
  }
}

// /ip4/127.0.0.1/tcp/<port>
inline Bytes tcp_addr(std::uint16_t port) {
  Bytes a = hex("047f00000106");
  a.push_back(static_cast<std::uint8_t>(port >> 8));
  a.push_back(static_cast<std::uint8_t>(port));
  return a;
}

// The peers and addresses of the js vectors (Ed25519 keys from seeds of 32 x 0x01, 0x02, 0x03;
// encoded by js-libp2p @libp2p/peer-id@6.0.15 and @multiformats/multiaddr@13.0.3).
inline const Bytes kPeerA =
    hex("0024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
inline const Bytes kPeerB =
    hex("0024080112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
inline const Bytes kPeerC =
    hex("002408011220ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1");
inline const Bytes kAddr1 = hex("047f000001060fa1");        // /ip4/127.0.0.1/tcp/4001
inline const Bytes kAddr2 = hex("040a00000291020fa1cd03");  // /ip4/10.0.0.2/udp/4001/quic-v1
inline const Bytes kAddr3 = hex("2900000000000000000000000000000001060fa2");  // /ip6/::1/tcp/4002
// sha2-256 multihash of "ipfs-accelerate rendezvous" (multiformats@14.0.5).
inline const Bytes kProviderKey =
    hex("1220bf9466e0bdb8dc4264b9c694aad67addd1625cfbafe7a1757b191bbfe3f80492");

inline wire::PeerId id(const Bytes& multihash) { return *wire::PeerId::from_bytes(multihash); }

}  // namespace ipfsa::proto::kad::testing
