// Asio vocabulary for the I/O shells: Task<T> coroutines, no-throw completion tokens, and the
// few aliases every shell uses. Include only from .cpp files and from io/ and p2p/ headers that
// must name sockets (the [asio] row of docs/architecture.md; scripts/check_layers.py fails on any
// other header including this, <boost/asio/...> or <boost/beast/...>): each Asio translation
// unit costs 10-20 s to compile on our 2-core machines. Elsewhere forward-declare
// boost::asio::io_context and keep coroutines in the .cpp.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ipfsa::io {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

template <class T = void>
using Task = asio::awaitable<T>;

// `co_await op(..., kNoThrow)` yields a tuple (error_code, results...) instead of throwing.
inline constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace ipfsa::io
