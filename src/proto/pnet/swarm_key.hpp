// The libp2p private-network key file (pnet/Private-Networks-PSK-V1.md, "Interface"):
//
//   /key/swarm/psk/1.0.0/\n
//   /base16/\n                      (or /base64/, or /bin/, as go-libp2p accepts)
//   <64 hex digits>\n               (44 base64 characters, or 32 raw bytes)
//
// Lines may end in \r\n; trailing spaces/tabs on a line and trailing blank lines are ignored.
// Everything after the key other than whitespace is an error (go-libp2p ignores it; we refuse a
// file that may not say what its author meant).
#pragma once

#include <cstddef>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"

namespace ipfsa::proto::pnet {

inline constexpr std::size_t kPskSize = 32;
// The base16 form is 95 bytes; anything above this is not a swarm key: too_large, before
// looking at its content.
inline constexpr std::size_t kMaxSwarmKeyFileSize = 1024;
inline constexpr std::string_view kSwarmKeyHeader = "/key/swarm/psk/1.0.0/";

// Errors: too_large (file above kMaxSwarmKeyFileSize), truncated (ends before the header, the
// encoding line or the full key), malformed (wrong header, a bad character, a key of the wrong
// length, trailing garbage), unsupported (an encoding other than /base16/, /base64/, /bin/).
Result<SecretBytes> parse_swarm_key(ByteView file);

// The canonical /base16/ file (lowercase hex, trailing newline). REQUIRES: psk.size() == 32.
SecretBytes format_swarm_key(const SecretBytes& psk);

}  // namespace ipfsa::proto::pnet
