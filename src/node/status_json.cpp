#include "node/status_json.hpp"

#include "wire/multiaddr.hpp"

#include <cmath>
#include <ctime>

namespace ipfsa::node {
namespace {

namespace json = boost::json;

// The TCP port of a multiaddr text ("/ip4/1.2.3.4/tcp/9100/p2p/..."), 0 if none.
std::uint16_t tcp_port(std::string_view addr) {
  auto ma = wire::Multiaddr::parse(addr);
  if (!ma) return 0;
  auto target = ma->tcp_target();
  return target ? target->port : 0;
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

std::string iso8601_utc(std::int64_t epoch_ms) {
  if (epoch_ms <= 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr) return "";
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

json::object peers_view(const P2pStatus& s, std::int64_t now_ms) {
  json::object doc;
  doc["enabled"] = s.enabled;
  doc["active"] = s.active;
  doc["peer_count"] = s.peers.size();
  json::array peers;
  for (const auto& p : s.peers) {
    // The seed's keys, filled from the registry entry of the same peer when there is one.
    const RegistryPeerView* listed = nullptr;
    for (const auto& r : s.registry_peers) {
      if (r.peer_id == p.peer_id) listed = &r;
    }
    json::object o;
    o["peer_id"] = p.peer_id;
    o["runner_name"] = listed ? listed->runner_name : std::string();
    std::uint16_t port = listed ? listed->listen_port : 0;
    if (port == 0 && !p.addrs.empty()) port = tcp_port(p.addrs.front());
    o["listen_port"] = port;
    o["last_seen"] = iso8601_utc(now_ms);  // connected now
    o["addrs"] = strings(p.addrs);
    o["agent"] = p.agent;
    if (p.rtt_ms) {
      o["rtt_ms"] = *p.rtt_ms;
    } else {
      o["rtt_ms"] = nullptr;
    }
    o["connected_since"] = iso8601_utc(p.connected_since_ms);
    o["connected_since_ms"] = p.connected_since_ms;
    o["entries_served"] = p.entries_served;
    o["entries_received"] = p.entries_received;
    o["found_by"] = std::string(to_string(p.found_by));
    o["connection"] = p.relayed ? "relayed" : "direct";
    peers.emplace_back(std::move(o));
  }
  doc["peers"] = std::move(peers);
  doc["peer_id"] = s.peer_id;
  doc["status"] = s.status;
  doc["sharing"] = s.sharing;
  doc["listen_addrs"] = strings(s.listen_addrs);
  json::array registry;
  for (const auto& r : s.registry_peers) {
    json::object o;
    o["peer_id"] = r.peer_id;
    o["runner_name"] = r.runner_name;
    o["listen_port"] = r.listen_port;
    o["last_seen"] = r.last_seen;
    o["multiaddr"] = r.multiaddr;
    o["connected"] = r.connected;
    registry.emplace_back(std::move(o));
  }
  doc["registry_peer_count"] = s.registry_peers.size();
  doc["registry_peers"] = std::move(registry);
  doc["registry_repo"] = s.registry_repo;
  doc["registry_error"] = s.registry_error;
  doc["bytes_in"] = s.bytes_in;
  doc["bytes_out"] = s.bytes_out;
  doc["announcements_sent"] = s.announcements_sent;
  doc["announcements_received"] = s.announcements_received;
  doc["entries_rejected"] = s.entries_rejected;
  doc["swarm_members"] = s.swarm_members;
  doc["requests_forwarded"] = s.requests_forwarded;
  doc["owners_unreachable"] = s.owners_unreachable;
  doc["on_demand_dials"] = s.on_demand_dials;
  doc["pulled_from_owner"] = s.pulled_from_owner;
  doc["pulled_from_successor"] = s.pulled_from_successor;
  doc["taken_back"] = s.taken_back;
  doc["fetched_for_peers"] = s.fetched_for_peers;
  json::object relay;
  relay["mode"] = s.relay_mode;
  relay["serving"] = s.relay_serving;
  relay["reservations"] = s.relay_reservations;
  relay["circuits"] = s.relay_circuits;
  relay["circuits_opened"] = s.relay_circuits_opened;
  json::array held;
  for (const auto& r : s.relay_reservations_held) {
    json::object o;
    o["relay"] = r.relay;
    o["expires"] = iso8601_utc(r.expires_ms);
    o["circuit_addrs"] = strings(r.circuit_addrs);
    held.emplace_back(std::move(o));
  }
  relay["held"] = std::move(held);
  doc["relay"] = std::move(relay);
  return doc;
}

namespace {

// The counters every cache-stats document carries, after the fields its caller put first.
void put_cache_counters(json::object& doc, const cache::CacheStats& c) {
  doc["total_size_bytes"] = c.total_size_bytes;
  doc["hits"] = c.hits;
  doc["misses"] = c.misses;
  doc["peer_hits"] = c.peer_hits;
  doc["expirations"] = c.expirations;
  doc["evictions"] = c.evictions;
  doc["api_calls_made"] = c.api_calls_made();
  doc["api_calls_made_rest"] = c.api_calls_made_rest;
  doc["api_calls_made_graphql"] = c.api_calls_made_graphql;
  doc["api_calls_refused_locally"] = c.api_calls_refused_locally;
  doc["upstream_failures"] = c.upstream_failures;
  doc["api_calls_saved"] = c.api_calls_saved;
  doc["revalidations_304"] = c.revalidations_304;
  doc["stale_served"] = c.stale_served;
  doc["coalesced"] = c.coalesced;
}

}  // namespace

json::object cache_stats_view(const cache::CacheStats& c, const P2pStatus& p,
                              json::storage_ptr storage) {
  json::object doc(std::move(storage));
  doc.reserve(20);  // the fields below: no rehash while filling
  doc["available"] = true;
  doc["total_entries"] = c.total_entries;
  doc["total_size_mb"] = round2(static_cast<double>(c.total_size_bytes) / (1024.0 * 1024.0));
  doc["hit_rate"] = c.hit_rate;
  doc["p2p_enabled"] = p.enabled;
  doc["p2p_peers"] = p.peers.size();
  doc["hit_rate_percent"] = std::round(c.hit_rate * 1000.0) / 10.0;
  put_cache_counters(doc, c);
  return doc;
}

std::string local_cache_stats_json(const cache::CacheStats& c) {
  json::object doc;
  doc.reserve(16);
  doc["total_entries"] = c.total_entries;
  doc["hit_rate"] = c.hit_rate;
  put_cache_counters(doc, c);
  return json::serialize(doc);
}

}  // namespace ipfsa::node
