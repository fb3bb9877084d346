// Time vocabulary. Protocol engines take `now` as an argument; only I/O shells read the clock.
#pragma once

#include <chrono>

namespace ipfsa {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using namespace std::chrono_literals;

}  // namespace ipfsa
