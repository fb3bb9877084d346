// The JSON API's documents (docs/service.md, "JSON API"), built from the node's snapshots. Pure:
// no I/O; `now_ms` is an input.
//
//   GET /api/mcp/peers        the seed's keys (enabled, active, peer_count, peers[{peer_id,
//                             runner_name, listen_port, last_seen}]) plus peer_id, status, sharing,
//                             listen_addrs, per-peer details and registry_peers
//   GET /api/mcp/cache/stats  the seed's keys (available, total_entries, total_size_mb, hit_rate,
//                             p2p_enabled, p2p_peers) plus every CacheStats counter
//   GET /api/mcp/cache/history  see StatsHistory
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "node/service_backend.hpp"

namespace ipfsa::service {

std::string peers_json(const node::P2pStatus& status, std::int64_t now_ms);
std::string cache_stats_json(const cache::CacheStats& stats, const node::P2pStatus& status);

// Samples of the cache counters for the dashboard's plot: a bounded ring (oldest dropped).
// Every value is cumulative since the node started; hit_rate is the stats' overall rate.
//   {"interval_s":30,"points":[{"t":<epoch ms>,"hit_rate":x,"calls_saved":n,"calls_made":n,
//    "peer_hits":n}, ...]}
// Thread-safe.
class StatsHistory {
 public:
  StatsHistory(std::size_t capacity, std::int64_t interval_s);
  void add(std::int64_t t_ms, const cache::CacheStats& stats);
  std::string to_json() const;
  std::size_t size() const;

 private:
  struct Point {
    std::int64_t t_ms;
    double hit_rate;
    std::uint64_t calls_saved;
    std::uint64_t calls_made;
    std::uint64_t peer_hits;
  };
  const std::size_t capacity_;
  const std::int64_t interval_s_;
  mutable std::mutex mutex_;
  std::deque<Point> points_;
};

}  // namespace ipfsa::service
