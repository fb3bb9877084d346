#include "discovery/registry/settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ipfsa::registry {
namespace {

constexpr std::string_view kSelf = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

std::string fixed_host() { return "build-host"; }

TEST(Settings, RepoPrecedenceAndDefaults) {
  auto off = registry_settings_from_env(env_from({}), fixed_host);
  ASSERT_TRUE(off);
  EXPECT_FALSE(*off);
  auto empty =
      registry_settings_from_env(env_from({{"IPFS_ACCELERATE_GITHUB_REPO", ""}}), fixed_host);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);

  auto gh = registry_settings_from_env(env_from({{"GITHUB_REPOSITORY", "o/r"}}), fixed_host);
  ASSERT_TRUE(gh && *gh);
  EXPECT_EQ((*gh)->repo, "o/r");
  EXPECT_EQ((*gh)->runner_name, "build-host");
  EXPECT_FALSE((*gh)->public_ip);

  auto both =
      registry_settings_from_env(env_from({{"GITHUB_REPOSITORY", "o/r"},
                                           {"IPFS_ACCELERATE_GITHUB_REPO", "me/fleet.registry"},
                                           {"RUNNER_NAME", "GitHub Actions 7"},
                                           {"IPFS_ACCELERATE_PUBLIC_IP", "2001:db8::7"}}),
                                 fixed_host);
  ASSERT_TRUE(both && *both);
  EXPECT_EQ((*both)->repo, "me/fleet.registry");
  EXPECT_EQ((*both)->runner_name, "GitHub Actions 7");
  EXPECT_EQ((*both)->public_ip, "2001:db8::7");
}

TEST(Settings, RejectsBadValues) {
  for (const std::string& repo :
       std::vector<std::string>{"noslash", "/r", "o/", "o/r/x", "o/..", "o r/x", "o/r?x=1",
                                std::string(kMaxRepoBytes, 'a') + "/r"}) {
    EXPECT_FALSE(registry_settings_from_env(env_from({{"GITHUB_REPOSITORY", repo}}), fixed_host))
        << repo;
    EXPECT_FALSE(valid_repo(repo)) << repo;
  }
  EXPECT_TRUE(valid_repo("Octo-Org/hello_world.js"));
  auto bad_ip = registry_settings_from_env(
      env_from({{"GITHUB_REPOSITORY", "o/r"}, {"IPFS_ACCELERATE_PUBLIC_IP", "example.com"}}),
      fixed_host);
  EXPECT_EQ(bad_ip.error(), Error::malformed);
  auto bad_runner = registry_settings_from_env(
      env_from({{"GITHUB_REPOSITORY", "o/r"}, {"RUNNER_NAME", "x --> y"}}), fixed_host);
  EXPECT_EQ(bad_runner.error(), Error::malformed);
  auto long_runner =
      registry_settings_from_env(env_from({{"GITHUB_REPOSITORY", "o/r"},
                                           {"RUNNER_NAME", std::string(kMaxFieldBytes + 1, 'r')}}),
                                 fixed_host);
  EXPECT_EQ(long_runner.error(), Error::too_large);
}

TEST(Settings, AdvertisedAddressSkipsUnspecifiedAndCarriesP2p) {
  auto self = wire::PeerId::parse(kSelf);
  ASSERT_TRUE(self);
  std::vector<wire::Multiaddr> listen;
  EXPECT_FALSE(advertised_multiaddr(listen, *self));
  listen.push_back(*wire::Multiaddr::parse("/ip4/0.0.0.0/tcp/9100"));
  EXPECT_EQ(advertised_multiaddr(listen, *self)->to_string(),
            "/ip4/0.0.0.0/tcp/9100/p2p/" + std::string(kSelf));
  listen.push_back(*wire::Multiaddr::parse("/ip6/::/tcp/9100"));
  listen.push_back(*wire::Multiaddr::parse("/ip4/127.0.0.1/tcp/9100"));
  EXPECT_EQ(advertised_multiaddr(listen, *self)->to_string(),
            "/ip4/127.0.0.1/tcp/9100/p2p/" + std::string(kSelf));  // loopback beats unspecified
  listen.push_back(*wire::Multiaddr::parse("/ip6/::1/tcp/9100"));
  listen.push_back(*wire::Multiaddr::parse("/ip4/192.168.1.4/tcp/9100"));
  listen.push_back(*wire::Multiaddr::parse("/ip4/10.0.0.4/tcp/9100"));
  EXPECT_EQ(advertised_multiaddr(listen, *self)->to_string(),
            "/ip4/192.168.1.4/tcp/9100/p2p/" + std::string(kSelf));

  RegistrySettings s{"o/r", "runner", "203.0.113.9"};
  auto rec = self_record(s, *self, listen[4], 9100, {{"agent", "ipfs-accelerate/0.1"}});
  EXPECT_EQ(rec.runner_name, "runner");
  EXPECT_EQ(rec.peer_id, kSelf);
  EXPECT_EQ(rec.multiaddr, "/ip4/192.168.1.4/tcp/9100/p2p/" + std::string(kSelf));
  EXPECT_EQ(rec.public_ip, "203.0.113.9");
  EXPECT_EQ(rec.listen_port, 9100);
  EXPECT_TRUE(build_comment_body(rec));
}

TEST(Settings, HostnameIsNeverEmpty) { EXPECT_FALSE(local_hostname().empty()); }

}  // namespace
}  // namespace ipfsa::registry
