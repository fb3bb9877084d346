#include "github/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "github/process.hpp"

namespace ipfsa::github {
namespace {

using Env = std::map<std::string, std::string, std::less<>>;

std::string as_string(const SecretBytes& s) {
  return {reinterpret_cast<const char*>(s.view().data()), s.size()};
}

GhTokenCommand gh_says(std::string out, int* calls) {
  return [out, calls]() -> std::optional<SecretBytes> {
    ++*calls;
    return SecretBytes{std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(out.data()), out.size())};
  };
}

TEST(Config, Defaults) {
  Env env;
  auto cfg = config_from_env(env_from(env), nullptr);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->api_url, "https://api.github.com");
  EXPECT_EQ(cfg->graphql_url, "https://api.github.com/graphql");
  EXPECT_TRUE(cfg->token.empty());
  EXPECT_EQ(cfg->token_source, TokenSource::none);
}

TEST(Config, EnterpriseUrls) {
  Env env{{"GITHUB_API_URL", "https://ghe.example.com/api/v3/"},
          {"GITHUB_GRAPHQL_URL", "https://ghe.example.com/api/graphql"}};
  auto cfg = config_from_env(env_from(env), nullptr);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->api_url, "https://ghe.example.com/api/v3");
  EXPECT_EQ(cfg->graphql_url, "https://ghe.example.com/api/graphql");
  Env only_api{{"GITHUB_API_URL", "http://127.0.0.1:9/api.github.com/x"}};
  auto c2 = config_from_env(env_from(only_api), nullptr);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->graphql_url, "http://127.0.0.1:9/api.github.com/x/graphql");
}

TEST(Config, BadUrls) {
  for (std::string bad : {"api.github.com", "ftp://x", "https://", "https://u:p@host/",
                          "https://host/a b", "https://host/\n"}) {
    Env env{{"GITHUB_API_URL", bad}};
    EXPECT_EQ(config_from_env(env_from(env), nullptr).error(), Error::malformed) << bad;
  }
  Env huge{{"GITHUB_GRAPHQL_URL", "https://h/" + std::string(kMaxUrlBytes, 'a')}};
  EXPECT_EQ(config_from_env(env_from(huge), nullptr).error(), Error::too_large);
}

TEST(Config, TokenPrecedence) {
  int calls = 0;
  Env both{{"GH_TOKEN", "gh-tok"}, {"GITHUB_TOKEN", "github-tok"}};
  auto a = config_from_env(env_from(both), gh_says("cli-tok\n", &calls));
  ASSERT_TRUE(a);
  EXPECT_EQ(as_string(a->token), "gh-tok");
  EXPECT_EQ(a->token_source, TokenSource::gh_token_env);

  Env second{{"GH_TOKEN", ""}, {"GITHUB_TOKEN", " github-tok\n"}};
  auto b = config_from_env(env_from(second), gh_says("cli-tok\n", &calls));
  ASSERT_TRUE(b);
  EXPECT_EQ(as_string(b->token), "github-tok");
  EXPECT_EQ(b->token_source, TokenSource::github_token_env);
  EXPECT_EQ(calls, 0);  // gh is not run when a variable provides the token

  Env none;
  auto c = config_from_env(env_from(none), gh_says("cli-tok\n", &calls));
  ASSERT_TRUE(c);
  EXPECT_EQ(as_string(c->token), "cli-tok");
  EXPECT_EQ(c->token_source, TokenSource::gh_cli);
  EXPECT_EQ(calls, 1);

  auto d = config_from_env(env_from(none), [] { return std::optional<SecretBytes>{}; });
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->token.empty());
  EXPECT_EQ(d->token_source, TokenSource::none);

  // gh printing garbage is "no token", not an error.
  auto e = config_from_env(env_from(none), gh_says("two words\n", &calls));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->token.empty());
}

TEST(Config, BadTokens) {
  Env inner{{"GH_TOKEN", "abc\r\nX-Evil: 1"}};
  EXPECT_EQ(config_from_env(env_from(inner), nullptr).error(), Error::malformed);
  Env huge{{"GITHUB_TOKEN", std::string(kMaxTokenBytes + 1, 'a')}};
  EXPECT_EQ(config_from_env(env_from(huge), nullptr).error(), Error::too_large);
}

TEST(Config, CaVariables) {
  Env env{{"SSL_CERT_FILE", "/b.pem"}, {"SSL_CERT_DIR", "/certs"}};
  auto a = config_from_env(env_from(env), nullptr);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ca_bundle, "/b.pem");
  EXPECT_EQ(a->ca_path, "/certs");
  env["CURL_CA_BUNDLE"] = "/a.pem";
  auto b = config_from_env(env_from(env), nullptr);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ca_bundle, "/a.pem");
}

TEST(UrlOrigin, Forms) {
  EXPECT_EQ(url_origin("https://API.github.com/repos?x"), "https://api.github.com");
  EXPECT_EQ(url_origin("http://127.0.0.1:8/a"), "http://127.0.0.1:8");
  EXPECT_EQ(url_origin("https://h"), "https://h");
  EXPECT_FALSE(url_origin("/repos/a"));
  EXPECT_FALSE(url_origin("https:///x"));
}

// A fake `gh` in a temporary directory.
class FakeGh : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ipfsa-gh-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string script(const std::string& body) {
    auto p = dir_ / "gh";
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    ::chmod(p.c_str(), 0700);
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(FakeGh, PrintsToken) {
  auto gh = script(R"(test "$1 $2" = "auth token" && echo gho_fake123)");
  auto t = run_gh_auth_token(gh);
  ASSERT_TRUE(t);
  EXPECT_EQ(as_string(*t), "gho_fake123\n");
  Env none;
  auto cfg = config_from_env(env_from(none), [&] { return run_gh_auth_token(gh); });
  ASSERT_TRUE(cfg);
  EXPECT_EQ(as_string(cfg->token), "gho_fake123");
}

TEST_F(FakeGh, AbsentFailingOrSlowGhMeansNoToken) {
  EXPECT_FALSE(run_gh_auth_token((dir_ / "no-such-gh").string()));
  EXPECT_FALSE(run_gh_auth_token("ipfsa-definitely-not-a-program"));
  EXPECT_FALSE(run_gh_auth_token(script("echo not logged in >&2; exit 1")));
  EXPECT_FALSE(run_gh_auth_token(script("exit 0")));
  auto start = Clock::now();
  // The script answers after 120 s: only the 300 ms deadline ends the call within the bound.
  EXPECT_FALSE(run_gh_auth_token(script("exec sleep 120"), std::chrono::milliseconds{300}));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds{60});
}

TEST_F(FakeGh, RunCaptureErrors) {
  EXPECT_EQ(run_capture({(dir_ / "missing").string()}, std::chrono::seconds{1}, 10).error(),
            Error::not_found);
  EXPECT_EQ(run_capture({}, std::chrono::seconds{1}, 10).error(), Error::not_found);
  auto big = script("head -c 5000 /dev/zero");
  EXPECT_EQ(run_capture({big}, std::chrono::seconds{5}, 100).error(), Error::too_large);
  auto slow = script("exec sleep 120");  // only the 200 ms deadline ends it within the bound
  auto start = Clock::now();
  EXPECT_EQ(run_capture({slow}, std::chrono::milliseconds{200}, 100).error(), Error::timeout);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds{60});
  auto code = run_capture({script("printf abc; exit 3")}, std::chrono::seconds{5}, 100);
  ASSERT_TRUE(code);
  EXPECT_EQ(code->exit_status, 3);
  EXPECT_EQ(as_string(code->output), "abc");
}

}  // namespace
}  // namespace ipfsa::github
