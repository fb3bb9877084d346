// libp2p/specs discovery/mdns.md ("Peer Discovery"), matched against js-libp2p @libp2p/mdns
// 12.0.32 (query.js: queryLAN, gotQuery, gotResponse).
#include "proto/mdns/discovery.hpp"

#include <algorithm>

namespace ipfsa::proto::mdns {
namespace {

constexpr std::string_view kPeerNameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

bool class_matches(std::uint16_t c) { return c == kClassIn || c == kClassAny; }

// The TXT strings of records named `name` in `section`.
void collect_txt(const std::vector<Record>& section, std::string_view name,
                 std::vector<const Bytes*>& out) {
  for (const auto& rec : section) {
    if (rec.type != type::kTxt || !names_equal(rec.name, name)) continue;
    for (const auto& s : std::get<TxtData>(rec.data).strings) out.push_back(&s);
  }
}

std::optional<DiscoveredPeer> peer_from(const Message& m, std::string_view instance,
                                        const wire::PeerId& self) {
  std::vector<const Bytes*> strings;
  collect_txt(m.answers, instance, strings);
  collect_txt(m.additionals, instance, strings);
  std::optional<DiscoveredPeer> peer;
  for (const Bytes* s : strings) {
    const std::string_view text(reinterpret_cast<const char*>(s->data()), s->size());
    if (!text.starts_with(kDnsaddrPrefix)) continue;
    auto addr = wire::Multiaddr::parse(text.substr(kDnsaddrPrefix.size()));
    if (!addr) continue;
    auto id = addr->peer_id();
    if (!id) continue;  // the spec requires /p2p/<id>
    if (!peer) peer = DiscoveredPeer{*id, {}};
    if (*id != peer->id) continue;
    auto bare = addr->without_peer_id();
    if (bare.empty()) continue;
    if (std::find(peer->addrs.begin(), peer->addrs.end(), bare) != peer->addrs.end()) continue;
    if (peer->addrs.size() == kMaxAddrsPerPeer) break;
    peer->addrs.push_back(std::move(bare));
  }
  if (!peer || peer->id == self || peer->addrs.empty()) return std::nullopt;
  return peer;
}

// DNS-SD's view of the same addresses (spec "Response"; libp2p/zeroconf, which go-libp2p uses,
// reports an instance only once an A or AAAA record resolves its SRV target):
//   <instance> SRV 0 0 <first TCP port> <peer-name>.local, and A/AAAA <peer-name>.local per IP.
std::vector<Record> address_records(std::string_view peer_name,
                                    const std::vector<wire::Multiaddr>& addrs) {
  const std::string host = std::string(peer_name) + ".local";
  std::vector<Record> ips;
  std::optional<std::uint16_t> port;
  for (const auto& addr : addrs) {
    const auto& c = addr.components();
    if (c.size() >= 2 && c[1].protocol == wire::Protocol::tcp && !port)
      port = load_be16(c[1].value.data());
    if (c.empty() || ips.size() == kMaxHostAddressRecords) continue;
    Record r{host, type::kA, kClassIn, false, kRecordTtlSeconds, AData{}};
    if (c[0].protocol == wire::Protocol::ip4) {
      std::copy(c[0].value.begin(), c[0].value.end(), std::get<AData>(r.data).address.begin());
    } else if (c[0].protocol == wire::Protocol::ip6) {
      AaaaData six;
      std::copy(c[0].value.begin(), c[0].value.end(), six.address.begin());
      r.type = type::kAaaa;
      r.data = six;
    } else {
      continue;
    }
    if (std::find(ips.begin(), ips.end(), r) == ips.end()) ips.push_back(std::move(r));
  }
  if (ips.empty()) return ips;
  std::vector<Record> out;
  out.push_back(Record{std::string(peer_name) + "." + std::string(kServiceName), type::kSrv,
                       kClassIn, false, kRecordTtlSeconds, SrvData{0, 0, port.value_or(0), host}});
  for (auto& r : ips) out.push_back(std::move(r));
  return out;
}

}  // namespace

Bytes build_query() {
  Message m;
  m.questions.push_back(Question{std::string(kServiceName), type::kPtr, kClassIn, false});
  return *encode(m);  // constant input: cannot fail
}

std::string peer_name_from(ByteView random) {
  std::string name;
  name.reserve(random.size());
  for (auto b : random) name.push_back(kPeerNameAlphabet[b % kPeerNameAlphabet.size()]);
  return name;
}

std::optional<ServiceQuery> match_service_query(const Message& query) {
  if (query.is_response()) return std::nullopt;
  for (const auto& q : query.questions) {
    if ((q.type == type::kPtr || q.type == type::kAny) && class_matches(q.qclass) &&
        names_equal(q.name, kServiceName))
      return ServiceQuery{q.unicast_response, q};
  }
  return std::nullopt;
}

namespace {

struct Draft {
  Message message;
  std::vector<Record> host_records;  // SRV + A/AAAA, added when they fit
};

Result<Draft> draft_response(std::string_view peer_name, const wire::PeerId& self,
                             std::span<const wire::Multiaddr> addrs) {
  const std::string instance = std::string(peer_name) + "." + std::string(kServiceName);
  TxtData txt;
  std::vector<wire::Multiaddr> announced;
  for (const auto& addr : addrs) {
    if (txt.strings.size() == kMaxAddrsPerPeer) break;
    auto id = addr.peer_id();
    if (id && *id != self) continue;
    const auto full = id ? addr : addr.with_peer_id(self);
    std::string text = std::string(kDnsaddrPrefix) + full.to_string();
    if (text.size() > kMaxTxtStringBytes) continue;
    Bytes bytes = to_bytes(text);
    if (std::find(txt.strings.begin(), txt.strings.end(), bytes) != txt.strings.end()) continue;
    txt.strings.push_back(std::move(bytes));
    announced.push_back(full);
  }
  if (txt.strings.empty()) return Error::invalid_state;
  Draft d;
  d.message.flags = flag::kResponse | flag::kAuthoritative;
  d.message.answers.push_back(Record{std::string(kServiceName), type::kPtr, kClassIn, false,
                                     kRecordTtlSeconds, PtrData{instance}});
  d.message.additionals.push_back(
      Record{instance, type::kTxt, kClassIn, false, kRecordTtlSeconds, std::move(txt)});
  d.host_records = address_records(peer_name, announced);
  return d;
}

Result<Bytes> finish(Draft d) {
  const auto bare = encode(d.message);
  if (d.host_records.empty() || !bare) return bare;
  for (auto& r : d.host_records) d.message.additionals.push_back(std::move(r));
  auto full = encode(d.message);
  // A long peer name with many long addresses can push the extras past kMaxMdnsPacketBytes: the
  // dnsaddr strings are what libp2p peers need, so they win.
  if (!full && full.error() == Error::too_large) return bare;
  return full;
}

}  // namespace

Result<Bytes> build_response(std::string_view peer_name, const wire::PeerId& self,
                             std::span<const wire::Multiaddr> addrs) {
  auto d = draft_response(peer_name, self, addrs);
  if (!d) return d.error();
  return finish(std::move(*d));
}

Result<Bytes> build_legacy_response(const Message& query, std::string_view peer_name,
                                    const wire::PeerId& self,
                                    std::span<const wire::Multiaddr> addrs) {
  auto match = match_service_query(query);
  if (!match) return Error::invalid_state;
  auto d = draft_response(peer_name, self, addrs);
  if (!d) return d.error();
  // RFC 6762 6.7: the query's ID, its question repeated, TTLs of at most ten seconds.
  d->message.id = query.id;
  d->message.questions.push_back(match->question);
  d->message.questions.back().unicast_response = false;
  for (auto* section : {&d->message.answers, &d->message.additionals, &d->host_records}) {
    for (auto& r : *section) r.ttl = std::min(r.ttl, kLegacyTtlSeconds);
  }
  return finish(std::move(*d));
}

std::vector<DiscoveredPeer> parse_response(const Message& response, const wire::PeerId& self) {
  std::vector<DiscoveredPeer> peers;
  if (!response.is_response()) return peers;
  std::vector<std::string_view> seen;
  for (const auto* section : {&response.answers, &response.additionals}) {
    for (const auto& rec : *section) {
      // TTL 0 is a goodbye (RFC 6762 10.1): the peer is leaving, not announcing itself.
      if (rec.type != type::kPtr || rec.ttl == 0 || !names_equal(rec.name, kServiceName)) continue;
      const std::string& instance = std::get<PtrData>(rec.data).target;
      if (std::any_of(seen.begin(), seen.end(),
                      [&](std::string_view s) { return names_equal(s, instance); }))
        continue;
      seen.push_back(instance);
      auto peer = peer_from(response, instance, self);
      if (!peer) continue;
      if (std::any_of(peers.begin(), peers.end(), [&](auto& p) { return p.id == peer->id; }))
        continue;
      peers.push_back(std::move(*peer));
      if (peers.size() == kMaxPeersPerResponse) return peers;
    }
  }
  return peers;
}

}  // namespace ipfsa::proto::mdns
