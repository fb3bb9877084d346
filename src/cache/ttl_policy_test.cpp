#include "cache/ttl_policy.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "cache/test_util.hpp"

namespace ipfsa::cache {
namespace {

using std::chrono::seconds;

TEST(TtlPolicy, BuiltInClasses) {
  const TtlPolicy p(seconds{300});
  struct Case {
    const char* path;
    const char* cls;
    long ttl;
  } cases[] = {
      {"/repos/o/r/actions/runs", "workflow_runs", 60},
      {"/repos/o/r/actions/runs/123", "workflow_runs", 60},
      {"/repos/o/r/actions/runs/123/jobs", "workflow_runs", 60},
      {"/repos/o/r/actions/workflows/ci.yml/runs", "workflow_runs", 60},
      {"/repos/o/r/actions/jobs/9", "workflow_runs", 60},
      {"/repos/o/r/actions/runners", "runners", 30},
      {"/orgs/acme/actions/runners/7", "runners", 30},
      {"/repos/o/r", "repos", 300},
      {"/user/repos", "repos", 300},
      {"/orgs/acme/repos", "repos", 300},
      {"/users/octocat/repos", "repos", 300},
      {"/api/v3/repos/o/r/actions/runners", "runners", 30},  // GitHub Enterprise prefix
      {"/rate_limit", "rate_limit", 0},
      {"/repos/o/r/issues", "default", 300},
      {"/repos/o", "default", 300},
      {"graphql", "graphql", 300},
  };
  for (const auto& c : cases) {
    const auto m = p.classify_path(c.path);
    EXPECT_EQ(m.route_class, c.cls) << c.path;
    EXPECT_EQ(m.ttl.count(), c.ttl) << c.path;
  }
  EXPECT_EQ(TtlPolicy(seconds{42}).classify_path("/repos/o/r/issues").ttl, seconds{42});
  EXPECT_EQ(p.classify(testing::key_for("/repos/o/r/actions/runs?per_page=5")).ttl, seconds{60});
}

TEST(TtlPolicy, PatternMatching) {
  EXPECT_TRUE(path_matches("/a/*/c", "/a/b/c"));
  EXPECT_FALSE(path_matches("/a/*/c", "/a/b/c/d"));
  EXPECT_FALSE(path_matches("/a/*/c", "/a/c"));
  EXPECT_TRUE(path_matches("/a/**", "/a"));
  EXPECT_TRUE(path_matches("/a/**", "/a/b/c/d"));
  EXPECT_FALSE(path_matches("/a/**", "/ab"));
  EXPECT_TRUE(path_matches("/a/b", "/a/b/"));
  EXPECT_FALSE(path_matches("/a/b", "a/b"));
  EXPECT_TRUE(path_matches("graphql", "graphql"));
}

TEST(TtlPolicy, ConfigOverridesAndAddsRules) {
  auto p = TtlPolicy::parse(
      "# comment\n"
      "\n"
      "/repos/*/*/issues/** = 120   # issues\n"
      "workflow_runs = 90\n"
      "default=600\n"
      "/repos/*/* = 0\n",
      seconds{300});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->classify_path("/repos/o/r/issues/5").ttl, seconds{120});
  EXPECT_EQ(p->classify_path("/repos/o/r/issues/5").route_class, "/repos/*/*/issues/**");
  EXPECT_EQ(p->classify_path("/repos/o/r/actions/runs").ttl, seconds{90});
  EXPECT_EQ(p->classify_path("/repos/o/r/pulls").ttl, seconds{600});
  EXPECT_EQ(p->classify_path("/repos/o/r").ttl, seconds{0});  // user rules come first
  EXPECT_EQ(p->classify_path("/user/repos").ttl, seconds{300});
}

TEST(TtlPolicy, ParseErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"/a = 1\nnonsense\n", "cfg:2: expected 'pattern = seconds'"},
      {"/a = abc", "cfg:1: TTL must be a whole number"},
      {"/a = -5", "cfg:1: TTL must be a whole number"},
      {"/a = 99999999999", "cfg:1: TTL must be a whole number"},
      {"= 5", "cfg:1: missing pattern"},
      {"runnerz = 5", "cfg:1: 'runnerz' is neither a path pattern"},
  };
  for (const auto& c : cases) {
    auto p = TtlPolicy::parse(c.text, seconds{300}, "cfg");
    ASSERT_FALSE(p) << c.text;
    EXPECT_NE(p.error().find(c.expect), std::string::npos) << p.error();
  }
  std::string many;
  for (std::size_t i = 0; i <= kMaxTtlRules; ++i) many += "/p" + std::to_string(i) + " = 1\n";
  auto p = TtlPolicy::parse(many, seconds{300}, "cfg");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().find("more than"), std::string::npos);
}

TEST(TtlPolicy, LoadsAFile) {
  testing::TempDir dir;
  const auto file = dir.path() / "ttl.conf";
  std::ofstream(file) << "runners = 5\n";
  auto p = TtlPolicy::load(file, seconds{300});
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->classify_path("/repos/o/r/actions/runners").ttl, seconds{5});
  auto missing = TtlPolicy::load(dir.path() / "nope.conf", seconds{300});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("nope.conf"), std::string::npos);
  std::ofstream(dir.path() / "big.conf") << std::string(kMaxTtlFileBytes + 1, '#');
  auto big = TtlPolicy::load(dir.path() / "big.conf", seconds{300});
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().find("over"), std::string::npos);
}

}  // namespace
}  // namespace ipfsa::cache
