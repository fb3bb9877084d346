#include "service/json_api.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <ctime>

#include "base/json_text.hpp"
#include "node/status_json.hpp"

namespace ipfsa::service {

namespace json = boost::json;

std::string peers_json(const node::P2pStatus& s, std::int64_t now_ms) {
  return json_text(node::peers_view(s, now_ms));
}

std::string cache_stats_json(const cache::CacheStats& c, const node::P2pStatus& p) {
  // Polled by dashboards and agents: the object lives in a stack buffer, not on the heap.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  return json_text(node::cache_stats_view(c, p, &arena));
}

StatsHistory::StatsHistory(std::size_t capacity, std::int64_t interval_s)
    : capacity_(capacity == 0 ? 1 : capacity), interval_s_(interval_s) {}

void StatsHistory::add(std::int64_t t_ms, const cache::CacheStats& s) {
  std::lock_guard lock(mutex_);
  if (points_.size() == capacity_) points_.pop_front();
  points_.push_back({t_ms, s.hit_rate, s.api_calls_saved, s.api_calls_made(), s.peer_hits});
}

std::size_t StatsHistory::size() const {
  std::lock_guard lock(mutex_);
  return points_.size();
}

std::string StatsHistory::to_json() const {
  json::object doc;
  doc["interval_s"] = interval_s_;
  json::array points;
  {
    std::lock_guard lock(mutex_);
    for (const auto& p : points_) {
      json::object o;
      o["t"] = p.t_ms;
      o["hit_rate"] = p.hit_rate;
      o["calls_saved"] = p.calls_saved;
      o["calls_made"] = p.calls_made;
      o["peer_hits"] = p.peer_hits;
      points.emplace_back(std::move(o));
    }
  }
  doc["points"] = std::move(points);
  return json_text(doc);
}

}  // namespace ipfsa::service
