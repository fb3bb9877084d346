// The service end to end on loopback: a real GitHubGateway over the recorded-GitHub fixtures
// server (tests/github-fixtures), raw sockets for the bad-input cases.
#include "service/service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "github/fixture_server_testing.hpp"
#include "mcp/http_transport.hpp"
#include "service/assets.hpp"
#include "service/testing_client.hpp"

namespace ipfsa::service {
namespace {

using namespace std::chrono_literals;
using testing::get_request;
using testing::RawClient;
namespace json = boost::json;

constexpr std::string_view kFixtureToken = "0000000000000000000000000000000000000001";
constexpr std::string_view kAccept = "Accept: application/vnd.github.v3+json";
constexpr std::string_view kRepo = "/api/v3/repos/octokit-fixture-org/hello-world";
const std::string kServiceToken = "service-token-0123456789";

SecretBytes secret(std::string_view s) {
  return SecretBytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

class Backend final : public node::ServiceBackend {
 public:
  node::P2pStatus p2p_status() override { return status; }
  cache::CacheStats cache_stats() override { return cache->stats(); }
  node::GitHubGateway& gateway() override { return *gw; }

  node::P2pStatus status;
  std::unique_ptr<cache::GitHubAPICache> cache;
  std::unique_ptr<github::Client> client;
  std::unique_ptr<node::GitHubGateway> gw;
};

class ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixtures_ = new github::testing::FixtureServer;
    start_error_ = new std::string(fixtures_->start());
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    delete start_error_;
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ipfsa-service-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    config_.limits.header_timeout = 500ms;
    config_.limits.body_timeout = 500ms;
    config_.limits.idle_timeout = 2s;
    config_.port = 0;
  }

  void TearDown() override {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Opens the cache and a client for `api_url`, then starts the service.
  void start(const std::string& api_url = "http://127.0.0.1:9", Duration upstream_timeout = 10s) {
    backend_.gw.reset();
    backend_.client.reset();
    backend_.cache.reset();  // releases the store's lock for a restart in the same test
    cache::Config cc;
    cc.dir = dir_;
    auto cache = cache::GitHubAPICache::open(cc);
    ASSERT_TRUE(cache) << cache.error();
    backend_.cache = std::move(*cache);
    github::ClientConfig gc;
    gc.api_url = api_url;
    gc.token = secret(kFixtureToken);
    gc.default_accept = "application/vnd.github.v3+json";
    gc.timeout = upstream_timeout;
    auto client = github::Client::create(std::move(gc));
    ASSERT_TRUE(client);
    backend_.client = std::move(*client);
    backend_.gw = std::make_unique<node::GitHubGateway>(*backend_.cache, *backend_.client);
    service_ = std::make_unique<Service>(io_, backend_, nullptr, std::move(config_));
    auto bound = service_->start();
    ASSERT_TRUE(bound) << bound.error().message();
    port_ = bound->port;
    io_.restart();  // after a previous run in the same test
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop() {
    if (!service_) return;
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      service_->stop();
      done.set_value();
    });
    done.get_future().wait();
    thread_.join();
    service_.reset();
  }

  static std::string load(const std::string& scenario) {
    github::ClientConfig gc;
    gc.api_url = fixtures_->base();
    auto c = github::Client::create(std::move(gc));
    github::Request req;
    req.method = "POST";
    req.target = fixtures_->base() + "/fixtures";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = R"({"scenario":")" + scenario + R"("})";
    auto r = (*c)->send(req);
    EXPECT_TRUE(r);
    if (!r) return "";
    auto p = r->body.find("\"url\":\"");
    auto e = r->body.find('"', p + 7);
    return r->body.substr(p + 7, e - p - 7);
  }
  void start_scenario(const std::string& scenario, Duration upstream_timeout = 10s) {
    ASSERT_EQ(*start_error_, "") << "fixtures server unavailable";
    start(load(scenario), upstream_timeout);
  }

  // One request on a fresh connection.
  std::optional<testing::RawResponse> fetch(const std::string& request, bool head = false) {
    RawClient client(port_);
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(client.send(request));
    return client.read(10s, head);
  }
  std::optional<testing::RawResponse> get(const std::string& target,
                                          const std::vector<std::string>& headers = {}) {
    return fetch(get_request(target, headers));
  }

  static inline github::testing::FixtureServer* fixtures_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  ServiceConfig config_;
  Backend backend_;
  boost::asio::io_context io_;
  std::unique_ptr<Service> service_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ServiceTest, HealthzAndNoWildcardCors) {
  start();
  auto r = get("/healthz", {"Origin: http://127.0.0.1"});  // same origin as Host: 127.0.0.1
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->header("content-type"), "application/json; charset=utf-8");
  EXPECT_FALSE(r->has_header("access-control-allow-origin"));
}

TEST_F(ServiceTest, PeersAndCacheStatsFromTheBackend) {
  backend_.status.enabled = true;
  backend_.status.active = true;
  backend_.status.status = "active";
  backend_.status.peer_id = "12D3KooWSelf";
  node::PeerView peer;
  peer.peer_id = "12D3KooWPeer";
  peer.addrs = {"/ip4/127.0.0.1/tcp/9101"};
  backend_.status.peers = {peer};
  start();
  auto r = get("/api/mcp/peers");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto peers = json::parse(r->body).as_object();
  EXPECT_EQ(peers.at("peer_count"), 1);
  EXPECT_EQ(peers.at("active"), true);
  EXPECT_EQ(peers.at("peer_id"), "12D3KooWSelf");
  EXPECT_EQ(peers.at("peers").as_array()[0].at("listen_port"), 9101);
  auto s = get("/api/mcp/cache/stats");
  ASSERT_TRUE(s);
  auto stats = json::parse(s->body).as_object();
  EXPECT_EQ(stats.at("available"), true);
  EXPECT_EQ(stats.at("p2p_enabled"), true);
  EXPECT_EQ(stats.at("p2p_peers"), 1);
  EXPECT_EQ(stats.at("total_entries"), 0);
  auto h = get("/api/mcp/cache/history");
  ASSERT_TRUE(h);
  auto history = json::parse(h->body).as_object();
  EXPECT_EQ(history.at("interval_s"), 30);
  ASSERT_GE(history.at("points").as_array().size(), 1u);  // sampled at start
  EXPECT_TRUE(history.at("points").as_array()[0].as_object().contains("calls_saved"));
  auto wrong = fetch(get_request("/api/mcp/peers", {"Content-Length: 0"}, "POST"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(get("/api/mcp/nothing")->status, 404);
  EXPECT_EQ(get("/nothing")->status, 404);
}

TEST_F(ServiceTest, PageAndAssets) {
  start();
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->header("content-security-policy"), kDashboardCsp);
  EXPECT_EQ(page->header("x-content-type-options"), "nosniff");
  // Every file of the source folder is served byte for byte.
  const std::filesystem::path dir = IPFSA_SERVICE_ASSETS_DIR;
  std::size_t files = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    const auto name = file.path().filename().string();
    if (name.starts_with(".")) continue;
    ++files;
    std::ifstream in(file.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto r = get("/assets/" + name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 200) << name;
    EXPECT_EQ(r->body, bytes) << name;
    EXPECT_EQ(r->header("content-type"), content_type_for(name));
    auto again = get("/assets/" + name, {"If-None-Match: " + r->header("etag")});
    EXPECT_EQ(again->status, 304) << name;
    EXPECT_TRUE(again->body.empty());
    if (name == "index.html") {
      EXPECT_EQ(page->body, bytes);
    }
  }
  EXPECT_EQ(files, embedded_assets().size());
  if (files == 0) {
    EXPECT_EQ(page->body, fallback_page());
  }
  EXPECT_EQ(get("/assets/../CMakeLists.txt")->status, 404);
  EXPECT_EQ(get("/assets/missing.js")->status, 404);
  auto head = fetch(get_request("/", {}, "HEAD"), true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(page->body.size()));
}

TEST_F(ServiceTest, ProxySecondReadIsAHitWithoutAnUpstreamCall) {
  start_scenario("get-repository");
  auto first = get(std::string(kRepo), {std::string(kAccept)});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->header("x-cache-status"), "miss");
  EXPECT_EQ(first->header("etag"), "\"00000000000000000000000000000000\"");
  EXPECT_EQ(first->header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(json::parse(first->body).at("full_name"), "octokit-fixture-org/hello-world");
  const auto calls = backend_.cache->stats().api_calls_made_rest;
  EXPECT_EQ(calls, 1u);
  // The fixture answers each request once: a second upstream call would fail.
  auto second = get(std::string(kRepo), {std::string(kAccept)});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->header("x-cache-status"), "hit");
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(backend_.cache->stats().api_calls_made_rest, calls);
  auto head = fetch(get_request(std::string(kRepo), {std::string(kAccept)}, "HEAD"), true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), std::to_string(first->body.size()));
  auto not_modified =
      get(std::string(kRepo), {std::string(kAccept), "If-None-Match: " + first->header("etag")});
  EXPECT_EQ(not_modified->status, 304);
  EXPECT_EQ(backend_.cache->stats().api_calls_made_rest, calls);
  auto stats = json::parse(get("/api/mcp/cache/stats")->body).as_object();
  EXPECT_EQ(stats.at("total_entries"), 1);
  EXPECT_EQ(stats.at("api_calls_made"), 1);
  EXPECT_GE(stats.at("hits").as_int64(), 2);
  // The metrics saw the proxy requests.
  auto metrics = get("/metrics");
  EXPECT_EQ(metrics->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics->body.find("ipfsa_cache_hits_total "), std::string::npos);
  EXPECT_NE(metrics->body.find("ipfsa_http_request_duration_seconds_count{route=\"proxy\"} 4"),
            std::string::npos)
      << metrics->body;
}

TEST_F(ServiceTest, ProxyRewritesPaginationLinks) {
  start_scenario("paginate-issues");
  auto r = get("/api/v3/repos/octokit-fixture-org/paginate-issues/issues?per_page=3",
               {std::string(kAccept), "Host: localhost:" + std::to_string(port_)});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto link = r->header("link");
  const std::string base = "http://127.0.0.1/api/v3/repositories/1000/issues?per_page=3&page=";
  EXPECT_NE(link.find("<" + base + "2>; rel=\"next\""), std::string::npos) << link;
  EXPECT_EQ(link.find(backend_.client->config().api_url), std::string::npos) << link;
  // Following the rewritten link reaches the next page through the proxy.
  auto next = get("/api/v3/repositories/1000/issues?per_page=3&page=2", {std::string(kAccept)});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200) << next->body;
}

TEST_F(ServiceTest, GhStyleAbsoluteFormRequests) {
  start_scenario("get-repository");
  // gh with GH_HOST=github.localhost and HTTP_PROXY at the service sends absolute-form requests.
  auto r = fetch(
      "GET http://api.github.localhost/repos/octokit-fixture-org/hello-world HTTP/1.1\r\n"
      "Host: api.github.localhost\r\n" +
      std::string(kAccept) + "\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-cache-status"), "miss");
  auto other = fetch("GET http://evil.example/x HTTP/1.1\r\nHost: evil.example\r\n\r\n");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 421);
}

TEST_F(ServiceTest, GraphqlThroughTheCache) {
  start_scenario("graphql-viewer");
  const std::string body =
      R"({"query":"query { viewer { login } }","variables":{"owner":"octokit"}})";
  const auto request =
      "POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(kAccept) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  auto first = fetch(request);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body).at("data").at("viewer").at("login"), "octocat");
  auto second = fetch(request);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->header("x-cache-status"), "hit");
  EXPECT_EQ(backend_.cache->stats().api_calls_made_graphql, 1u);
  auto bad = fetch("POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\n{x}");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(get("/api/graphql")->status, 405);
}

TEST_F(ServiceTest, UpstreamFailuresAreGitHubStyle502And504) {
  start();  // nothing listens on port 9
  auto r = get(std::string(kRepo), {std::string(kAccept)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  auto doc = json::parse(r->body).as_object();
  EXPECT_TRUE(doc.at("message").is_string());
  EXPECT_TRUE(doc.contains("documentation_url"));
  stop();
  config_ = ServiceConfig{};
  config_.port = 0;
  start_scenario("slow-get-repository", 1s);
  auto slow = get("/api/v3/repos/octokit-fixture-org/slow-repo", {std::string(kAccept)});
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 504) << slow->body;
}

TEST_F(ServiceTest, KeepAliveAndPipelining) {
  start();
  RawClient client(port_);
  ASSERT_TRUE(client.send(get_request("/healthz")));
  ASSERT_TRUE(client.read());
  ASSERT_TRUE(client.send(get_request("/healthz") + get_request("/api/mcp/cache/stats")));
  auto a = client.read();
  auto b = client.read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, R"({"status":"ok"})");
  EXPECT_NE(b->body.find("\"available\":true"), std::string::npos);
  ASSERT_TRUE(client.send(get_request("/healthz", {"Connection: close"})));
  auto last = client.read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(client.closed_within());
}

TEST_F(ServiceTest, IdleKeepAliveIsClosed) {
  start();
  RawClient client(port_);
  ASSERT_TRUE(client.send(get_request("/healthz")));
  ASSERT_TRUE(client.read());
  EXPECT_TRUE(client.closed_within());  // idle_timeout: 2 s here
}

TEST_F(ServiceTest, MalformedRequestsGet400) {
  start();
  for (std::string bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
                    "chunked\r\n\r\nzz\r\n")}) {
    RawClient client(port_);
    ASSERT_TRUE(client.send(bad));
    auto r = client.read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(client.closed_within());
  }
  EXPECT_EQ(fetch("GET /healthz HTTP/1.1\r\n\r\n")->status, 400);  // no Host
}

TEST_F(ServiceTest, OversizedHeaderGets431) {
  start();
  auto r = get("/healthz", {"X-Filler: " + std::string(kMaxHeaderBytes, 'a')});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  // Just under the limit is fine.
  auto ok = get("/healthz", {"X-Filler: " + std::string(kMaxHeaderBytes - 200, 'a')});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServiceTest, OversizedBodiesGet413) {
  start();
  // Declared: answered before the body is sent.
  auto declared = fetch("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                        std::to_string(kMaxBodyBytes + 1) + "\r\n\r\n");
  ASSERT_TRUE(declared);
  EXPECT_EQ(declared->status, 413);
  auto proxy =
      fetch("POST /api/v3/repos/o/r/issues HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
            std::to_string(kMaxProxyBodyBytes + 1) + "\r\n\r\n");
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->status, 413);
  // Chunked: cut while reading.
  RawClient client(port_);
  ASSERT_TRUE(
      client.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  for (std::size_t sent = 0; sent <= kMaxBodyBytes && client.send(chunk); sent += 0x10000) {
  }
  auto r = client.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServiceTest, ExpectContinue) {
  start();
  RawClient client(port_);
  ASSERT_TRUE(
      client.send("POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: "
                  "100-continue\r\nContent-Length: 2\r\n\r\n"));
  std::this_thread::yield();
  ASSERT_TRUE(client.send("{}"));
  auto r = client.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);  // {} has no query; the point is that we got past 100 Continue
}

TEST_F(ServiceTest, SlowClientIsCutWhileOthersAreServed) {
  start();
  RawClient slow(port_);
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // and nothing more
  RawClient slow_body(port_);
  ASSERT_TRUE(slow_body.send(
      "POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n{"));
  for (int i = 0; i < 5; ++i) {
    auto r = get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto cut = slow.read();
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->status, 408);
  auto cut_body = slow_body.read();
  ASSERT_TRUE(cut_body);
  EXPECT_EQ(cut_body->status, 408);
  EXPECT_TRUE(slow.closed_within());
  EXPECT_NE(get("/metrics")->body.find("ipfsa_http_rejected_total{reason=\"timeout\"} 2"),
            std::string::npos);
}

TEST_F(ServiceTest, StallAfterAKeepAliveRequestIsCut) {
  config_.limits.idle_timeout = 600s;  // out of reach: a 408 can only come from the header deadline
  start();
  RawClient client(port_);
  ASSERT_TRUE(client.send(get_request("/healthz")));
  ASSERT_TRUE(client.read());
  ASSERT_TRUE(client.send(get_request("/healthz")));
  ASSERT_TRUE(client.read());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\n"));  // then nothing
  auto cut = client.read();
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->status, 408);  // the header deadline (500 ms here) ended it
  EXPECT_TRUE(client.closed_within());
}

TEST_F(ServiceTest, ConnectionLimit) {
  config_.limits.max_connections = 3;
  start();
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(held.back()->send(get_request("/healthz")));
    ASSERT_TRUE(held.back()->read());  // the connection is open and counted
  }
  auto refused = get("/healthz");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  held.pop_back();
  // The slot frees when the server notices the close: until then a newcomer may still get 503
  // (none of the held connections is in a header, so none is closed to make room).
  bool served = false;
  const auto stuck = std::chrono::steady_clock::now() + testing::kStuck;
  while (!served && std::chrono::steady_clock::now() < stuck) {
    auto r = get("/healthz");
    ASSERT_TRUE(r);
    served = r->status == 200;
    if (!served) {
      EXPECT_EQ(r->status, 503);
    }
  }
  EXPECT_TRUE(served);
}

TEST_F(ServiceTest, HostAndOriginChecks) {
  start();
  const std::string port = std::to_string(port_);
  EXPECT_EQ(fetch(get_request("/healthz", {}, "GET", "evil.example:" + port))->status, 421);
  EXPECT_EQ(fetch(get_request("/", {}, "GET", "evil.example"))->status, 421);
  EXPECT_EQ(fetch(get_request("/healthz", {}, "GET", "localhost:" + port))->status, 200);
  EXPECT_EQ(fetch(get_request("/healthz", {}, "GET", "[::1]:" + port))->status, 200);
  EXPECT_EQ(get("/healthz", {"Origin: http://evil.example"})->status, 403);
  EXPECT_EQ(get("/healthz", {"Origin: null"})->status, 403);
  EXPECT_EQ(get("/healthz", {"Origin: http://127.0.0.1"})->status, 200);
}

TEST_F(ServiceTest, TokenGuardsEverythingButThePage) {
  config_.token = secret(kServiceToken);
  start();
  auto denied = get("/api/mcp/peers");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->header("www-authenticate"), "Bearer realm=\"ipfs-accelerate\"");
  for (auto path : {"/metrics", "/healthz", "/api/mcp/cache/stats", "/api/v3/user", "/mcp"}) {
    EXPECT_EQ(get(path)->status, 401) << path;
    EXPECT_EQ(get(path, {"Authorization: Bearer wrong-token-0123456789"})->status, 401) << path;
  }
  EXPECT_EQ(get("/")->status, 200);
  auto ok = get("/api/mcp/peers", {"Authorization: Bearer " + kServiceToken});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body.find(kServiceToken), std::string::npos);
  EXPECT_EQ(ok->head.find(kServiceToken), std::string::npos);
  EXPECT_EQ(get("/metrics", {"X-Ipfsa-Token: " + kServiceToken})->status, 200);
  EXPECT_EQ(
      get("/metrics", {"X-Ipfsa-Token: nope", "Authorization: Bearer " + kServiceToken})->status,
      401);
}

TEST_F(ServiceTest, NonLoopbackWithoutTokenRefusesToStart) {
  ServiceConfig config;
  config.host = "0.0.0.0";
  config.port = 0;
  Backend backend;
  Service service(io_, backend, nullptr, std::move(config));
  auto r = service.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::invalid_state);
}

TEST_F(ServiceTest, McpRouteReachesTheEndpoint) {
  start();
  mcp::Server server(backend_, mcp::ServerInfo{});
  mcp::HttpEndpoint endpoint(server);
  stop();
  service_ = std::make_unique<Service>(io_, backend_, &endpoint, ServiceConfig{.port = 0});
  auto bound = service_->start();
  ASSERT_TRUE(bound);
  port_ = bound->port;
  io_.restart();
  thread_ = std::thread([this] { io_.run(); });
  const std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
      R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
  const std::string request =
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Accept: application/json, text/event-stream\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = fetch(request);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_FALSE(r->header("mcp-session-id").empty());
  EXPECT_NE(r->body.find("\"protocolVersion\":\"2025-06-18\""), std::string::npos) << r->body;
  EXPECT_FALSE(r->has_header("access-control-allow-origin"));
  // Cross-origin: refused by the service before the endpoint sees it.
  auto cross = fetch(
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
      "Content-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  stop();
}

TEST_F(ServiceTest, McpWithoutEndpointIs404) {
  start();
  auto r = fetch("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

}  // namespace
}  // namespace ipfsa::service
