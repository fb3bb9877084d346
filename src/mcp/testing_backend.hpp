// Test support (not part of the library): a ServiceBackend with fixed P2P data whose gateway is a
// real node::GitHubGateway over a real cache and the recorded-GitHub fixtures server, started with
// the MCP scenarios of tests/mcp/fixtures. Fails (never skips) when node or node_modules is
// missing.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cache/config.hpp"
#include "cache/test_util.hpp"
#include "github/client.hpp"
#include "github/fixture_server_testing.hpp"
#include "node/github_gateway.hpp"
#include "node/service_backend.hpp"

namespace ipfsa::mcp::testing {

inline constexpr std::string_view kToken = "0000000000000000000000000000000000000001";

// The fixture GitHub server with the MCP scenarios (tests/mcp/fixtures) beside the recordings.
class McpFixtures {
 public:
  std::string start() { return server_.start(); }
  std::string base() const { return server_.base(); }

  static github::ClientConfig client_config(std::string api_url) {
    github::ClientConfig cfg;
    cfg.api_url = std::move(api_url);
    cfg.token = SecretBytes{std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(kToken.data()), kToken.size())};
    cfg.default_accept = "application/vnd.github.v3+json";
    cfg.timeout = std::chrono::seconds{10};
    return cfg;
  }

  // Loads a scenario; returns its API base URL ("" on failure).
  std::string load(const std::string& scenario) const {
    auto c = github::Client::create(client_config(base()));
    if (!c) return "";
    github::Request req;
    req.method = "POST";
    req.target = base() + "/fixtures";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = R"({"scenario":")" + scenario + R"("})";
    auto r = (*c)->send(req);
    if (!r || r->status != 201) return "";
    const auto p = r->body.find("\"url\":\"");
    if (p == std::string::npos) return "";
    const auto e = r->body.find('"', p + 7);
    return r->body.substr(p + 7, e - p - 7);
  }

 private:
  github::testing::FixtureServer server_{std::string(IPFSA_MCP_FIXTURES_DIR) + "/*.json"};
};

// Fixed P2P state, a real cache in a temp dir, a real client + gateway for one API base URL.
class TestBackend : public node::ServiceBackend {
 public:
  explicit TestBackend(std::string api_url) {
    cache::Config config;
    config.dir = dir_.path();
    auto cache = cache::GitHubAPICache::open(config);
    EXPECT_TRUE(cache) << cache.error();
    cache_ = std::move(*cache);
    auto client = github::Client::create(McpFixtures::client_config(std::move(api_url)));
    EXPECT_TRUE(client);
    client_ = std::move(*client);
    gateway_ = std::make_unique<node::GitHubGateway>(*cache_, *client_);
    p2p.enabled = true;
    p2p.active = true;
    p2p.status = "active";
    p2p.peer_id = "12D3KooWTestPeer";
    p2p.listen_addrs = {"/ip4/127.0.0.1/tcp/9100/p2p/12D3KooWTestPeer"};
    node::PeerView peer;
    peer.peer_id = "12D3KooWOther";
    peer.addrs = {"/ip4/127.0.0.1/tcp/9101"};
    peer.agent = "ipfs-accelerate/test";
    peer.rtt_ms = 1.5;
    peer.connected_since_ms = 1'700'000'000'000;
    peer.entries_served = 3;
    peer.found_by = node::FoundBy::mdns;
    p2p.peers.push_back(peer);
  }
  node::P2pStatus p2p_status() override { return p2p; }
  cache::CacheStats cache_stats() override { return cache_->stats(); }
  node::GitHubGateway& gateway() override { return *gateway_; }
  cache::GitHubAPICache& cache() { return *cache_; }

  node::P2pStatus p2p;

 private:
  cache::testing::TempDir dir_;
  std::unique_ptr<cache::GitHubAPICache> cache_;
  std::unique_ptr<github::Client> client_;
  std::unique_ptr<node::GitHubGateway> gateway_;
};

}  // namespace ipfsa::mcp::testing
