// Packets captured from js-libp2p @libp2p/mdns 12.0.32 (multicast-dns 7.2.5, dns-packet 5.6.1)
// in the interop run (tests/interop/mdns_peer.mjs in a fresh network namespace, 2026-11-26).
#pragma once

#include <string_view>

namespace ipfsa::proto::mdns::testing {

// queryLAN(): "_p2p._udp.local" PTR IN, id 0, flags 0.
inline constexpr std::string_view kJsQueryHex =
    "000000000001000000000000045f703270045f756470056c6f63616c00000c0001";

// gotQuery() reply of the peer with Ed25519 seed 01 x 32: flags QR|AA, two answers (PTR, then
// TXT "dnsaddr=/ip4/127.0.0.1/tcp/45361/p2p/<id>"), no additionals, no compression.
inline constexpr std::string_view kJsPeerId =
    "12D3KooWLtDQXqwRoSovGX1UwuRBtStSh8d5NE51ujVe3cvdZpw9";
inline constexpr std::string_view kJsPeerAddr = "/ip4/127.0.0.1/tcp/45361";
inline constexpr std::string_view kJsResponseHex =
    "000084000000000200000000045f703270045f756470056c6f63616c00000c00010000007800513f747537666a"
    "6b7277686e787a6434376e71647169773435617866353831786e6f3335347832686c6a6a736e31397438753031"
    "6a6e31656d756a67636a647a37045f703270045f756470056c6f63616c003f747537666a6b7277686e787a6434"
    "376e71647169773435617866353831786e6f3335347832686c6a6a736e313974387530316a6e31656d756a6763"
    "6a647a37045f703270045f756470056c6f63616c000010000100000078005a59646e73616464723d2f6970342f"
    "3132372e302e302e312f7463702f34353336312f7032702f313244334b6f6f574c744451587177526f536f7647"
    "5831557775524274537453683864354e453531756a5665336376645a707739";

}  // namespace ipfsa::proto::mdns::testing
