#include "cache/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ipfsa::cache {
namespace {

TEST(CacheConfig, DirectoryPrecedence) {
  std::map<std::string, std::string, std::less<>> env = {{"HOME", "/home/u"}};
  EXPECT_EQ(Config::from_env(env_from(env))->dir, "/home/u/.cache/ipfs-accelerate");
  env["XDG_CACHE_HOME"] = "/xdg";
  EXPECT_EQ(Config::from_env(env_from(env))->dir, "/xdg/ipfs-accelerate");
  env["IPFS_ACCELERATE_CACHE_DIR"] = "/ia";
  EXPECT_EQ(Config::from_env(env_from(env))->dir, "/ia");
  env["CACHE_DIR"] = "/c";
  EXPECT_EQ(Config::from_env(env_from(env))->dir, "/c");
  EXPECT_EQ(Config::from_env(env_from(env))->database_file(), "/c/github-api-cache.sqlite3");
  env["CACHE_DIR"] = "";  // empty counts as unset
  EXPECT_EQ(Config::from_env(env_from(env))->dir, "/ia");
  auto none = Config::from_env(env_from({}));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("CACHE_DIR"), std::string::npos);
}

TEST(CacheConfig, Defaults) {
  auto c = Config::from_env(env_from({{"HOME", "/h"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->default_ttl, kDefaultTtl);
  EXPECT_EQ(c->max_bytes, kDefaultMaxBytes);
  EXPECT_EQ(c->max_entries, kDefaultMaxEntries);
  EXPECT_EQ(c->hot_bytes, kDefaultHotBytes);
  EXPECT_FALSE(c->ttl_file);
}

TEST(CacheConfig, ParsesValues) {
  auto c = Config::from_env(env_from({{"CACHE_DIR", "/c"},
                                      {"CACHE_DEFAULT_TTL", "60"},
                                      {"CACHE_MAX_BYTES", "256MiB"},
                                      {"CACHE_MAX_ENTRIES", "1000"},
                                      {"CACHE_HOT_BYTES", "0"},
                                      {"CACHE_TTL_FILE", "/etc/ttl.conf"}}));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->default_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c->max_bytes, 256u << 20);
  EXPECT_EQ(c->max_entries, 1000u);
  EXPECT_EQ(c->hot_bytes, 0u);
  EXPECT_EQ(*c->ttl_file, "/etc/ttl.conf");
  EXPECT_EQ(c->store_options().max_bytes, 256u << 20);
}

TEST(CacheConfig, BadValuesNameTheVariable) {
  const std::pair<const char*, const char*> bad[] = {
      {"CACHE_DEFAULT_TTL", "abc"}, {"CACHE_DEFAULT_TTL", "-1"},
      {"CACHE_DEFAULT_TTL", "1.5"}, {"CACHE_DEFAULT_TTL", "99999999999"},
      {"CACHE_MAX_BYTES", "lots"},  {"CACHE_MAX_BYTES", "1000"},
      {"CACHE_MAX_BYTES", "5T"},    {"CACHE_MAX_BYTES", "99999999999999999999"},
      {"CACHE_MAX_ENTRIES", "0"},   {"CACHE_MAX_ENTRIES", "1e6"},
      {"CACHE_HOT_BYTES", "x"},
  };
  for (const auto& [name, value] : bad) {
    auto c = Config::from_env(env_from({{"CACHE_DIR", "/c"}, {name, value}}));
    ASSERT_FALSE(c) << name << "=" << value;
    EXPECT_NE(c.error().find(std::string(name) + "='" + value + "'"), std::string::npos)
        << c.error();
  }
}

TEST(CacheConfig, ByteSizes) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("10B"), 10u);
  EXPECT_EQ(parse_byte_size("2K"), 2048u);
  EXPECT_EQ(parse_byte_size("3MiB"), 3u << 20);
  EXPECT_EQ(parse_byte_size("1G"), 1u << 30);
  EXPECT_FALSE(parse_byte_size(""));
  EXPECT_FALSE(parse_byte_size("M"));
  EXPECT_FALSE(parse_byte_size("1 M"));
  EXPECT_FALSE(parse_byte_size("18446744073709551615K"));
}

}  // namespace
}  // namespace ipfsa::cache
