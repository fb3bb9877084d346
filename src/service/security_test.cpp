#include "service/security.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ipfsa::service {
namespace {

SecretBytes secret(std::string_view s) {
  return SecretBytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

TEST(Security, HostName) {
  EXPECT_EQ(host_name("LocalHost:8899"), "localhost");
  EXPECT_EQ(host_name("[::1]:8899"), "::1");
  EXPECT_EQ(host_name("127.0.0.1"), "127.0.0.1");
  for (auto bad : {"", ":80", "[::1", "a b", "host:", "host:8x", "host:1234567", "a/b", "h@x"}) {
    EXPECT_FALSE(host_name(bad)) << bad;
  }
  EXPECT_FALSE(host_name(std::string(300, 'a')));
}

TEST(Security, LocalHostHeaders) {
  for (auto ok : {"localhost", "localhost:8899", "api.github.localhost", "127.0.0.1:1", "127.1.2.3",
                  "[::1]:8899", "[::ffff:127.0.0.1]"}) {
    EXPECT_TRUE(is_local_host_header(ok)) << ok;
  }
  // DNS rebinding: a name of the attacker's resolving to 127.0.0.1 arrives as that name.
  for (auto bad : {"evil.example", "evil.example:8899", "localhost.evil.example", "10.0.0.1",
                   "[::2]", "", "0.0.0.0", "notlocalhost"}) {
    EXPECT_FALSE(is_local_host_header(bad)) << bad;
  }
}

TEST(Security, SameOrigin) {
  EXPECT_TRUE(is_same_origin("http://127.0.0.1:8899", "127.0.0.1:8899"));
  EXPECT_TRUE(is_same_origin("HTTP://LOCALHOST:8899", "localhost:8899"));
  EXPECT_FALSE(is_same_origin("http://127.0.0.1:8899", "localhost:8899"));
  EXPECT_FALSE(is_same_origin("https://127.0.0.1:8899", "127.0.0.1:8899"));
  EXPECT_FALSE(is_same_origin("http://evil.example", "127.0.0.1:8899"));
  EXPECT_FALSE(is_same_origin("null", "127.0.0.1:8899"));
  EXPECT_FALSE(is_same_origin("http://", ""));
}

TEST(Security, AuthorizationCredential) {
  EXPECT_EQ(authorization_credential("Bearer abc"), "abc");
  EXPECT_EQ(authorization_credential("bearer  abc "), "abc");
  EXPECT_EQ(authorization_credential("token abc"), "abc");
  EXPECT_FALSE(authorization_credential("Basic YWJj"));
  EXPECT_FALSE(authorization_credential("Bearer"));
  EXPECT_FALSE(authorization_credential("Bearer   "));
  EXPECT_FALSE(authorization_credential(""));
}

TEST(Security, TokenMatches) {
  const auto token = secret("0123456789abcdef");
  EXPECT_TRUE(token_matches("0123456789abcdef", token));
  EXPECT_FALSE(token_matches("0123456789abcdeF", token));
  EXPECT_FALSE(token_matches("0123456789abcde", token));
  EXPECT_FALSE(token_matches("0123456789abcdef0", token));
  EXPECT_FALSE(token_matches("", token));
  EXPECT_FALSE(token_matches("", SecretBytes{}));  // an empty token never matches
}

}  // namespace
}  // namespace ipfsa::service
