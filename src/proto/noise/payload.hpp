// The libp2p Noise handshake payload (libp2p specs noise/README.md, "The libp2p Handshake
// Payload"), carried encrypted in messages 2 (responder) and 3 (initiator):
//   message NoiseExtensions { repeated bytes webtransport_certhashes = 1;
//                             repeated string stream_muxers = 2; }
//   message NoiseHandshakePayload { bytes identity_key = 1; bytes identity_sig = 2;
//                                   NoiseExtensions extensions = 4; }
// identity_sig signs kStaticKeySignaturePrefix || the sender's static X25519 public key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace ipfsa::proto::noise {

inline constexpr std::string_view kStaticKeySignaturePrefix = "noise-libp2p-static-key:";
// Bounds on what a peer may advertise (the whole payload is already <= one Noise message).
inline constexpr std::size_t kMaxStreamMuxers = 32;
inline constexpr std::size_t kMaxStreamMuxerSize = 256;  // bytes of one muxer protocol id
inline constexpr std::size_t kMaxCertHashes = 32;        // webtransport: parsed and ignored

struct Extensions {
  std::vector<std::string> stream_muxers;  // NoiseExtensions field 2, in the sender's order
  friend bool operator==(const Extensions&, const Extensions&) = default;
};

struct HandshakePayload {
  Bytes identity_key;  // protobuf-encoded libp2p PublicKey
  Bytes identity_sig;
  Extensions extensions;
};

// Fields in field-number order; extensions (field 4) only when there is a muxer to announce.
Bytes encode_payload(const HandshakePayload& payload);
// Unknown fields (e.g. the legacy `data = 3`) are skipped. Errors: truncated / malformed protobuf
// (including a known field with the wrong wire type), protocol_violation (missing identity_key or
// identity_sig), limit_exceeded (more than kMaxStreamMuxers or kMaxCertHashes entries), too_large
// (a muxer id above kMaxStreamMuxerSize).
Result<HandshakePayload> decode_payload(ByteView encoded);

// "noise-libp2p-static-key:" || static_public: the bytes identity_sig signs.
Bytes static_key_signature_message(ByteView static_public);

}  // namespace ipfsa::proto::noise
