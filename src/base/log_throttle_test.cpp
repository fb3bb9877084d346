#include "base/log_throttle.hpp"

#include <gtest/gtest.h>

namespace ipfsa::log {
namespace {

TEST(LogThrottle, FirstLineWrittenRepeatsCountedUntilTheInterval) {
  Throttle t(std::chrono::seconds(10));
  const TimePoint t0{};
  EXPECT_EQ(t.allow(t0), std::optional<std::uint64_t>(0));
  EXPECT_FALSE(t.allow(t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(t.allow(t0 + std::chrono::seconds(9)));
  // After the interval: written, with the two it left out.
  EXPECT_EQ(t.allow(t0 + std::chrono::seconds(10)), std::optional<std::uint64_t>(2));
  EXPECT_FALSE(t.allow(t0 + std::chrono::seconds(11)));
  EXPECT_EQ(t.allow(t0 + std::chrono::seconds(30)), std::optional<std::uint64_t>(1));
  EXPECT_EQ(t.allow(t0 + std::chrono::seconds(60)), std::optional<std::uint64_t>(0));
}

TEST(LogThrottle, SuppressedNote) {
  EXPECT_EQ(suppressed_note(0), "");
  EXPECT_EQ(suppressed_note(1), " (1 similar line suppressed)");
  EXPECT_EQ(suppressed_note(41), " (41 similar lines suppressed)");
}

}  // namespace
}  // namespace ipfsa::log
