// One error vocabulary for the whole project: boost::system::error_code with our own category,
// and Result<T> = boost::system::result<T>. No exceptions cross module boundaries.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <type_traits>

namespace ipfsa {

enum class Error {
  ok = 0,
  // Decoding
  truncated = 1,          // input ended before the value did; more bytes may complete it
  malformed,              // input can never be valid (bad varint, bad character, bad field)
  too_large,              // a length or value exceeds a named limit
  unsupported,            // well-formed but not something we implement (codec, key type, version)
  unknown_code,           // unknown multicodec / multiaddr protocol code
  non_canonical,          // valid but not in its canonical (minimal) encoding where that is required
  // Crypto and identity
  invalid_key,            // a key that does not parse or is not on the curve
  invalid_signature,      // a signature that does not verify
  decrypt_failed,         // AEAD authentication failed
  crypto_failure,         // the crypto library failed unexpectedly
  peer_id_mismatch,       // the remote proved a different identity than the one we dialled
  // Protocols
  protocol_violation,     // the peer broke the protocol's rules
  negotiation_failed,     // no common protocol (multistream "na")
  limit_exceeded,         // a peer exceeded a bound: pending frames, proposals, buffered bytes ...
  too_many_streams,       // our own stream limit on a connection is reached (open fewer at once)
  peer_busy,              // the peer is at its limit right now and said so: ask another or later
  rate_limited,           // GitHub's rate limit for this token: retry after its reset
  window_exceeded,        // data beyond the flow-control window
  stream_closed,          // operation on a closed or reset stream
  stream_reset,           // the peer reset the stream
  session_closed,         // the connection/session is gone (GoAway or error)
  invalid_state,          // a call that is not allowed in the current state
  // I/O
  timeout,                // a deadline passed
  io_failure,             // filesystem or socket failure (details in logs)
  not_found,
  cancelled,              // the caller gave up (stop(), shutdown) before the operation finished
  refused,                // the peer understood and said no (a relay without the target's
                          // reservation, a full reservation table)
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(Error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

template <class T>
using Result = boost::system::result<T>;

}  // namespace ipfsa

namespace boost::system {
template <>
struct is_error_code_enum<ipfsa::Error> : std::true_type {};
}  // namespace boost::system
