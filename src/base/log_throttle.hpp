// Rate-limits a repeated log line: the first line of a burst is written, the repeats within
// `interval` are counted, and the next line written after the interval says how many were left
// out. Pure (the caller passes `now`); thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "base/time.hpp"

namespace ipfsa::log {

// Default spacing of a throttled line.
inline constexpr Duration kLogThrottleInterval = std::chrono::seconds(10);

class Throttle {
 public:
  explicit Throttle(Duration interval = kLogThrottleInterval) : interval_(interval) {}

  // nullopt: skip this line (it was counted). Otherwise write it, adding "(N similar lines
  // suppressed)" when the value is above zero.
  std::optional<std::uint64_t> allow(TimePoint now) {
    std::lock_guard lock(mutex_);
    if (last_ && now - *last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    last_ = now;
    const std::uint64_t skipped = suppressed_;
    suppressed_ = 0;
    return skipped;
  }

 private:
  std::mutex mutex_;
  Duration interval_;
  std::optional<TimePoint> last_;
  std::uint64_t suppressed_ = 0;
};

// " (N similar lines suppressed)" for N > 0, else "": appended to the line Throttle let through.
inline std::string suppressed_note(std::uint64_t suppressed) {
  if (suppressed == 0) return {};
  return " (" + std::to_string(suppressed) + " similar line" + (suppressed == 1 ? "" : "s") +
         " suppressed)";
}

}  // namespace ipfsa::log
