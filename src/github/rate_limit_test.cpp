#include "github/rate_limit.hpp"

#include <gtest/gtest.h>

namespace ipfsa::github {
namespace {

using std::chrono::seconds;

const WallTime kNow = WallTime{seconds{1'700'000'000}};

Headers limit_headers(std::string remaining, std::string reset, std::string resource = "core") {
  return {{"x-ratelimit-limit", "5000"},
          {"x-ratelimit-remaining", std::move(remaining)},
          {"x-ratelimit-used", "17"},
          {"x-ratelimit-reset", std::move(reset)},
          {"x-ratelimit-resource", std::move(resource)}};
}

TEST(RateLimitParse, HeadersSecondsAndMilliseconds) {
  auto a = parse_rate_limit_headers(limit_headers("4983", "1700000600"));
  EXPECT_EQ(a.limit, 5000);
  EXPECT_EQ(a.remaining, 4983);
  EXPECT_EQ(a.used, 17);
  EXPECT_EQ(a.resource, "core");
  ASSERT_TRUE(a.reset);
  EXPECT_EQ(*a.reset, kNow + seconds{600});
  // The fixtures' millisecond form names the same instant.
  auto b = parse_rate_limit_headers(limit_headers("4983", "1700000600000", "search"));
  EXPECT_EQ(b.reset, a.reset);
  EXPECT_EQ(b.resource, "search");
}

TEST(RateLimitParse, MalformedValuesAreAbsent) {
  auto a = parse_rate_limit_headers({{"x-ratelimit-remaining", "-1"},
                                     {"x-ratelimit-reset", "12abc"},
                                     {"x-ratelimit-limit", "99999999999999999999999"},
                                     {"x-ratelimit-resource", "bad name!"}});
  EXPECT_FALSE(a.remaining);
  EXPECT_FALSE(a.reset);
  EXPECT_FALSE(a.limit);
  EXPECT_EQ(a.resource, "core");
  EXPECT_FALSE(parse_epoch(""));
  EXPECT_FALSE(parse_epoch(" "));
}

TEST(RetryAfter, SecondsAndDates) {
  EXPECT_EQ(parse_retry_after("120", kNow), seconds{120});
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), seconds{0});
  EXPECT_EQ(parse_retry_after("999999999", kNow), kMaxBlock);
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("soon", kNow));
  EXPECT_FALSE(parse_retry_after("", kNow));
  // RFC 9110 §5.6.7 example: all three forms name 1994-11-06T08:49:37Z = 784111777.
  const WallTime t{seconds{784111777}};
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), t);
  EXPECT_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow), seconds{0});  // past
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:15:00 GMT", kNow), seconds{100});
}

TEST(RetryAfter, EveryPrefixOfADateFailsCleanly) {
  std::string d = "Sun, 06 Nov 1994 08:49:37 GMT";
  for (std::size_t n = 0; n < d.size(); ++n) {
    EXPECT_FALSE(parse_http_date(d.substr(0, n))) << n;
  }
}

TEST(Classify, StatusesAndBodies) {
  EXPECT_EQ(classify_limit(200, limit_headers("0", "1"), ""), LimitKind::none);
  EXPECT_EQ(classify_limit(404, {}, "rate limit"), LimitKind::none);
  EXPECT_EQ(classify_limit(403, {}, R"({"message":"Must have admin rights"})"), LimitKind::none);
  EXPECT_EQ(classify_limit(403, limit_headers("0", "1"), "API rate limit exceeded"),
            LimitKind::primary);
  EXPECT_EQ(classify_limit(429, limit_headers("0", "1"), ""), LimitKind::primary);
  EXPECT_EQ(classify_limit(429, {}, ""), LimitKind::secondary);
  EXPECT_EQ(classify_limit(403, {{"retry-after", "30"}}, ""), LimitKind::secondary);
  EXPECT_EQ(
      classify_limit(403, limit_headers("4000", "1"), "You have exceeded a SECONDARY RATE LIMIT"),
      LimitKind::secondary);
  EXPECT_EQ(classify_limit(403, {}, "You have triggered an abuse detection mechanism"),
            LimitKind::secondary);
}

TEST(RateLimiter, PrimaryBlocksOnlyItsResourceUntilReset) {
  RateLimiter rl;
  EXPECT_EQ(rl.on_response(403, limit_headers("0", "1700000300"), "API rate limit exceeded", kNow),
            LimitKind::primary);
  EXPECT_EQ(rl.blocked_until("core", kNow), kNow + seconds{300});
  EXPECT_EQ(rl.retry_after("core", kNow + seconds{100}), seconds{200});
  EXPECT_FALSE(rl.blocked_until("search", kNow));
  EXPECT_FALSE(rl.blocked_until("core", kNow + seconds{300}));
  ASSERT_TRUE(rl.last_info("core"));
  EXPECT_EQ(rl.last_info("core")->remaining, 0);
}

TEST(RateLimiter, HoldFromAPeerBlocksTheResourceWithoutEscalating) {
  RateLimiter r;
  r.hold("core", kNow + seconds{90});
  EXPECT_EQ(r.retry_after("core", kNow), seconds{90});
  EXPECT_EQ(r.retry_after("search", kNow), seconds{0});
  r.hold("core", kNow + seconds{30});  // an earlier reset never shortens a known block
  EXPECT_EQ(r.retry_after("core", kNow), seconds{90});
  EXPECT_EQ(r.escalation(kNow), 0);
  EXPECT_EQ(r.retry_after("core", kNow + seconds{90}), seconds{0});
}

TEST(RateLimiter, LastRequestOfWindowBlocksPreemptively) {
  RateLimiter rl;
  EXPECT_EQ(rl.on_response(200, limit_headers("0", "1700000060"), "{}", kNow), LimitKind::none);
  EXPECT_EQ(rl.retry_after("core", kNow), seconds{60});
  EXPECT_EQ(rl.escalation(kNow), 0);  // not a limit hit, no escalation
}

TEST(RateLimiter, ResetFarAwayIsClamped) {
  RateLimiter rl;
  rl.on_response(403, limit_headers("0", "4102444800000"), "", kNow);
  EXPECT_EQ(rl.retry_after("core", kNow), kMaxBlock);
}

TEST(RateLimiter, RetryAfterIsHonouredAndBlocksEverything) {
  RateLimiter rl;
  EXPECT_EQ(rl.on_response(429, {{"retry-after", "17"}}, "", kNow), LimitKind::secondary);
  EXPECT_EQ(rl.retry_after("core", kNow), seconds{17});
  EXPECT_EQ(rl.retry_after("graphql", kNow), seconds{17});
  EXPECT_EQ(rl.retry_after("core", kNow + seconds{17}), seconds{0});
}

TEST(RateLimiter, SecondaryBackoffGrowsThenDecays) {
  BackoffPolicy p{seconds{60}, seconds{3600}, seconds{600}};
  RateLimiter rl(p);
  const std::string body = "You have exceeded a secondary rate limit";
  WallTime t = kNow;
  std::vector<seconds> waits;
  for (int i = 0; i < 8; ++i) {
    rl.on_response(403, {}, body, t);
    waits.push_back(rl.retry_after("core", t));
    t += waits.back();  // hit again as soon as allowed
  }
  EXPECT_EQ(waits[0], seconds{60});
  EXPECT_EQ(waits[1], seconds{120});
  EXPECT_EQ(waits[2], seconds{240});
  EXPECT_EQ(waits[5], seconds{1920});
  EXPECT_EQ(waits[6], seconds{3600});  // capped
  EXPECT_EQ(waits[7], seconds{3600});
  const int peak = rl.escalation(t);
  EXPECT_EQ(peak, 8);
  // Without a call, one level is forgiven per decay interval after the block ended.
  EXPECT_EQ(rl.escalation(t + seconds{599}), peak);
  EXPECT_EQ(rl.escalation(t + seconds{600}), peak - 1);
  EXPECT_EQ(rl.escalation(t + seconds{600 * 3}), peak - 3);
  EXPECT_EQ(rl.escalation(t + seconds{600 * 50}), 0);
  // A new limit after that recovery starts from the base again (the original never did).
  WallTime later = t + seconds{600 * 50};
  rl.on_response(403, {}, body, later);
  EXPECT_EQ(rl.retry_after("core", later), seconds{60});
  // Hit again right when that block ends: escalates to level 2.
  rl.on_response(403, {}, body, later + seconds{60});
  EXPECT_EQ(rl.retry_after("core", later + seconds{60}), seconds{120});
}

TEST(RateLimiter, ASuccessfulCallEndsTheEscalation) {
  RateLimiter rl;
  const std::string body = "You have exceeded a secondary rate limit";
  WallTime t = kNow;
  for (int i = 0; i < 4; ++i) {
    rl.on_response(403, {}, body, t);
    t += rl.retry_after("core", t);
  }
  EXPECT_EQ(rl.escalation(t), 4);
  // The limit no longer persists: the next one waits the base minute again.
  rl.on_response(200, limit_headers("4999", "1"), "{}", t);
  EXPECT_EQ(rl.escalation(t), 0);
  rl.on_response(403, {}, body, t + seconds{1});
  EXPECT_EQ(rl.retry_after("core", t + seconds{1}), seconds{60});
  // A 304 is an answer too.
  rl.on_response(304, {}, "", t + seconds{61});
  EXPECT_EQ(rl.escalation(t + seconds{61}), 0);
}

TEST(RateLimiter, RetryAfterIsTheWaitEvenWhenRepeated) {
  // Seen with a stand-in: secondary limits with Retry-After: 5, again and again. The original
  // (and our first version) escalated to 120 s over GitHub's 5; the wait is what GitHub names.
  RateLimiter rl;
  const std::string body = "You have exceeded a secondary rate limit";
  WallTime t = kNow;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(rl.on_response(403, {{"retry-after", "5"}}, body, t), LimitKind::secondary);
    EXPECT_EQ(rl.retry_after("core", t), seconds{5}) << "limit " << i;
    t += seconds{5};
  }
  EXPECT_EQ(rl.escalation(t), 0);
  // A primary limit: not before Retry-After, and not before the reset while the quota is spent.
  const auto primary_wait = [](const char* retry_after) {
    RateLimiter primary;
    auto h = limit_headers("0", "1700000300");
    h.emplace_back("retry-after", retry_after);
    primary.on_response(403, h, "API rate limit exceeded", kNow);
    return primary.retry_after("core", kNow);
  };
  EXPECT_EQ(primary_wait("7"), seconds{300});
  EXPECT_EQ(primary_wait("400"), seconds{400});
  // Nonsense values are clamped to the named bound.
  RateLimiter huge;
  huge.on_response(429, {{"retry-after", "99999999"}}, "", kNow);
  EXPECT_EQ(huge.retry_after("core", kNow), kMaxRetryAfter);
}

TEST(RateLimiter, PermissionErrorsDoNotBlock) {
  RateLimiter rl;
  EXPECT_EQ(
      rl.on_response(403, limit_headers("4000", "1700000300"), "Resource not accessible", kNow),
      LimitKind::none);
  EXPECT_FALSE(rl.blocked_until("core", kNow));
}

TEST(RateLimiter, TrackedResourcesAreBounded) {
  RateLimiter rl;
  for (std::size_t i = 0; i < kMaxTrackedResources * 4; ++i) {
    rl.on_response(200, limit_headers("0", "1700000300", "r" + std::to_string(i)), "", kNow);
  }
  EXPECT_TRUE(rl.blocked_until("r0", kNow));
  EXPECT_FALSE(rl.blocked_until("r" + std::to_string(kMaxTrackedResources * 4 - 1), kNow));
}

TEST(ResourceForPath, Routes) {
  EXPECT_EQ(resource_for_path("/repos/a/b", false), "core");
  EXPECT_EQ(resource_for_path("/search/issues?q=x", false), "search");
  EXPECT_EQ(resource_for_path("/search/code?q=x", false), "code_search");
  EXPECT_EQ(resource_for_path("/graphql", true), "graphql");
}

}  // namespace
}  // namespace ipfsa::github
