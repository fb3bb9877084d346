#include "base/error.hpp"

#include <string>

namespace ipfsa {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "ipfs-accelerate"; }
  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::ok: return "success";
      case Error::truncated: return "input truncated";
      case Error::malformed: return "malformed input";
      case Error::too_large: return "value exceeds limit";
      case Error::unsupported: return "unsupported";
      case Error::unknown_code: return "unknown code";
      case Error::non_canonical: return "non-canonical encoding";
      case Error::invalid_key: return "invalid key";
      case Error::invalid_signature: return "invalid signature";
      case Error::decrypt_failed: return "decryption failed (authentication tag mismatch)";
      case Error::crypto_failure: return "crypto library failure";
      case Error::peer_id_mismatch: return "remote peer id does not match the expected one";
      case Error::protocol_violation: return "protocol violation";
      case Error::negotiation_failed: return "protocol negotiation failed";
      case Error::limit_exceeded: return "limit exceeded";
      case Error::too_many_streams: return "too many streams open on this connection";
      case Error::peer_busy: return "the peer is busy (at its limit): try another peer or later";
      case Error::rate_limited: return "GitHub rate limit reached for this token: retry after the reset";
      case Error::window_exceeded: return "flow-control window exceeded";
      case Error::stream_closed: return "stream closed";
      case Error::stream_reset: return "stream reset by peer";
      case Error::session_closed: return "session closed";
      case Error::invalid_state: return "invalid state";
      case Error::timeout: return "timed out";
      case Error::io_failure: return "I/O failure";
      case Error::not_found: return "not found";
      case Error::cancelled: return "cancelled";
      case Error::refused: return "refused by the peer";
    }
    return "unknown error " + std::to_string(value);
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace ipfsa
