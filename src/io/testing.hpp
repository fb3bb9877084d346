// Test support for coroutine code: drive an io_context on the test's thread until an event
// holds. Only tests include it.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>

#include "base/time.hpp"
#include "io/asio.hpp"

namespace ipfsa::io::testing {

// Runs `ctx` until `done()` holds or `deadline` passes; returns done(). The deadline only catches
// a hang: a test waits for the event, never for the time.
inline bool run_until(asio::io_context& ctx, const std::function<bool()>& done, Duration deadline) {
  const auto end = Clock::now() + deadline;
  while (!done()) {
    const auto now = Clock::now();
    if (now >= end) return done();
    if (ctx.stopped()) ctx.restart();
    ctx.run_one_for(std::min<Duration>(end - now, std::chrono::milliseconds(20)));
  }
  return true;
}

}  // namespace ipfsa::io::testing
