// The GitHub tools against recorded GitHub answers (tests/mcp/fixtures through serve.mjs), read
// through a real cache and gateway: each scenario answers each request once, so a second read
// that succeeds proves it came from the cache.
#include "mcp/tools.hpp"

#include <gtest/gtest.h>

#include "mcp/server.hpp"
#include "mcp/testing_backend.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;

class GitHubTools : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixtures_ = new testing::McpFixtures;
    start_error_ = new std::string(fixtures_->start());
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    delete start_error_;
  }
  void SetUp() override { ASSERT_EQ(*start_error_, "") << "fixtures server unavailable"; }

  // A backend on a freshly loaded scenario, a session at `version`.
  void use(const std::string& scenario, std::string_view version = "2025-11-25") {
    const std::string url = fixtures_->load(scenario);
    ASSERT_FALSE(url.empty()) << scenario;
    backend_ = std::make_unique<testing::TestBackend>(url);
    server_ = std::make_unique<Server>(*backend_, ServerInfo{"ipfs-accelerate", "test"});
    session_ = Session{};
    const std::string init =
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" +
        std::string(version) + R"(","capabilities":{}}})";
    ASSERT_TRUE(server_->handle_message(init, session_));
  }
  json::object call(std::string_view tool, std::string_view arguments) {
    const std::string text = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")" +
                             std::string(tool) + R"(","arguments":)" + std::string(arguments) +
                             "}}";
    auto reply = server_->handle_message(text, session_);
    EXPECT_TRUE(reply);
    if (!reply) return {};
    // No answer ever carries the token.
    EXPECT_EQ(reply->find(testing::kToken), std::string::npos);
    auto v = json::parse(*reply);
    EXPECT_TRUE(v.as_object().contains("result")) << *reply;
    return v.as_object().contains("result") ? v.at("result").as_object() : json::object{};
  }
  static std::string text(const json::object& result) {
    return std::string(result.at("content").at(0).at("text").as_string());
  }

  static testing::McpFixtures* fixtures_;
  static std::string* start_error_;
  std::unique_ptr<testing::TestBackend> backend_;
  std::unique_ptr<Server> server_;
  Session session_;
};
testing::McpFixtures* GitHubTools::fixtures_ = nullptr;
std::string* GitHubTools::start_error_ = nullptr;

TEST_F(GitHubTools, GhApiReadsThroughTheCache) {
  use("mcp-repo");
  auto first = call("gh_api", R"({"path":"repos/octokit-fixture-org/hello-world"})");
  ASSERT_EQ(first.at("isError"), false) << text(first);
  EXPECT_EQ(first.at("structuredContent").at("status"), 200);
  EXPECT_EQ(first.at("structuredContent").at("cache_status"), "miss");
  EXPECT_EQ(first.at("structuredContent").at("body").at("full_name"),
            "octokit-fixture-org/hello-world");
  // The scenario has no second answer: this one is the cache's.
  auto second =
      call("gh_api", R"({"path":"/repos/octokit-fixture-org/hello-world","method":"GET"})");
  ASSERT_EQ(second.at("isError"), false) << text(second);
  EXPECT_EQ(second.at("structuredContent").at("cache_status"), "hit");
  EXPECT_EQ(second.at("structuredContent").at("body"), first.at("structuredContent").at("body"));
  const auto stats = backend_->cache_stats();
  EXPECT_EQ(stats.api_calls_made_rest, 1u);
  EXPECT_EQ(stats.hits, 1u);
}

TEST_F(GitHubTools, GhApiPaginateMergesPages) {
  use("mcp-paginate");
  auto r =
      call("gh_api",
           R"({"path":"repos/octokit-fixture-org/hello-world/issues?per_page=1","paginate":true})");
  ASSERT_EQ(r.at("isError"), false) << text(r);
  const auto& s = r.at("structuredContent");
  EXPECT_EQ(s.at("pages"), 2);
  EXPECT_EQ(s.at("truncated"), false);
  ASSERT_EQ(s.at("body").as_array().size(), 2u);
  EXPECT_EQ(s.at("body").at(0).at("number"), 2);
  EXPECT_EQ(s.at("body").at(1).at("number"), 1);
}

TEST_F(GitHubTools, GhApiRefusesWritesAndUrls) {
  use("mcp-repo");
  for (auto method : {"POST", "DELETE", "PATCH", "PUT"}) {
    auto r = call("gh_api", R"({"path":"repos/o/r","method":")" + std::string(method) + "\"}");
    EXPECT_EQ(r.at("isError"), true);
    EXPECT_NE(text(r).find("not offered"), std::string::npos) << text(r);
  }
  auto url = call("gh_api", R"({"path":"https://evil.example/steal"})");
  EXPECT_EQ(url.at("isError"), true);
  EXPECT_NE(text(url).find("not a URL"), std::string::npos);
  // Nothing reached the fixture server: its one recorded answer is still there.
  auto ok = call("gh_api", R"({"path":"repos/octokit-fixture-org/hello-world"})");
  EXPECT_EQ(ok.at("isError"), false) << text(ok);
}

TEST_F(GitHubTools, GhApiHttpErrorsAreToolErrors) {
  use("mcp-missing");
  auto r = call("gh_api", R"({"path":"repos/octokit-fixture-org/missing"})");
  EXPECT_EQ(r.at("isError"), true);
  EXPECT_NE(text(r).find("HTTP 404"), std::string::npos) << text(r);
  EXPECT_EQ(r.at("structuredContent").at("status"), 404);
}

TEST_F(GitHubTools, GhApiGatewayFailureIsAToolError) {
  backend_ = std::make_unique<testing::TestBackend>("http://127.0.0.1:1");
  server_ = std::make_unique<Server>(*backend_, ServerInfo{"ipfs-accelerate", "test"});
  ASSERT_TRUE(server_->handle_message(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2024-11-05"}})",
      session_));
  auto r = call("gh_api", R"({"path":"repos/o/r"})");
  EXPECT_EQ(r.at("isError"), true);
  EXPECT_FALSE(r.contains("structuredContent"));  // 2024-11-05
  EXPECT_NE(text(r).find("GitHub request failed"), std::string::npos) << text(r);
}

TEST_F(GitHubTools, GhGraphqlQueriesAndRefusesMutations) {
  use("mcp-graphql");
  auto m =
      call("gh_graphql",
           R"({"query":"mutation { addStar(input:{starrableId:\"x\"}) { clientMutationId } }"})");
  EXPECT_EQ(m.at("isError"), true);
  EXPECT_NE(text(m).find("mutations"), std::string::npos);
  auto r = call("gh_graphql", R"({"query":"query { viewer { login } }","variables":{}})");
  ASSERT_EQ(r.at("isError"), false) << text(r);
  EXPECT_EQ(r.at("structuredContent").at("body").at("data").at("viewer").at("login"), "octocat");
  auto again =
      call("gh_graphql", R"({"query":"query {\n  viewer { login }\n}"})");  // same normalised query
  ASSERT_EQ(again.at("isError"), false) << text(again);
  EXPECT_EQ(again.at("structuredContent").at("cache_status"), "hit");
}

TEST_F(GitHubTools, ListWorkflowRunsSummarises) {
  use("mcp-runs");
  auto r = call(
      "list_workflow_runs",
      R"({"repo":"octokit-fixture-org/hello-world","status":"completed","branch":"main","per_page":2.0})");
  ASSERT_EQ(r.at("isError"), false) << text(r);
  const auto& s = r.at("structuredContent");
  EXPECT_EQ(s.at("total_count"), 2);
  ASSERT_EQ(s.at("workflow_runs").as_array().size(), 2u);
  EXPECT_EQ(s.at("workflow_runs").at(0).at("id"), 12);
  EXPECT_EQ(s.at("workflow_runs").at(1).at("conclusion"), "failure");
  EXPECT_FALSE(s.at("workflow_runs").at(0).as_object().contains("jobs_url"));
  auto bad = call("list_workflow_runs", R"({"repo":"no-slash"})");
  EXPECT_EQ(bad.at("isError"), true);
  auto bad_status = call("list_workflow_runs", R"({"repo":"o/r","status":"bogus"})");
  EXPECT_EQ(bad_status.at("isError"), true);
  EXPECT_NE(text(bad_status).find("arguments.status"), std::string::npos);
}

TEST_F(GitHubTools, ListRunnersForRepoAndOrg) {
  use("mcp-runners-repo");
  auto r = call("list_runners", R"({"repo":"octokit-fixture-org/hello-world"})");
  ASSERT_EQ(r.at("isError"), false) << text(r);
  EXPECT_EQ(r.at("structuredContent").at("runners").at(0).at("name"), "runner-a");
  EXPECT_EQ(r.at("structuredContent").at("runners").at(0).at("labels"),
            json::parse(R"(["self-hosted","x64"])"));
  use("mcp-runners-org");
  auto o = call("list_runners", R"({"org":"octokit-fixture-org"})");
  ASSERT_EQ(o.at("isError"), false) << text(o);
  EXPECT_EQ(o.at("structuredContent").at("total_count"), 2);
  EXPECT_EQ(call("list_runners", "{}").at("isError"), true);
  EXPECT_EQ(call("list_runners", R"({"repo":"a/b","org":"c"})").at("isError"), true);
  EXPECT_EQ(call("list_runners", R"({"org":"../x"})").at("isError"), true);
}

TEST_F(GitHubTools, InvalidateCacheDropsEntries) {
  use("mcp-repo");
  ASSERT_EQ(call("gh_api", R"({"path":"repos/octokit-fixture-org/hello-world"})").at("isError"),
            false);
  EXPECT_EQ(backend_->cache_stats().total_entries, 1u);
  auto none = call("gh_invalidate_cache", R"({"prefix":"repos/someone-else"})");
  EXPECT_EQ(none.at("structuredContent").at("invalidated"), 0);
  auto r = call("gh_invalidate_cache", R"({"prefix":"repos/octokit-fixture-org"})");
  ASSERT_EQ(r.at("isError"), false) << text(r);
  EXPECT_EQ(r.at("structuredContent").at("invalidated"), 1);
  EXPECT_EQ(backend_->cache_stats().total_entries, 0u);
  EXPECT_EQ(call("gh_invalidate_cache", R"({"prefix":""})").at("isError"), true);
  auto canonical = call("gh_invalidate_cache", R"({"prefix":"GET 127.0.0.1"})");
  EXPECT_EQ(canonical.at("isError"), false) << text(canonical);
}

}  // namespace
}  // namespace ipfsa::mcp
