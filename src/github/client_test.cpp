// The client against recorded GitHub traffic (@octokit/fixtures) and our own scenarios in
// tests/github-fixtures/custom/, served on loopback by serve.mjs.
#include "github/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "github/fixture_server_testing.hpp"

namespace ipfsa::github {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kToken = "0000000000000000000000000000000000000001";
constexpr std::string_view kRepo = "/repos/octokit-fixture-org/hello-world";

SecretBytes secret(std::string_view s) {
  return SecretBytes{
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())};
}

std::size_t count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class Fixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::FixtureServer;
    start_error_ = new std::string(server_->start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_error_;
  }
  void SetUp() override { ASSERT_EQ(*start_error_, "") << "fixtures server unavailable"; }

  static ClientConfig config(std::string api_url) {
    ClientConfig cfg;
    cfg.api_url = std::move(api_url);
    cfg.token = secret(kToken);
    cfg.default_accept = "application/vnd.github.v3+json";
    cfg.timeout = 10s;
    return cfg;
  }
  static std::unique_ptr<Client> make(ClientConfig cfg) {
    auto c = Client::create(std::move(cfg));
    EXPECT_TRUE(c);
    return c ? std::move(*c) : nullptr;
  }
  // Loads a scenario; returns its API base URL.
  static std::string load(const std::string& scenario) {
    auto c = make(config(server_->base()));
    Request req;
    req.method = "POST";
    req.target = server_->base() + "/fixtures";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = R"({"scenario":")" + scenario + R"("})";
    auto r = c->send(req);
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 201) << r->body;
    auto p = r->body.find("\"url\":\"");
    if (p == std::string::npos) return "";
    auto e = r->body.find('"', p + 7);
    return r->body.substr(p + 7, e - p - 7);
  }
  static std::unique_ptr<Client> scenario(const std::string& name) {
    return make(config(load(name)));
  }

  static testing::FixtureServer* server_;
  static std::string* start_error_;
};
testing::FixtureServer* Fixtures::server_ = nullptr;
std::string* Fixtures::start_error_ = nullptr;

TEST_F(Fixtures, GetRepository) {
  auto c = scenario("get-repository");
  auto r = c->get(kRepo);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r->header("etag"), "\"00000000000000000000000000000000\"");
  EXPECT_EQ(r->header("x-github-media-type"), "github.v3; format=json");
  EXPECT_NE(r->body.find(R"("full_name":"octokit-fixture-org/hello-world")"), std::string::npos);
  EXPECT_EQ(std::to_string(r->body.size()), r->header("content-length"));
  auto rl = c->rate_limit("core");
  ASSERT_TRUE(rl);
  EXPECT_EQ(rl->limit, 5000);
  EXPECT_EQ(rl->remaining, 4999);
  EXPECT_EQ(rl->reset, WallTime{std::chrono::seconds{1507651200}});  // sent in milliseconds
  EXPECT_EQ(c->retry_after("core"), 0s);
}

TEST_F(Fixtures, TokenOverrideAndOtherOriginsGetNoConfiguredToken) {
  const std::string base = load("get-repository");
  auto c = make(config(base));
  Request wrong;
  wrong.target = kRepo;
  wrong.token = secret("1111111111111111111111111111111111111111");
  auto r = c->send(wrong);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // the recording demands the fixture token: no match
  EXPECT_NE(r->body.find("No match"), std::string::npos);
  // Same server under another origin name: the configured token must not be sent there.
  Request other;
  std::string alias = base;
  alias.replace(alias.find("127.0.0.1"), 9, "localhost");
  other.target = alias + std::string(kRepo);
  auto o = c->send(other);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 404);
  Request right;
  right.target = kRepo;
  right.token = secret(kToken);
  auto ok = c->send(right);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(Fixtures, PaginateIssues) {
  auto c = scenario("paginate-issues");
  auto pages = c->paginate("/repos/octokit-fixture-org/paginate-issues/issues?per_page=3", 100);
  ASSERT_TRUE(pages) << pages.error().message();
  ASSERT_EQ(pages->size(), 5u);
  std::size_t issues = 0;
  for (const auto& p : *pages) {
    EXPECT_EQ(p.status, 200);
    issues += count(p.body, "\"repository_url\"");
  }
  EXPECT_EQ(issues, 13u);
  EXPECT_NE((*pages)[4].url.find("page=5"), std::string::npos);
  auto two = scenario("paginate-issues")
                 ->paginate("/repos/octokit-fixture-org/paginate-issues/issues?per_page=3", 2);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
}

TEST_F(Fixtures, ValidationErrorIsAResponse) {
  auto c = scenario("errors");
  Request req;
  req.method = "POST";
  req.target = "/repos/octokit-fixture-org/errors/labels";
  req.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  req.body = R"({"name":"foo","color":"invalid"})";
  auto r = c->send(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("Validation Failed"), std::string::npos);
  EXPECT_EQ(c->retry_after("core"), 0s);
}

TEST_F(Fixtures, EtagRevalidation) {
  auto c = scenario("conditional-get-repository");
  auto first = c->get(kRepo);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_EQ(first->header("etag"), "\"0123abcd\"");
  Request again;
  again.target = kRepo;
  again.if_none_match = std::string(*first->header("etag"));
  auto second = c->send(again);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  EXPECT_EQ(second->header("etag"), "\"0123abcd\"");
}

TEST_F(Fixtures, LastModifiedRevalidation) {
  auto c = scenario("last-modified-get-repository");
  auto first = c->get(kRepo);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_FALSE(first->header("etag"));
  Request again;
  again.target = kRepo;
  again.if_modified_since = std::string(first->header("last-modified").value_or(""));
  auto second = c->send(again);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
}

TEST_F(Fixtures, PrimaryLimitBlocksCoreWithoutCallingGitHub) {
  auto c = scenario("rate-limit-primary");
  auto r = c->get(kRepo);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(c->retry_after("core"), kMaxBlock);  // reset in 2100: clamped
  EXPECT_EQ(c->retry_after("search"), 0s);
  auto again = c->get(kRepo);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Error::rate_limited);
}

TEST_F(Fixtures, TooManyRequestsWithRetryAfterThenRecovery) {
  // The block is measured against the client's clock: the test moves it instead of sleeping.
  auto now = std::make_shared<std::atomic<WallTime>>(WallClock::now());
  auto cfg = config(load("rate-limit-429-retry-after"));
  cfg.wall_clock = [now] { return now->load(); };
  auto c = make(std::move(cfg));
  auto r = c->get(kRepo);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  auto wait = c->retry_after("core");
  EXPECT_GE(wait, 1s);
  EXPECT_LE(wait, 2s);
  EXPECT_EQ(c->retry_after("graphql"), wait);  // secondary limits block every resource
  auto blocked = c->get(kRepo);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error(), Error::rate_limited);
  *now = now->load() + wait - 1s;  // not yet
  EXPECT_EQ(c->get(kRepo).error(), Error::rate_limited);
  *now = now->load() + 1s + 100ms;
  EXPECT_EQ(c->retry_after("core"), 0s);
  auto ok = c->get(kRepo);  // the scenario's next recorded answer: proves nothing was sent before
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->status, 200);
}

TEST_F(Fixtures, RetryAfterHttpDate) {
  auto c = scenario("rate-limit-403-retry-after-date");
  auto r = c->get(kRepo);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(c->retry_after("core"), kMaxBlock);
}

TEST_F(Fixtures, SecondaryLimitWaitsAMinute) {
  auto c = scenario("secondary-rate-limit");
  auto r = c->get(kRepo);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_GE(c->retry_after("core"), 59s);
  EXPECT_LE(c->retry_after("core"), 60s);
  EXPECT_EQ(c->graphql("{ viewer { login } }", "").error(), Error::rate_limited);
}

TEST_F(Fixtures, ServerErrorsAreResponses) {
  auto c = scenario("server-errors");
  for (int want : {502, 503, 200}) {
    auto r = c->get(kRepo);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, want);
  }
  EXPECT_EQ(c->retry_after("core"), 0s);
}

TEST_F(Fixtures, DeadlineIsHonoured) {
  // The answer comes after 60 s and the client's own deadline is 120 s: only the request's 500 ms
  // deadline can end the call within the bound below, however loaded the machine.
  auto cfg = config(load("slow-get-repository"));
  cfg.timeout = 120s;
  auto c = make(std::move(cfg));
  Request req;
  req.target = "/repos/octokit-fixture-org/slow-repo";
  req.timeout = 500ms;
  auto start = Clock::now();
  auto r = c->send(req);
  auto took = Clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::timeout);
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 30s);
}

TEST_F(Fixtures, GraphQL) {
  auto c = scenario("graphql-viewer");
  EXPECT_EQ(c->config().graphql_url, c->config().api_url + "/graphql");
  EXPECT_EQ(c->graphql("query { viewer { login } }", "[1]").error(), Error::malformed);
  auto r = c->graphql("query { viewer { login } }", R"( {"owner":"octokit"} )");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"data":{"viewer":{"login":"octocat"}}})");
  auto rl = c->rate_limit("graphql");
  ASSERT_TRUE(rl);
  EXPECT_EQ(rl->remaining, 4998);
}

TEST_F(Fixtures, MalformedAndTruncatedResponses) {
  auto c = make(config(server_->base()));
  EXPECT_EQ(c->get("/_raw/truncated").error(), Error::truncated);
  EXPECT_EQ(c->get("/_raw/nothing").error(), Error::truncated);
  EXPECT_EQ(c->get("/_raw/garbage").error(), Error::malformed);
  auto fine = c->get("/_raw/headers?count=100");
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
  EXPECT_EQ(fine->header_values("x-filler-99").size(), 1u);
  EXPECT_EQ(c->get("/_raw/headers?count=" + std::to_string(kMaxHeaderCount + 1)).error(),
            Error::too_large);
}

TEST_F(Fixtures, BodyOverTheCap) {
  auto c = make(config(server_->base()));
  auto at_cap = c->get("/_raw/big?bytes=" + std::to_string(kMaxResponseBytes));
  ASSERT_TRUE(at_cap) << at_cap.error().message();
  EXPECT_EQ(at_cap->body.size(), kMaxResponseBytes);
  EXPECT_EQ(c->get("/_raw/big?bytes=" + std::to_string(kMaxResponseBytes + 1)).error(),
            Error::too_large);
  auto cfg = config(server_->base());
  cfg.max_response_bytes = 1000;
  auto small = make(std::move(cfg));
  EXPECT_EQ(small->get("/_raw/big?bytes=1001").error(), Error::too_large);
  EXPECT_EQ(small->get("/_raw/declared?bytes=1001").error(), Error::too_large);  // Content-Length
}

TEST_F(Fixtures, EightThreads) {
  auto c = make(config(server_->base()));
  std::vector<std::string> bases;
  for (int i = 0; i < 8; ++i) bases.push_back(load("get-repository"));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 25; ++k) {
        auto p = c->get("/ping");
        if (p && p->status == 200 && p->body == R"({"ok":true})") ++ok;
      }
      auto r = c->get(bases[i] + std::string(kRepo));
      // Another origin path on the same server: same origin, so the token goes along.
      if (r && r->status == 200 && r->body.find("hello-world") != std::string::npos) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 26);
}

TEST_F(Fixtures, BadRequestsAndUnreachableServer) {
  auto c = make(config(server_->base()));
  Request lower;
  lower.method = "get";
  EXPECT_EQ(c->send(lower).error(), Error::malformed);
  Request inject;
  inject.target = "/ping";
  inject.headers.emplace_back("X-A", "b\r\nAuthorization: token x");
  EXPECT_EQ(c->send(inject).error(), Error::malformed);
  Request big;
  big.method = "POST";
  big.body.assign(kMaxRequestBodyBytes + 1, 'x');
  EXPECT_EQ(c->send(big).error(), Error::too_large);
  Request long_url;
  long_url.target = "/" + std::string(kMaxUrlBytes, 'a');
  EXPECT_EQ(c->send(long_url).error(), Error::too_large);
  Request spaced;
  spaced.target = "/a b";
  EXPECT_EQ(c->send(spaced).error(), Error::malformed);
  EXPECT_EQ(Client::create(config("not a url")).error(), Error::malformed);
  auto dead = make(config("http://127.0.0.1:" + std::to_string(testing::free_port())));
  EXPECT_EQ(dead->get("/").error(), Error::io_failure);
}

TEST_F(Fixtures, QueryParametersAreEncoded) {
  auto c = scenario("paginate-issues");
  Request req;
  req.target = "/repos/octokit-fixture-org/paginate-issues/issues";
  req.query = {{"per_page", "3"}};
  auto pages = c->paginate(req, 1);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0].status, 200);
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}

TEST(PercentEncode, UnreservedPassEverythingElseIsEscaped) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/é?#%+"), "a%20b%26c%3Dd%2F%C3%A9%3F%23%25%2B");
  EXPECT_EQ(percent_encode(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(percent_encode(""), "");
}

}  // namespace
}  // namespace ipfsa::github

namespace ipfsa::github {
namespace {

// libcurl reads the proxy variables itself; check that our option set does not defeat that.
TEST_F(Fixtures, HonoursProxyEnvironment) {
  auto c = make(config(server_->base()));
  const std::string target = "http://github.invalid/ping";  // .invalid never resolves
  ::setenv("http_proxy", server_->base().c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto via_proxy = c->get(target);
  ::setenv("NO_PROXY", "github.invalid", 1);
  auto bypassed = c->get(target);
  ::unsetenv("NO_PROXY");
  ::unsetenv("http_proxy");
  ASSERT_TRUE(via_proxy) << via_proxy.error().message();
  EXPECT_EQ(via_proxy->status, 200);
  EXPECT_EQ(via_proxy->body, R"({"ok":true})");
  ASSERT_FALSE(bypassed);
  EXPECT_EQ(bypassed.error(), Error::io_failure);
}

}  // namespace
}  // namespace ipfsa::github
