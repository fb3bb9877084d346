// libp2p mDNS discovery (libp2p/specs discovery/mdns.md, as js-libp2p @libp2p/mdns 12 speaks it),
// without I/O, clock or RNG:
//
//   query:     one question "_p2p._udp.local" PTR IN, id 0, flags 0.
//   response:  answers:     _p2p._udp.local PTR <peer-name>._p2p._udp.local   (ttl 120)
//              additionals: <peer-name>._p2p._udp.local TXT "dnsaddr=<ma>/p2p/<id>" ...
//                           <peer-name>._p2p._udp.local SRV 0 0 <port> <peer-name>.local
//                           <peer-name>.local A / AAAA <each IP of the addresses>
//              flags QR|AA. <peer-name> is a random [a-z0-9] label chosen once per process.
//              js-libp2p reads only PTR + TXT; libp2p/zeroconf (go-libp2p) also needs SRV + A/AAAA.
//
// On receipt we accept the TXT strings from the answers (where js puts them) and from the
// additionals (where the spec puts them), and ignore SRV/A/AAAA (the dnsaddr strings already
// carry every address).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "proto/mdns/dns_message.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::mdns {

inline constexpr std::string_view kServiceName = "_p2p._udp.local";
inline constexpr std::string_view kDnsaddrPrefix = "dnsaddr=";
inline constexpr std::uint32_t kRecordTtlSeconds = 120;  // js-libp2p's TTL for PTR and TXT
inline constexpr std::uint32_t kLegacyTtlSeconds = 10;   // RFC 6762 6.7
// Length of our random peer name (js uses 63, the label limit; any length 1..63 interoperates).
inline constexpr std::size_t kPeerNameLength = 32;
// Addresses we announce (one TXT string each) and accept from one peer.
inline constexpr std::size_t kMaxAddrsPerPeer = 32;
// Peers we take from one response (each needs its own PTR).
inline constexpr std::size_t kMaxPeersPerResponse = 8;
// A and AAAA records we add for DNS-SD resolvers (one per distinct IP in our addresses).
inline constexpr std::size_t kMaxHostAddressRecords = 8;
// A TXT character-string holds at most 255 bytes ("dnsaddr=" included; RFC 6763 6.1).
inline constexpr std::size_t kMaxTxtStringBytes = 255;
static_assert(kMaxAddrsPerPeer <= kMaxTxtStrings, "our TXT record must decode");
// Our largest response (63-character peer name, kMaxAddrsPerPeer strings of 255 bytes) fits.
static_assert(12 + 17 + 10 + 81 + 81 + 10 + kMaxAddrsPerPeer * (kMaxTxtStringBytes + 1) <=
              kMaxMdnsPacketBytes);

// The query we multicast at start and every query interval.
Bytes build_query();

// A peer name from `random` (REQUIRES: random.size() == kPeerNameLength, from a CSPRNG or any
// source: it only has to differ between peers): each byte picks one of [a-z0-9].
std::string peer_name_from(ByteView random);

// How to answer a query, when it asks for our service (a PTR or ANY question for kServiceName in
// class IN or ANY): `unicast` when that question set the QU bit (RFC 6762 5.4).
struct ServiceQuery {
  bool unicast = false;
  Question question;  // the question that matched
};
std::optional<ServiceQuery> match_service_query(const Message& query);

// Our response: `addrs` become "dnsaddr=<addr>/p2p/<self>" strings (an address that already ends
// in /p2p/<self> is used as is; one naming another peer is skipped, as are strings above
// kMaxTxtStringBytes); at most kMaxAddrsPerPeer. SRV + A/AAAA follow when the addresses hold IPs
// (at most kMaxHostAddressRecords; left out if they would exceed kMaxMdnsPacketBytes). Errors:
// invalid_state (no address left to announce: send nothing), and encode() errors for a peer_name
// that is not one valid label.
Result<Bytes> build_response(std::string_view peer_name, const wire::PeerId& self,
                             std::span<const wire::Multiaddr> addrs);

// The unicast reply to a "legacy" querier (one that sent from a port other than 5353, RFC 6762
// 6.7): as build_response, plus the query's ID, the matching question, and every TTL capped at
// kLegacyTtlSeconds. Errors: as build_response; invalid_state also when `query` does not ask for
// our service.
Result<Bytes> build_legacy_response(const Message& query, std::string_view peer_name,
                                    const wire::PeerId& self,
                                    std::span<const wire::Multiaddr> addrs);

struct DiscoveredPeer {
  wire::PeerId id;
  std::vector<wire::Multiaddr> addrs;  // without the trailing /p2p/<id>, in announcement order
};

// The peers a response announces: for each PTR for kServiceName (in answers or additionals), the
// TXT strings of its target that parse as "dnsaddr=<multiaddr ending in /p2p/<id>>". The first
// such address names the peer; addresses naming another peer, strings that do not parse and
// duplicates are skipped. Peers equal to `self`, peers with no address, and goodbyes (a PTR with
// TTL 0) are left out. Queries
// and non-libp2p responses yield an empty vector.
std::vector<DiscoveredPeer> parse_response(const Message& response, const wire::PeerId& self);

}  // namespace ipfsa::proto::mdns
