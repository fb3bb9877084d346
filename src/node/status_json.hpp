// The node's state as JSON, in one shape for every surface: the JSON API (/api/mcp/peers,
// /api/mcp/cache/stats), the MCP tools (get_peer_status, get_cache_stats) and the dashboard. The
// seed's keys first, then ours. Pure: no I/O; the clock is a parameter.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "cache/github_api_cache.hpp"
#include "node/service_backend.hpp"

namespace ipfsa::node {

// Unix epoch milliseconds as ISO 8601 UTC ("2026-11-26T10:42:20Z", the seed's last_seen format);
// "" for 0 or less.
std::string iso8601_utc(std::int64_t epoch_ms);

// {enabled, active, peer_count, peers[{peer_id, runner_name, listen_port, last_seen (= now for a
// connected peer), addrs, agent, rtt_ms, connected_since, connected_since_ms, entries_served,
// entries_received, found_by}], peer_id, status, sharing, listen_addrs, registry_peer_count,
// registry_peers[{peer_id, runner_name, listen_port, last_seen, multiaddr, connected}],
// registry_repo ("" = off), registry_error ("" after a successful heartbeat), bytes_in, bytes_out,
// announcements_sent, announcements_received, entries_rejected, swarm_members, requests_forwarded,
// owners_unreachable, on_demand_dials, pulled_from_owner, pulled_from_successor, taken_back,
// fetched_for_peers}
boost::json::object peers_view(const P2pStatus& status, std::int64_t now_ms);

// {available, total_entries, total_size_mb, hit_rate, p2p_enabled, p2p_peers, hit_rate_percent,
// total_size_bytes, hits, misses, peer_hits, expirations, evictions, api_calls_made,
// api_calls_made_rest, api_calls_made_graphql, api_calls_refused_locally, upstream_failures,
// api_calls_saved, revalidations_304, stale_served, coalesced}
// `storage` lets a caller that only serialises build the object in a stack buffer.
boost::json::object cache_stats_view(const cache::CacheStats& stats, const P2pStatus& p2p,
                                     boost::json::storage_ptr storage = {});

// `ipfs-accelerate cache stats` (no node, no P2P): {total_entries, hit_rate, then the counters of
// cache_stats_view from total_size_bytes on}, serialised. The same writer as cache_stats_view.
std::string local_cache_stats_json(const cache::CacheStats& stats);

}  // namespace ipfsa::node
