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

// serve.mjs with tests/mcp/fixtures/*.json (plus @octokit/fixtures' own scenarios).
class McpFixtures {
 public:
  std::string start() {
    const std::filesystem::path dir = IPFSA_GITHUB_FIXTURES_DIR;
    auto node = github::testing::find_on_path("node");
    if (!node) return "node is not on PATH (install nodejs)";
    if (!std::filesystem::exists(dir / "node_modules" / "@octokit" / "fixtures-server")) {
      return "missing " + (dir / "node_modules").string() + ": run `npm ci` in " + dir.string();
    }
    port_ = github::testing::free_port();
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    std::string port = std::to_string(port_);
    std::string glob = std::string(IPFSA_MCP_FIXTURES_DIR) + "/*.json";
    char* argv[] = {node->data(), const_cast<char*>("serve.mjs"), port.data(), glob.data(),
                    nullptr};
    const int rc = ::posix_spawn(&pid_, node->c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[1]);
    if (rc != 0) {
      ::close(p[0]);
      return "cannot spawn node";
    }
    std::string out;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (std::chrono::steady_clock::now() < end && out.find('\n') == std::string::npos) {
      pollfd pfd{p[0], POLLIN, 0};
      if (::poll(&pfd, 1, 200) > 0) {
        char buf[256];
        const ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(p[0]);
    return out.find("fixtures server on") != std::string::npos ? ""
                                                               : "serve.mjs did not start: " + out;
  }
  ~McpFixtures() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

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
  pid_t pid_ = -1;
  int port_ = 0;
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
