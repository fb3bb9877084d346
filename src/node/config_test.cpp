#include "node/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ipfsa::node {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, Defaults) {
  auto c = load_p2p_config(env_of({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c.value->listen_port, 9100);
  EXPECT_TRUE(c.value->bootstrap_peers.empty());
  EXPECT_FALSE(c.value->swarm_key_file);
}

TEST(Config, ListenPortValidated) {
  EXPECT_EQ(load_p2p_config(env_of({{"CACHE_LISTEN_PORT", "9200"}})).value->listen_port, 9200);
  for (const char* bad : {"0", "65536", "abc", "-1", "9100x", "1e3"}) {
    auto c = load_p2p_config(env_of({{"CACHE_LISTEN_PORT", bad}}));
    EXPECT_FALSE(c) << bad;
    EXPECT_NE(c.error.find("CACHE_LISTEN_PORT"), std::string::npos);
  }
}

TEST(Config, BootstrapPeersSplitAndTrimmed) {
  auto c = load_p2p_config(
      env_of({{"CACHE_BOOTSTRAP_PEERS", " /ip4/1.2.3.4/tcp/9100/p2p/QmA , ,/ip4/5.6.7.8/tcp/1/p2p/QmB,"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c.value->bootstrap_peers,
            (std::vector<std::string>{"/ip4/1.2.3.4/tcp/9100/p2p/QmA", "/ip4/5.6.7.8/tcp/1/p2p/QmB"}));
  std::string many;
  for (std::size_t i = 0; i <= kMaxBootstrapPeers; ++i) many += "/ip4/1.1.1.1/tcp/1,";
  EXPECT_FALSE(load_p2p_config(env_of({{"CACHE_BOOTSTRAP_PEERS", many}})));
}

TEST(Config, EnableP2pAndMdnsAreStrictBooleans) {
  auto d = load_p2p_config(env_of({}));
  EXPECT_TRUE(d.value->enabled);
  EXPECT_TRUE(d.value->mdns);
  EXPECT_FALSE(load_p2p_config(env_of({{"CACHE_ENABLE_P2P", "off"}})).value->enabled);
  EXPECT_FALSE(load_p2p_config(env_of({{"CACHE_MDNS", "0"}})).value->mdns);
  auto bad = load_p2p_config(env_of({{"CACHE_ENABLE_P2P", "maybe"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error.find("CACHE_ENABLE_P2P=maybe"), std::string::npos);
  EXPECT_NE(bad.error.find("true/false"), std::string::npos);
}

TEST(Config, OwnerTimeout) {
  EXPECT_EQ(load_p2p_config(env_of({})).value->owner_timeout_ms, kDefaultOwnerTimeoutMs);
  EXPECT_EQ(load_p2p_config(env_of({{"CACHE_P2P_OWNER_TIMEOUT_MS", "750"}})).value->owner_timeout_ms, 750);
  for (const char* bad : {"0", "-5", "60001", "fast"}) {
    EXPECT_FALSE(load_p2p_config(env_of({{"CACHE_P2P_OWNER_TIMEOUT_MS", bad}}))) << bad;
  }
}

TEST(Config, ParseBoolAcceptsTheDocumentedSpellingsOnly) {
  for (const char* t : {"true", "TRUE", "1", "yes", "On"}) EXPECT_EQ(parse_bool(t), true) << t;
  for (const char* f : {"false", "0", "no", "OFF"}) EXPECT_EQ(parse_bool(f), false) << f;
  for (const char* bad : {"", "y", "2", "enable", "truee"}) EXPECT_FALSE(parse_bool(bad)) << bad;
}

}  // namespace
}  // namespace ipfsa::node
