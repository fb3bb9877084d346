// GET /metrics: the Prometheus text exposition format 0.0.4 (docs/service.md, "Metrics").
// Counters come from the node's snapshots at scrape time; the HTTP request latency histograms are
// kept here, one per route class. observe() is thread-safe and lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "node/service_backend.hpp"

namespace ipfsa::service {

// Route classes, the `route` label of the latency histogram.
enum class RouteClass : std::uint8_t { page, api, proxy, graphql, mcp, metrics, health, other };
inline constexpr std::size_t kRouteClasses = 8;
std::string_view to_string(RouteClass route) noexcept;

// Upper bounds (seconds) of the latency buckets; +Inf is implicit.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30};

// Counts of requests the server cut before routing (the `reason` label).
enum class Rejection : std::uint8_t {
  bad_request,       // 400: malformed request line or header
  header_too_large,  // 431
  body_too_large,    // 413
  timeout,           // 408
  busy,              // 503: over kMaxConnections
  unauthorized,      // 401
  forbidden,         // 403 / 421: Origin or Host refused
};
inline constexpr std::size_t kRejections = 7;
std::string_view to_string(Rejection reason) noexcept;

class Metrics {
 public:
  void observe(RouteClass route, double seconds) noexcept;
  void reject(Rejection reason) noexcept;
  void connection_opened() noexcept { connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() noexcept { connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t connections() const noexcept { return connections_.load(std::memory_order_relaxed); }
  std::uint64_t requests(RouteClass route) const noexcept;

  // The whole exposition: cache and P2P counters from the snapshots, then our own.
  std::string render(const cache::CacheStats& cache, const node::P2pStatus& p2p) const;

 private:
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<Histogram, kRouteClasses> histograms_{};
  std::array<std::atomic<std::uint64_t>, kRejections> rejections_{};
  std::atomic<std::int64_t> connections_{0};
};

}  // namespace ipfsa::service
