// A level-triggered wake-up for one coroutine at a time on a single-threaded io_context: notify()
// wakes a waiter (or makes the next wait() return at once). Used by streams (data arrived, window
// opened) and by the connection's writer (bytes to send).
#pragma once

#include <chrono>

#include "io/asio.hpp"

namespace ipfsa::io {

class Signal {
 public:
  explicit Signal(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}

  void notify() {
    pending_ = true;
    timer_.cancel();
  }
  // Returns when notified (now or later). Spurious wake-ups are allowed: callers re-check state.
  Task<void> wait() {
    if (!pending_) {
      timer_.expires_at(asio::steady_timer::time_point::max());
      co_await timer_.async_wait(kNoThrow);
    }
    pending_ = false;
  }
  // Like wait(), but also returns at `deadline`.
  Task<void> wait_until(asio::steady_timer::time_point deadline) {
    if (!pending_) {
      timer_.expires_at(deadline);
      co_await timer_.async_wait(kNoThrow);
    }
    pending_ = false;
  }

 private:
  asio::steady_timer timer_;
  bool pending_ = false;
};

}  // namespace ipfsa::io
