// open_local_github wires only what a command needs: one gateway per process, none for `serve`
// (whose node builds its own) or for `cache` (which never calls GitHub).
#include "node/local_github.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace ipfsa::node {
namespace {

class LocalGitHubTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The process cache opens once, from the environment of its first use.
    dir_ = std::filesystem::temp_directory_path() /
           ("ipfsa-local-github-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ::setenv("CACHE_DIR", dir_.c_str(), 1);
    ::setenv("CACHE_ENABLE_P2P", "false", 1);
    ::setenv("GITHUB_API_URL", "http://127.0.0.1:9/api/v3", 1);  // never called here
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static inline std::filesystem::path dir_;
};

TEST_F(LocalGitHubTest, EachNeedGetsWhatItAsksAndNoMore) {
  auto cache_only = open_local_github(LocalNeed::cache);
  ASSERT_TRUE(cache_only) << cache_only.error();
  EXPECT_NE(cache_only->cache, nullptr);
  EXPECT_EQ(cache_only->client, nullptr);
  EXPECT_EQ(cache_only->gateway, nullptr);

  auto for_serve = open_local_github(LocalNeed::client);
  ASSERT_TRUE(for_serve) << for_serve.error();
  EXPECT_EQ(for_serve->cache, cache_only->cache);  // one process cache
  EXPECT_NE(for_serve->client, nullptr);
  EXPECT_EQ(for_serve->gateway, nullptr);  // the node wires the one gateway

  auto for_api = open_local_github(LocalNeed::gateway);
  ASSERT_TRUE(for_api) << for_api.error();
  EXPECT_NE(for_api->client, nullptr);
  ASSERT_NE(for_api->gateway, nullptr);
}

TEST_F(LocalGitHubTest, KeyFromTextAcceptsHashKeyTextAndPath) {
  auto from_path = key_from_text("/repos/o/r", "application/vnd.github+json");
  ASSERT_TRUE(from_path);
  auto from_hash = key_from_text(from_path->hash, "");
  ASSERT_TRUE(from_hash);
  EXPECT_EQ(from_hash->digest, from_path->digest);
  auto from_text = key_from_text(from_path->text, "");
  ASSERT_TRUE(from_text);
  EXPECT_EQ(from_text->digest, from_path->digest);
}

}  // namespace
}  // namespace ipfsa::node
