// GitHubGateway::fresh_hit and its key memo: a remembered key must answer exactly what the
// canonical key would, and nothing the cache no longer holds.
#include "node/github_gateway.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace ipfsa::node {
namespace {

// Never contacted: fresh_hit() makes no network call.
constexpr std::string_view kApi = "http://127.0.0.1:9";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ipfsa-gateway-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    cache::Config cc;
    cc.dir = dir_;
    auto cache = cache::GitHubAPICache::open(cc);
    ASSERT_TRUE(cache) << cache.error();
    cache_ = std::move(*cache);
    github::ClientConfig gc;
    gc.api_url = std::string(kApi);
    auto client = github::Client::create(std::move(gc));
    ASSERT_TRUE(client);
    client_ = std::move(*client);
    gateway_ = std::make_unique<GitHubGateway>(*cache_, *client_);
  }
  void TearDown() override {
    gateway_.reset();
    cache_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Stores `body` under the canonical key of GET `target` with `accept`.
  void store(std::string_view target, std::string_view accept, std::string body) {
    auto key = cache::rest_key({"GET", kApi, target, accept, ""});
    ASSERT_TRUE(key);
    auto stored = cache_->fetch(*key, [&](const cache::ConditionalHeaders&) {
      return Result<cache::UpstreamResponse>(
          cache::UpstreamResponse{200, {{"content-type", "application/json"}}, body});
    });
    ASSERT_TRUE(stored);
  }
  std::string hit_body(std::string_view target, std::string_view accept) {
    auto answer = gateway_->fresh_hit(target, accept);
    if (!answer) return "<none>";
    EXPECT_EQ(answer->status, cache::CacheStatus::hit);
    return *answer->entry->body;
  }

  std::filesystem::path dir_;
  std::unique_ptr<cache::GitHubAPICache> cache_;
  std::unique_ptr<github::Client> client_;
  std::unique_ptr<GitHubGateway> gateway_;
};

TEST(GraphQLWrites, FirstOperationKeywordAfterIgnoredTokens) {
  EXPECT_TRUE(is_graphql_mutation("mutation { addStar(input: {}) { clientMutationId } }"));
  EXPECT_TRUE(is_graphql_mutation("subscription{x}"));
  EXPECT_TRUE(is_graphql_mutation(" \t\r\n,, mutation M($a: ID) { x }"));
  EXPECT_TRUE(is_graphql_mutation("# a comment\r\nmutation { x }"));
  EXPECT_TRUE(is_graphql_mutation("\xEF\xBB\xBFmutation { x }"));            // byte order mark
  EXPECT_TRUE(is_graphql_mutation("\xEF\xBB\xBF \xEF\xBB\xBFmutation{x}"));  // ignored anywhere
  EXPECT_TRUE(is_graphql_mutation("mutation"));
  EXPECT_FALSE(is_graphql_mutation("query { viewer { login } }"));
  EXPECT_FALSE(is_graphql_mutation("{ viewer { login } }"));
  EXPECT_FALSE(is_graphql_mutation("mutationX { x }"));  // a name, not the keyword
  EXPECT_FALSE(is_graphql_mutation("subscription_2 { x }"));
  EXPECT_FALSE(is_graphql_mutation("# mutation { x }\nquery { y }"));
  EXPECT_FALSE(is_graphql_mutation("\xEF\xBBmutation { x }"));  // half a BOM is not ignored
  EXPECT_FALSE(is_graphql_mutation(""));
}

TEST_F(GatewayTest, FreshHitAnswersTheCanonicalKeyOnly) {
  EXPECT_EQ(hit_body("/repos/o/r", ""), "<none>");  // remembered before anything is stored
  store("/repos/o/r", "", R"({"n":1})");
  EXPECT_EQ(hit_body("/repos/o/r", ""), R"({"n":1})");
  EXPECT_EQ(hit_body("/repos/o/r", ""), R"({"n":1})");  // from the memo
  // Spellings of the same canonical key share it; other keys do not.
  EXPECT_EQ(hit_body("repos/o/r", ""), R"({"n":1})");
  EXPECT_EQ(hit_body("/repos/o/r", "application/vnd.github.raw"), "<none>");
  EXPECT_EQ(hit_body("/repos/o/rx", ""), "<none>");
  EXPECT_EQ(hit_body("/repos/o/r?per_page=2", ""), "<none>");
  // Credentials in the URL are refused, however often they are asked for.
  EXPECT_EQ(hit_body("/repos/o/r?access_token=abc", ""), "<none>");
  EXPECT_EQ(hit_body("/repos/o/r?access_token=abc", ""), "<none>");
  EXPECT_EQ(cache_->stats().hits, 3u);  // the three answered reads
}

TEST_F(GatewayTest, TheMemoHoldsKeysNotAnswers) {
  store("/repos/o/r/issues?state=open", "", "[1]");
  EXPECT_EQ(hit_body("/repos/o/r/issues?state=open", ""), "[1]");
  // Invalidated: the remembered key must not bring the entry back.
  EXPECT_GE(cache_->invalidate_under(gateway_->invalidation_prefix("/repos/o/r")), 1u);
  EXPECT_EQ(hit_body("/repos/o/r/issues?state=open", ""), "<none>");
  store("/repos/o/r/issues?state=open", "", "[2]");
  EXPECT_EQ(hit_body("/repos/o/r/issues?state=open", ""), "[2]");
}

TEST_F(GatewayTest, TheMemoStartsOverWhenFullAndKeepsAnswering) {
  store("/repos/o/r", "", "kept");
  EXPECT_EQ(hit_body("/repos/o/r", ""), "kept");
  for (std::size_t i = 0; i < kRestKeyMemoEntries + 10; ++i) {
    EXPECT_FALSE(gateway_->fresh_hit("/repos/o/r" + std::to_string(i), ""));
  }
  EXPECT_EQ(hit_body("/repos/o/r", ""), "kept");
}

TEST_F(GatewayTest, LongTargetsAreAnsweredWithoutTheMemo) {
  const std::string target = "/repos/o/r/contents/" + std::string(kRestKeyMemoMaxBytes, 'a');
  store(target, "", "long");
  EXPECT_EQ(hit_body(target, ""), "long");
  EXPECT_EQ(hit_body(target, ""), "long");
  EXPECT_EQ(hit_body(target, "application/vnd.github.raw"), "<none>");
}

}  // namespace
}  // namespace ipfsa::node
