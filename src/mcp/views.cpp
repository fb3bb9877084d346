#include "mcp/views.hpp"

#include <cmath>
#include <ctime>

namespace ipfsa::mcp {
namespace json = boost::json;

std::string iso8601_utc(std::int64_t epoch_ms) {
  if (epoch_ms <= 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr) return "";
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

json::object peer_status_json(const node::P2pStatus& s) {
  json::object out;
  out["enabled"] = s.enabled;
  out["active"] = s.active;
  out["status"] = s.status;
  out["sharing"] = s.sharing;
  out["peer_id"] = s.peer_id;
  json::array listen;
  for (const auto& a : s.listen_addrs) listen.emplace_back(a);
  out["listen_addrs"] = std::move(listen);
  out["peer_count"] = s.peers.size();
  json::array peers;
  for (const auto& p : s.peers) {
    json::object o;
    o["peer_id"] = p.peer_id;
    json::array addrs;
    for (const auto& a : p.addrs) addrs.emplace_back(a);
    o["addrs"] = std::move(addrs);
    o["agent"] = p.agent;
    if (p.rtt_ms) {
      o["rtt_ms"] = *p.rtt_ms;
    } else {
      o["rtt_ms"] = nullptr;
    }
    o["connected_since"] = iso8601_utc(p.connected_since_ms);
    o["entries_served"] = p.entries_served;
    o["entries_received"] = p.entries_received;
    o["found_by"] = std::string(node::to_string(p.found_by));
    peers.emplace_back(std::move(o));
  }
  out["peers"] = std::move(peers);
  out["registry_peer_count"] = s.registry_peers.size();
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
  out["registry_peers"] = std::move(registry);
  out["bytes_in"] = s.bytes_in;
  out["bytes_out"] = s.bytes_out;
  out["announcements_sent"] = s.announcements_sent;
  out["announcements_received"] = s.announcements_received;
  out["entries_rejected"] = s.entries_rejected;
  return out;
}

json::object cache_stats_json(const cache::CacheStats& s, const node::P2pStatus& p2p) {
  json::object out;
  out["available"] = true;
  out["total_entries"] = s.total_entries;
  // Two decimals, as the seed shows ("total_size_mb": 2.5).
  out["total_size_mb"] =
      std::round(static_cast<double>(s.total_size_bytes) / 1048576.0 * 100.0) / 100.0;
  out["hit_rate"] = s.hit_rate;
  out["p2p_enabled"] = p2p.enabled;
  out["p2p_peers"] = p2p.peers.size();
  out["hit_rate_percent"] = std::round(s.hit_rate * 1000.0) / 10.0;
  out["total_size_bytes"] = s.total_size_bytes;
  out["hits"] = s.hits;
  out["misses"] = s.misses;
  out["peer_hits"] = s.peer_hits;
  out["expirations"] = s.expirations;
  out["evictions"] = s.evictions;
  out["api_calls_made"] = s.api_calls_made();
  out["api_calls_made_rest"] = s.api_calls_made_rest;
  out["api_calls_made_graphql"] = s.api_calls_made_graphql;
  out["api_calls_saved"] = s.api_calls_saved;
  out["revalidations_304"] = s.revalidations_304;
  out["stale_served"] = s.stale_served;
  out["coalesced"] = s.coalesced;
  return out;
}

}  // namespace ipfsa::mcp
