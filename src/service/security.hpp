// Request checks of the HTTP service (docs/service.md, "Security"). Pure functions of header
// values; the service applies them before routing.
//
// - Host (DNS-rebinding defence): while bound to loopback, a request's Host must name this
//   machine: localhost, *.localhost (RFC 6761), 127.x.y.z or [::1], any port. A browser page on
//   another name that was re-pointed at 127.0.0.1 sends its own name and is refused (421).
// - Origin (cross-site requests): a request carrying an Origin must come from http://<its Host>;
//   anything else is refused (403). No route ever answers with Access-Control-Allow-Origin.
// - Token: when configured, "Authorization: Bearer <token>" or "X-Ipfsa-Token: <token>";
//   compared in constant time (SHA-256 of both sides, CRYPTO_memcmp).
#pragma once

#include <optional>
#include <string_view>

#include "base/secret.hpp"

namespace ipfsa::service {

// The host part of a Host header value ("[::1]:8899" -> "::1", "localhost:1" -> "localhost"),
// lower-cased; nullopt if malformed.
std::optional<std::string> host_name(std::string_view host_header);

// True if `host_header` names the local machine (see above).
bool is_local_host_header(std::string_view host_header);

// True if `origin` ("null", "http://x:1") is the same origin as a page served as http://<host>.
bool is_same_origin(std::string_view origin, std::string_view host_header);

// The credential of "Bearer <x>" / "token <x>" (scheme case-insensitive); nullopt otherwise.
std::optional<std::string_view> authorization_credential(std::string_view authorization);

// Constant-time comparison of a presented credential with the configured token.
bool token_matches(std::string_view presented, const SecretBytes& token);

}  // namespace ipfsa::service
