#include "service/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace ipfsa::service {
namespace {

void line(std::string& out, std::string_view name, std::string_view labels, double value) {
  char number[64];
  if (std::isnan(value)) {
    std::snprintf(number, sizeof number, "NaN");
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(number, sizeof number, "%.0f", value);
  } else {
    std::snprintf(number, sizeof number, "%.9g", value);
  }
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += number;
  out += '\n';
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
  header(out, name, type, help);
  line(out, name, {}, value);
}

}  // namespace

std::string_view to_string(RouteClass route) noexcept {
  switch (route) {
    case RouteClass::page:
      return "page";
    case RouteClass::api:
      return "api";
    case RouteClass::proxy:
      return "proxy";
    case RouteClass::graphql:
      return "graphql";
    case RouteClass::mcp:
      return "mcp";
    case RouteClass::metrics:
      return "metrics";
    case RouteClass::health:
      return "health";
    case RouteClass::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(Rejection reason) noexcept {
  switch (reason) {
    case Rejection::bad_request:
      return "bad_request";
    case Rejection::header_too_large:
      return "header_too_large";
    case Rejection::body_too_large:
      return "body_too_large";
    case Rejection::timeout:
      return "timeout";
    case Rejection::busy:
      return "busy";
    case Rejection::unauthorized:
      return "unauthorized";
    case Rejection::forbidden:
      return "forbidden";
  }
  return "bad_request";
}

void Metrics::observe(RouteClass route, double seconds) noexcept {
  auto& h = histograms_[static_cast<std::size_t>(route)];
  std::size_t i = 0;
  while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
  h.buckets[i].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  const double ns = seconds > 0 ? seconds * 1e9 : 0;
  h.sum_ns.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

void Metrics::reject(Rejection reason) noexcept {
  rejections_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::requests(RouteClass route) const noexcept {
  return histograms_[static_cast<std::size_t>(route)].count.load(std::memory_order_relaxed);
}

std::string Metrics::render(const cache::CacheStats& c, const node::P2pStatus& p) const {
  std::string out;
  out.reserve(8192);
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  metric(out, "ipfsa_cache_hits_total", "counter", "Lookups answered from a fresh local entry.",
         d(c.hits));
  metric(out, "ipfsa_cache_misses_total", "counter", "Lookups that needed a full upstream call.",
         d(c.misses));
  metric(out, "ipfsa_cache_peer_hits_total", "counter", "Lookups answered by a peer.",
         d(c.peer_hits));
  metric(out, "ipfsa_cache_expirations_total", "counter", "Lookups that found an expired entry.",
         d(c.expirations));
  metric(out, "ipfsa_cache_evictions_total", "counter", "Entries evicted by the LRU store.",
         d(c.evictions));
  header(out, "ipfsa_github_api_calls_total", "counter", "Calls made to the GitHub API, by kind.");
  line(out, "ipfsa_github_api_calls_total", "kind=\"rest\"", d(c.api_calls_made_rest));
  line(out, "ipfsa_github_api_calls_total", "kind=\"graphql\"", d(c.api_calls_made_graphql));
  metric(out, "ipfsa_github_api_calls_refused_locally_total", "counter",
         "Calls not sent: the token was rate-limited (seen here or reported by a peer).",
         d(c.api_calls_refused_locally));
  metric(out, "ipfsa_github_upstream_failures_total", "counter",
         "Calls sent to GitHub that got no HTTP answer.", d(c.upstream_failures));
  metric(out, "ipfsa_github_api_calls_saved_total", "counter",
         "GitHub calls avoided (hits, peer hits, coalesced waits, 304 revalidations).",
         d(c.api_calls_saved));
  metric(out, "ipfsa_cache_revalidations_304_total", "counter",
         "Expired entries renewed by a 304 Not Modified.", d(c.revalidations_304));
  metric(out, "ipfsa_cache_stale_served_total", "counter",
         "Expired entries served because GitHub failed.", d(c.stale_served));
  metric(out, "ipfsa_cache_coalesced_total", "counter",
         "Fetches that waited for another caller's identical upstream call.", d(c.coalesced));
  metric(out, "ipfsa_cache_hit_ratio", "gauge", "(hits + peer hits) / lookups since start.",
         c.hit_rate);
  metric(out, "ipfsa_cache_entries", "gauge", "Entries stored.", d(c.total_entries));
  metric(out, "ipfsa_cache_size_bytes", "gauge", "Bytes stored (bodies and meta).",
         d(c.total_size_bytes));
  metric(out, "ipfsa_p2p_enabled", "gauge", "1 if P2P sharing is enabled.", p.enabled ? 1 : 0);
  metric(out, "ipfsa_p2p_active", "gauge", "1 if the libp2p host is listening.", p.active ? 1 : 0);
  metric(out, "ipfsa_p2p_peers", "gauge", "Connected peers.", d(p.peers.size()));
  metric(out, "ipfsa_p2p_registry_peers", "gauge", "Peers listed in the registry.",
         d(p.registry_peers.size()));
  metric(out, "ipfsa_p2p_received_bytes_total", "counter", "P2P payload bytes received.",
         d(p.bytes_in));
  metric(out, "ipfsa_p2p_sent_bytes_total", "counter", "P2P payload bytes sent.", d(p.bytes_out));
  metric(out, "ipfsa_p2p_announcements_sent_total", "counter", "Cache announcements sent.",
         d(p.announcements_sent));
  metric(out, "ipfsa_p2p_announcements_received_total", "counter", "Cache announcements received.",
         d(p.announcements_received));
  metric(out, "ipfsa_p2p_entries_rejected_total", "counter",
         "Bodies or announcements from peers that failed verification.", d(p.entries_rejected));
  metric(out, "ipfsa_http_connections", "gauge", "Open HTTP connections.",
         static_cast<double>(connections()));
  header(out, "ipfsa_http_rejected_total", "counter", "Requests cut before routing, by reason.");
  for (std::size_t i = 0; i < kRejections; ++i) {
    std::string label = "reason=\"";
    label += to_string(static_cast<Rejection>(i));
    label += '"';
    line(out, "ipfsa_http_rejected_total", label, d(rejections_[i].load()));
  }
  header(out, "ipfsa_http_request_duration_seconds", "histogram",
         "Time from a complete request to its response being ready, by route class.");
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    const auto& h = histograms_[r];
    const std::string route(to_string(static_cast<RouteClass>(r)));
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i].load(std::memory_order_relaxed);
      char le[32];
      if (i == kLatencyBuckets.size()) {
        std::snprintf(le, sizeof le, "+Inf");
      } else {
        std::snprintf(le, sizeof le, "%g", kLatencyBuckets[i]);
      }
      line(out, "ipfsa_http_request_duration_seconds_bucket",
           "route=\"" + route + "\",le=\"" + le + "\"", d(cumulative));
    }
    line(out, "ipfsa_http_request_duration_seconds_sum", "route=\"" + route + "\"",
         static_cast<double>(h.sum_ns.load(std::memory_order_relaxed)) / 1e9);
    line(out, "ipfsa_http_request_duration_seconds_count", "route=\"" + route + "\"",
         d(cumulative));  // = the +Inf bucket, even while observe() runs
  }
  return out;
}

}  // namespace ipfsa::service
