#include "github/link.hpp"

#include <gtest/gtest.h>

namespace ipfsa::github {
namespace {

// Recorded in @octokit/fixtures paginate-issues (page 2).
constexpr std::string_view kGitHub =
    R"(<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="prev", )"
    R"(<https://api.github.com/repositories/1000/issues?per_page=3&page=3>; rel="next", )"
    R"(<https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last", )"
    R"(<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="first")";

TEST(Link, GitHubPagination) {
  auto links = parse_link_header(kGitHub);
  ASSERT_TRUE(links);
  ASSERT_EQ(links->size(), 4u);
  EXPECT_EQ((*links)[1].rels, std::vector<std::string>{"next"});
  EXPECT_EQ(find_link(kGitHub, "next"),
            "https://api.github.com/repositories/1000/issues?per_page=3&page=3");
  EXPECT_EQ(find_link(kGitHub, "LAST"),
            "https://api.github.com/repositories/1000/issues?per_page=3&page=5");
  EXPECT_FALSE(find_link(kGitHub, "self"));
}

TEST(Link, RobustForms) {
  // Unquoted rel, extra params, odd spacing and case, commas inside the URI, multi-valued rel.
  EXPECT_EQ(find_link("<https://x/a?q=1,2>;rel=next", "next"), "https://x/a?q=1,2");
  EXPECT_EQ(find_link(R"(<https://x/p>  ;  title="a, b; c" ; REL = "prev next")", "next"),
            "https://x/p");
  EXPECT_EQ(find_link(R"(<https://x/1>; rel="last",,  <https://x/2>; rel="next")", "next"),
            "https://x/2");
  EXPECT_EQ(find_link(R"(<https://x/1>; rel="a"; rel="next")", "next"), std::nullopt);  // §3.3
  EXPECT_EQ(find_link(R"(<https://x/1>; title="q\"uote"; rel=next)", "next"), "https://x/1");
  auto empty = parse_link_header("  ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(Link, Malformed) {
  EXPECT_EQ(parse_link_header("https://x/1; rel=next").error(), Error::malformed);
  EXPECT_EQ(parse_link_header("<https://x/1; rel=next").error(), Error::malformed);
  EXPECT_EQ(parse_link_header(R"(<https://x/1>; rel="next)").error(), Error::malformed);
  EXPECT_EQ(parse_link_header("<https://x/1> rel=next").error(), Error::malformed);
  EXPECT_FALSE(find_link("<https://x/1> rel=next", "next"));
}

TEST(Link, EveryPrefixParsesOrFailsCleanly) {
  std::string s(kGitHub);
  for (std::size_t n = 0; n <= s.size(); ++n) {
    auto r = parse_link_header(std::string_view(s).substr(0, n));
    if (r) {
      for (const auto& l : *r) EXPECT_LE(l.target.size(), s.size());
    } else {
      EXPECT_EQ(r.error(), Error::malformed) << n;
    }
  }
}

TEST(Link, Limits) {
  std::string many;
  for (std::size_t i = 0; i <= kMaxLinks; ++i) many += "<https://x/" + std::to_string(i) + ">, ";
  EXPECT_EQ(parse_link_header(many).error(), Error::too_large);
  std::string huge = "<https://x/" + std::string(kMaxLinkHeaderBytes, 'a') + ">";
  EXPECT_EQ(parse_link_header(huge).error(), Error::too_large);
}

}  // namespace
}  // namespace ipfsa::github
