// Races an awaitable against a timer: the one way the I/O shells bound a single step (a read, a
// write, a negotiation). Separate from asio.hpp because the awaitable operators are costly to
// compile; include it only where a step needs a deadline.
#pragma once

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <optional>
#include <utility>
#include <variant>

#include "base/time.hpp"
#include "io/asio.hpp"

namespace ipfsa::io {

// The task's result, or nullopt if `timeout` passed first (the task is then cancelled).
template <class T>
Task<std::optional<T>> with_timeout(Task<T> task, Duration timeout) {
  using namespace boost::asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  auto result = co_await (std::move(task) || timer.async_wait(kNoThrow));
  if (result.index() == 1) co_return std::nullopt;
  co_return std::move(std::get<0>(result));
}

}  // namespace ipfsa::io
