#include "service/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

namespace ipfsa::service {
namespace {

// name{labels} -> value, checking every line against the text format 0.0.4 grammar.
std::map<std::string, double> parse(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\})?) (-?[0-9.e+-]+|NaN|\+Inf)$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, m, sample)) << line;
    if (m.size() > 4) out[m[1]] = std::stod(m[4]);
  }
  EXPECT_TRUE(text.ends_with("\n"));
  return out;
}

TEST(Metrics, CountersFromTheSnapshots) {
  cache::CacheStats c;
  c.hits = 7;
  c.misses = 3;
  c.peer_hits = 2;
  c.api_calls_made_rest = 3;
  c.api_calls_made_graphql = 1;
  c.api_calls_saved = 9;
  c.revalidations_304 = 4;
  c.stale_served = 5;
  c.hit_rate = 0.75;
  c.total_entries = 11;
  c.total_size_bytes = 12345;
  node::P2pStatus p;
  p.enabled = true;
  p.active = true;
  p.peers.resize(2);
  p.bytes_in = 100;
  p.bytes_out = 200;
  Metrics metrics;
  auto values = parse(metrics.render(c, p));
  EXPECT_EQ(values["ipfsa_cache_hits_total"], 7);
  EXPECT_EQ(values["ipfsa_cache_misses_total"], 3);
  EXPECT_EQ(values["ipfsa_cache_peer_hits_total"], 2);
  EXPECT_EQ(values["ipfsa_github_api_calls_total{kind=\"rest\"}"], 3);
  EXPECT_EQ(values["ipfsa_github_api_calls_total{kind=\"graphql\"}"], 1);
  EXPECT_EQ(values["ipfsa_github_api_calls_saved_total"], 9);
  EXPECT_EQ(values["ipfsa_cache_revalidations_304_total"], 4);
  EXPECT_EQ(values["ipfsa_cache_stale_served_total"], 5);
  EXPECT_DOUBLE_EQ(values["ipfsa_cache_hit_ratio"], 0.75);
  EXPECT_EQ(values["ipfsa_cache_entries"], 11);
  EXPECT_EQ(values["ipfsa_cache_size_bytes"], 12345);
  EXPECT_EQ(values["ipfsa_p2p_peers"], 2);
  EXPECT_EQ(values["ipfsa_p2p_active"], 1);
  EXPECT_EQ(values["ipfsa_p2p_received_bytes_total"], 100);
  EXPECT_EQ(values["ipfsa_p2p_sent_bytes_total"], 200);
}

TEST(Metrics, LatencyHistogramIsCumulativePerRoute) {
  Metrics metrics;
  metrics.observe(RouteClass::proxy, 0.00005);  // first bucket
  metrics.observe(RouteClass::proxy, 0.002);    // le 0.0025
  metrics.observe(RouteClass::proxy, 100);      // +Inf only
  metrics.observe(RouteClass::api, 0.0001);     // exactly on a bound: counted in it
  metrics.reject(Rejection::header_too_large);
  auto v = parse(metrics.render({}, {}));
  const std::string b = "ipfsa_http_request_duration_seconds_bucket{route=\"proxy\",le=\"";
  EXPECT_EQ(v[b + "0.0001\"}"], 1);
  EXPECT_EQ(v[b + "0.001\"}"], 1);
  EXPECT_EQ(v[b + "0.0025\"}"], 2);
  EXPECT_EQ(v[b + "30\"}"], 2);
  EXPECT_EQ(v[b + "+Inf\"}"], 3);
  EXPECT_EQ(v["ipfsa_http_request_duration_seconds_count{route=\"proxy\"}"], 3);
  EXPECT_NEAR(v["ipfsa_http_request_duration_seconds_sum{route=\"proxy\"}"], 100.00205, 1e-6);
  EXPECT_EQ(v["ipfsa_http_request_duration_seconds_bucket{route=\"api\",le=\"0.0001\"}"], 1);
  EXPECT_EQ(v["ipfsa_http_request_duration_seconds_count{route=\"mcp\"}"], 0);
  EXPECT_EQ(v["ipfsa_http_rejected_total{reason=\"header_too_large\"}"], 1);
  EXPECT_EQ(v["ipfsa_http_rejected_total{reason=\"busy\"}"], 0);
  EXPECT_EQ(metrics.requests(RouteClass::proxy), 3u);
  // Every route class has a full histogram.
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    std::string route(to_string(static_cast<RouteClass>(r)));
    EXPECT_TRUE(
        v.count("ipfsa_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"}"))
        << route;
  }
}

}  // namespace
}  // namespace ipfsa::service
