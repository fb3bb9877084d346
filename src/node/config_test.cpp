#include "node/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ipfsa::node {
namespace {

TEST(Config, Defaults) {
  auto c = load_p2p_config(env_from({}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->listen_port, 9100);
  EXPECT_TRUE(c->bootstrap_peers.empty());
  EXPECT_FALSE(c->swarm_key_file);
}

TEST(Config, RelayMode) {
  EXPECT_EQ(load_p2p_config(env_from({}))->relay, RelayMode::auto_);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_RELAY", "on"}}))->relay, RelayMode::on);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_RELAY", " true "}}))->relay, RelayMode::on);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_RELAY", "off"}}))->relay, RelayMode::off);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_RELAY", "0"}}))->relay, RelayMode::off);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_RELAY", "auto"}}))->relay, RelayMode::auto_);
  auto bad = load_p2p_config(env_from({{"CACHE_RELAY", "sometimes"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("CACHE_RELAY=sometimes"), std::string::npos);
}

TEST(Config, ListenPortValidated) {
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_LISTEN_PORT", "9200"}}))->listen_port, 9200);
  for (const char* bad : {"0", "65536", "abc", "-1", "9100x", "1e3"}) {
    auto c = load_p2p_config(env_from({{"CACHE_LISTEN_PORT", bad}}));
    EXPECT_FALSE(c) << bad;
    EXPECT_NE(c.error().find("CACHE_LISTEN_PORT"), std::string::npos);
  }
}

TEST(Config, BootstrapPeersSplitAndTrimmed) {
  const std::string a =
      "/ip4/1.2.3.4/tcp/9100/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
  const std::string b = "/ip4/5.6.7.8/tcp/1/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN";
  auto c = load_p2p_config(env_from({{"CACHE_BOOTSTRAP_PEERS", " " + a + " , ," + b + ","}}));
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->bootstrap_peers.size(), 2u);
  EXPECT_EQ(c->bootstrap_peers[0].to_string(), a);
  EXPECT_EQ(c->bootstrap_peers[1].to_string(), b);
  std::string many;
  for (std::size_t i = 0; i <= kMaxBootstrapPeers; ++i) many += a + ",";
  EXPECT_FALSE(load_p2p_config(env_from({{"CACHE_BOOTSTRAP_PEERS", many}})));
}

TEST(Config, BootstrapPeersAreCheckedOnce) {
  for (const std::string bad :
       {"/ip4/1.2.3.4/tcp/9100", "/ip4/1.2.3.4/tcp/9100/p2p/QmA", "nonsense"}) {
    auto c = load_p2p_config(env_from({{"CACHE_BOOTSTRAP_PEERS", bad}}));
    EXPECT_FALSE(c) << bad;
    EXPECT_NE(c.error().find("is not a multiaddr ending in /p2p/<peer id>"), std::string::npos)
        << c.error();
    EXPECT_NE(c.error().find(bad), std::string::npos) << c.error();
  }
}

TEST(Config, EnableP2pAndMdnsAreStrictBooleans) {
  auto d = load_p2p_config(env_from({}));
  EXPECT_TRUE(d->enabled);
  EXPECT_TRUE(d->mdns);
  EXPECT_FALSE(load_p2p_config(env_from({{"CACHE_ENABLE_P2P", "off"}}))->enabled);
  EXPECT_FALSE(load_p2p_config(env_from({{"CACHE_MDNS", "0"}}))->mdns);
  auto bad = load_p2p_config(env_from({{"CACHE_ENABLE_P2P", "maybe"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("CACHE_ENABLE_P2P=maybe"), std::string::npos);
  EXPECT_NE(bad.error().find("true/false"), std::string::npos);
}

TEST(Config, OwnerTimeout) {
  EXPECT_EQ(load_p2p_config(env_from({}))->owner_timeout_ms, kDefaultOwnerTimeoutMs);
  EXPECT_EQ(load_p2p_config(env_from({{"CACHE_P2P_OWNER_TIMEOUT_MS", "750"}}))->owner_timeout_ms,
            750);
  for (const char* bad : {"0", "-5", "60001", "fast"}) {
    EXPECT_FALSE(load_p2p_config(env_from({{"CACHE_P2P_OWNER_TIMEOUT_MS", bad}}))) << bad;
  }
}

TEST(Config, ParseBoolAcceptsTheDocumentedSpellingsOnly) {
  for (const char* t : {"true", "TRUE", "1", "yes", "On"}) EXPECT_EQ(parse_bool(t), true) << t;
  for (const char* f : {"false", "0", "no", "OFF"}) EXPECT_EQ(parse_bool(f), false) << f;
  for (const char* bad : {"", "y", "2", "enable", "truee"}) EXPECT_FALSE(parse_bool(bad)) << bad;
}

}  // namespace
}  // namespace ipfsa::node
