// Byte vectors for the relay tests, encoded by js-libp2p @libp2p/circuit-relay-v2@4.2.13's codec
// (dist/src/pb/index.js) and, for the voucher, sealed by @libp2p/peer-record@9.0.16's
// RecordEnvelope with @libp2p/crypto@5.1.23 Ed25519 keys from the seeds below.
#pragma once

#include <string_view>

#include "base/bytes.hpp"

namespace ipfsa::proto::relay::testing {

inline Bytes hex(std::string_view h) { return *hex_decode(h); }

// Ed25519 seeds: 32 bytes of 0x01 (the relay), 0x02 (the reserving peer), 0x03 (an initiator).
inline Bytes seed(std::uint8_t fill) { return Bytes(32, fill); }

// Their peer IDs as multihash bytes.
// 12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5
inline constexpr std::string_view kRelayId =
    "0024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
// 12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq
inline constexpr std::string_view kPeerId =
    "0024080112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
// 12D3KooWRndVhVZPCiQwHBBBdg769GyrPUW13zxwqQyf9r3ANaba
inline constexpr std::string_view kInitiatorId =
    "002408011220ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";

// The relay's voucher for the peer, expiration 1767229200 (2026-01-01T01:00:00Z).
inline constexpr std::uint64_t kVoucherExpiration = 1767229200;
inline constexpr std::string_view kVoucher =
    "0a24080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c120203021a560a26"
    "0024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c1226002408011220"
    "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39418908ed7ca062a4074957c32c1d7"
    "6a763bd79ab4cf2a84d32c1b2f258c33a49124d3ac5a6f8884455f0408f68da841da2a653f3fa5a7ff59f91666a4"
    "eb527372b7d3356c90b3e109";

// /ip4/203.0.113.7/tcp/4001/p2p/<relay> and /ip4/203.0.113.7/udp/4001/quic-v1/p2p/<relay>.
inline constexpr std::string_view kAddrTcp =
    "04cb007107060fa1a503260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b4"
    "0f6f5c";
inline constexpr std::string_view kAddrQuic =
    "04cb00710791020fa1cd03a503260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf374"
    "8801b40f6f5c";

// HopMessage { type: RESERVE }
inline constexpr std::string_view kHopReserve = "0800";
// HopMessage { type: STATUS, status: OK, reservation: { expire: kVoucherExpiration,
//   addrs: [kAddrTcp, kAddrQuic], voucher: kVoucher }, limit: { duration: 120, data: 131072 } }
inline constexpr std::string_view kHopStatusReservation =
    "08021ab60208908ed7ca06123104cb007107060fa1a503260024080112208a88e3dd7409f195fd52db2d3cba5d72"
    "ca6709bf1d94121bf3748801b40f6f5c123404cb00710791020fa1cd03a503260024080112208a88e3dd7409f195"
    "fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c1ac4010a24080112208a88e3dd7409f195fd52db2d3c"
    "ba5d72ca6709bf1d94121bf3748801b40f6f5c120203021a560a260024080112208a88e3dd7409f195fd52db2d3c"
    "ba5d72ca6709bf1d94121bf3748801b40f6f5c12260024080112208139770ea87d175f56a35466c34c7ecccb8d8a"
    "91b4ee37a25df60f5b8fc9b39418908ed7ca062a4074957c32c1d76a763bd79ab4cf2a84d32c1b2f258c33a49124"
    "d3ac5a6f8884455f0408f68da841da2a653f3fa5a7ff59f91666a4eb527372b7d3356c90b3e10922060878108080"
    "082864";
// HopMessage { type: CONNECT, peer: { id: kPeerId } }
inline constexpr std::string_view kHopConnect =
    "080112280a260024080112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
// HopMessage { type: CONNECT, peer: { id: kPeerId, addrs: [kAddrTcp, kAddrQuic] } }
inline constexpr std::string_view kHopConnectAddrs =
    "08011291010a260024080112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39412"
    "3104cb007107060fa1a503260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801"
    "b40f6f5c123404cb00710791020fa1cd03a503260024080112208a88e3dd7409f195fd52db2d3cba5d72ca6709bf"
    "1d94121bf3748801b40f6f5c";
// HopMessage { type: STATUS, status: NO_RESERVATION }
inline constexpr std::string_view kHopStatusNoReservation = "080228cc01";
// HopMessage { type: STATUS, status: OK, limit: { duration: 3600, data: 67108864 } }
inline constexpr std::string_view kHopStatusOkLimit = "0802220808901c10808080202864";
// StopMessage { type: CONNECT, peer: { id: kInitiatorId }, limit: { duration: 3600,
//   data: 67108864 } }
inline constexpr std::string_view kStopConnect =
    "080012280a26002408011220ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d11a08"
    "08901c1080808020";
// StopMessage { type: STATUS, status: OK }
inline constexpr std::string_view kStopStatus = "08012064";
// StopMessage { type: STATUS, status: CONNECTION_FAILED }
inline constexpr std::string_view kStopStatusFailed = "080120cb01";

}  // namespace ipfsa::proto::relay::testing
