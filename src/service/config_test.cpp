#include "service/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ipfsa::service {
namespace {

EnvLookup env(std::map<std::string, std::string, std::less<>> vars) {
  return env_from(std::move(vars));
}

const std::string kToken = "0123456789abcdef0123";

TEST(ServiceConfig, DefaultsAreLoopback8899WithoutToken) {
  auto c = load_service_config(env({}), std::nullopt, std::nullopt);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, kDefaultPort);
  EXPECT_EQ(kDefaultPort, 8899);
  EXPECT_FALSE(c->token);
  EXPECT_EQ(c->limits.max_header_bytes, 16u * 1024);
  EXPECT_EQ(c->limits.max_connections, 256u);
}

TEST(ServiceConfig, PortFromEnvironmentAndFlagWins) {
  auto e = env({{"IPFS_ACCELERATE_DASHBOARD_PORT", " 9000 "}});
  EXPECT_EQ(load_service_config(e, std::nullopt, std::nullopt)->port, 9000);
  EXPECT_EQ(load_service_config(e, std::nullopt, std::string("9001"))->port, 9001);
  EXPECT_EQ(load_service_config(e, std::nullopt, std::string("0"))->port, 0);
  EXPECT_EQ(load_service_config(e, std::nullopt, std::string(""))->port, 9000);
}

TEST(ServiceConfig, BadPortsAreMessagesNamingTheVariable) {
  for (std::string bad : {"65536", "-1", "80x", "x", "1e3", "99999999999"}) {
    auto c = load_service_config(env({{"IPFS_ACCELERATE_DASHBOARD_PORT", bad}}), std::nullopt,
                                 std::nullopt);
    EXPECT_FALSE(c) << bad;
    EXPECT_NE(c.error().find("IPFS_ACCELERATE_DASHBOARD_PORT"), std::string::npos) << c.error();
  }
}

TEST(ServiceConfig, HostMustBeAnAddress) {
  EXPECT_EQ(load_service_config(env({}), std::string("localhost"), std::nullopt)->host,
            "127.0.0.1");
  EXPECT_EQ(load_service_config(env({}), std::string("::1"), std::nullopt)->host, "::1");
  EXPECT_EQ(load_service_config(env({}), std::string("[::1]"), std::nullopt)->host, "::1");
  EXPECT_EQ(load_service_config(env({}), std::string("127.0.0.2"), std::nullopt)->host,
            "127.0.0.2");
  for (std::string bad : {"example.com", "1.2.3", "127.0.0.1:80", "::g"}) {
    EXPECT_FALSE(load_service_config(env({}), bad, std::nullopt)) << bad;
  }
}

TEST(ServiceConfig, NonLoopbackRequiresAToken) {
  auto refused = load_service_config(env({}), std::string("0.0.0.0"), std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("IPFS_ACCELERATE_DASHBOARD_TOKEN"), std::string::npos);
  EXPECT_FALSE(load_service_config(env({}), std::string("::"), std::nullopt));
  auto ok = load_service_config(env({{"IPFS_ACCELERATE_DASHBOARD_TOKEN", kToken}}),
                                std::string("0.0.0.0"), std::nullopt);
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_TRUE(ok->token);
  EXPECT_EQ(ok->token->size(), kToken.size());
}

TEST(ServiceConfig, TokenLimitsAndTheValueIsNeverEchoed) {
  const std::string short_token(kMinTokenBytes - 1, 'a');
  const std::string long_token(kMaxTokenBytes + 1, 'b');
  const std::string spaced = "abcdefgh ijklmnopq";
  for (const auto& bad : {short_token, long_token, spaced, std::string("abcdefghijklmnop\n")}) {
    auto c = load_service_config(env({{"IPFS_ACCELERATE_DASHBOARD_TOKEN", bad}}), std::nullopt,
                                 std::nullopt);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().find(bad), std::string::npos);
  }
  EXPECT_TRUE(load_service_config(
      env({{"IPFS_ACCELERATE_DASHBOARD_TOKEN", std::string(kMinTokenBytes, 'x')}}), std::nullopt,
      std::nullopt));
  EXPECT_TRUE(load_service_config(
      env({{"IPFS_ACCELERATE_DASHBOARD_TOKEN", std::string(kMaxTokenBytes, 'x')}}), std::nullopt,
      std::nullopt));
}

TEST(ServiceConfig, Loopback) {
  for (auto ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_address(ip)) << ip;
  }
  for (auto ip : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "::2", "localhost", ""}) {
    EXPECT_FALSE(is_loopback_address(ip)) << ip;
  }
}

}  // namespace
}  // namespace ipfsa::service
