// Time vocabulary. Protocol engines take `now` as an argument; only I/O shells read the clock.
#pragma once

#include <chrono>
#include <functional>

namespace ipfsa {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using namespace std::chrono_literals;

// Calendar time, for what the other side states as dates (rate-limit resets, Retry-After,
// registry heartbeats). A shell that reads it takes a WallClockFn so tests can move time.
using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;
using WallClockFn = std::function<WallTime()>;  // empty = WallClock::now

}  // namespace ipfsa
