// The node's state as JSON objects, shared by the MCP tools and usable by any other surface that
// wants the same shapes (the seed's /api/mcp/peers and /api/mcp/cache/stats keys, plus ours).
// Pure: no I/O, no clock.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "cache/github_api_cache.hpp"
#include "node/service_backend.hpp"

namespace ipfsa::mcp {

// Unix epoch milliseconds as ISO 8601 UTC ("2026-11-26T10:42:20Z"); "" for 0.
std::string iso8601_utc(std::int64_t epoch_ms);

// {enabled, active, status, sharing, peer_id, listen_addrs[], peer_count, peers[{peer_id, addrs,
//  agent, rtt_ms, connected_since, entries_served, entries_received, found_by}],
//  registry_peer_count, registry_peers[{peer_id, runner_name, listen_port, last_seen, multiaddr,
//  connected}], bytes_in, bytes_out, announcements_sent, announcements_received, entries_rejected}
boost::json::object peer_status_json(const node::P2pStatus& status);

// The seed's keys {available, total_entries, total_size_mb, hit_rate, p2p_enabled, p2p_peers}
// plus {hit_rate_percent, total_size_bytes, hits, misses, peer_hits, expirations, evictions,
// api_calls_made, api_calls_made_rest, api_calls_made_graphql, api_calls_saved,
// revalidations_304, stale_served, coalesced}.
boost::json::object cache_stats_json(const cache::CacheStats& stats, const node::P2pStatus& p2p);

}  // namespace ipfsa::mcp
