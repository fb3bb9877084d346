// Test helper: the GitHub fixture server (tests/github-fixtures/serve.mjs) with the registry
// scenarios (tests/github-fixtures/custom/registry-*.json) and a Registry configured the way
// those recordings expect (repo, token, Accept, the wall time they were written for).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "discovery/registry/registry.hpp"
#include "github/client.hpp"
#include "github/fixture_server_testing.hpp"

namespace ipfsa::registry::testing {

inline constexpr std::string_view kRepo = "octokit-fixture-org/registry-test";
inline constexpr std::string_view kToken = "0000000000000000000000000000000000000001";
inline constexpr std::string_view kSelfPeer = "QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa";
inline constexpr std::string_view kPeerA = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
inline constexpr std::string_view kPeerB = "12D3KooWLtDQXqwRoSovGX1UwuRBtStSh8d5NE51ujVe3cvdZpw9";
inline constexpr std::string_view kPeerC = "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN";

// The recordings' "now": 2026-11-26T12:00:00Z.
inline WallTime recorded_now() {
  using namespace std::chrono;
  return WallTime{sys_days{year{2026} / 11 / 26}} + hours{12};
}

class RegistryFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new github::testing::FixtureServer;
    start_error_ = new std::string(server_->start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_error_;
  }
  void SetUp() override { ASSERT_EQ(*start_error_, "") << "fixtures server unavailable"; }

  static github::ClientConfig client_config(std::string api_url) {
    github::ClientConfig cfg;
    cfg.api_url = std::move(api_url);
    const std::string_view t = kToken;
    cfg.token = SecretBytes{
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(t.data()), t.size())};
    cfg.default_accept = "application/vnd.github.v3+json";
    cfg.timeout = std::chrono::seconds{10};
    return cfg;
  }

  // Loads `scenario` and returns a client whose API base is that scenario.
  static std::unique_ptr<github::Client> scenario_client(const std::string& scenario,
                                                         Duration timeout = std::chrono::seconds{10}) {
    auto loader = github::Client::create(client_config(server_->base()));
    if (!loader) return nullptr;
    github::Request req;
    req.method = "POST";
    req.target = server_->base() + "/fixtures";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = R"({"scenario":")" + scenario + R"("})";
    auto r = (*loader)->send(req);
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 201) << r->body;
    auto p = r->body.find("\"url\":\"");
    if (p == std::string::npos) return nullptr;
    auto e = r->body.find('"', p + 7);
    auto cfg = client_config(r->body.substr(p + 7, e - p - 7));
    cfg.timeout = timeout;
    auto c = github::Client::create(std::move(cfg));
    return c ? std::move(*c) : nullptr;
  }

  // Waits until the fixture server holds `n` delayed requests (serve.mjs GET /_held): the event
  // "the request is on the wire". The deadline only catches a stuck server.
  static bool wait_until_held(int n) {
    auto probe = github::Client::create(client_config(server_->base()));
    if (!probe) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
    const std::string want = "\"held\":" + std::to_string(n) + "}";
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = (*probe)->get(server_->base() + "/_held");
      if (r && r->status == 200 && r->body.find(want) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});  // poll interval, not a wait
    }
    return false;
  }

  static RegistryConfig registry_config() {
    RegistryConfig cfg;
    cfg.repo = std::string(kRepo);
    cfg.self.runner_name = "me";
    cfg.self.peer_id = std::string(kSelfPeer);
    cfg.self.multiaddr = "/ip4/10.0.0.1/tcp/9100/p2p/" + std::string(kSelfPeer);
    cfg.self.listen_port = 9100;
    cfg.self.metadata = {{"agent", "ipfs-accelerate/0.1"}};
    cfg.clock = [] { return recorded_now(); };
    return cfg;
  }

  static std::unique_ptr<Registry> make_registry(github::Client& client) {
    auto r = Registry::create(client, registry_config());
    EXPECT_TRUE(r);
    return r ? std::move(*r) : nullptr;
  }

  static github::testing::FixtureServer* server_;
  static std::string* start_error_;
};

}  // namespace ipfsa::registry::testing
