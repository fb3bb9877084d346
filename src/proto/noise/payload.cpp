#include "proto/noise/payload.hpp"

#include <algorithm>

#include "wire/protobuf.hpp"

namespace ipfsa::proto::noise {

namespace {

enum : std::uint32_t { kIdentityKey = 1, kIdentitySig = 2, kExtensions = 4 };
enum : std::uint32_t { kCertHashes = 1, kStreamMuxers = 2 };

Result<Extensions> decode_extensions(ByteView encoded) {
  Extensions ext;
  std::size_t cert_hashes = 0;
  wire::pb::Reader reader(encoded);
  wire::pb::Field field;
  while (reader.next(field)) {
    if (field.number != kCertHashes && field.number != kStreamMuxers) continue;
    if (field.type != wire::pb::WireType::len) return Error::malformed;
    if (field.number == kCertHashes) {
      if (++cert_hashes > kMaxCertHashes) return Error::limit_exceeded;
      continue;
    }
    if (ext.stream_muxers.size() >= kMaxStreamMuxers) return Error::limit_exceeded;
    if (field.bytes.size() > kMaxStreamMuxerSize) return Error::too_large;
    ext.stream_muxers.push_back(to_string(field.bytes));
  }
  if (reader.error()) return reader.error();
  return ext;
}

}  // namespace

Bytes encode_payload(const HandshakePayload& payload) {
  wire::pb::Writer writer;
  writer.bytes(kIdentityKey, payload.identity_key);
  writer.bytes(kIdentitySig, payload.identity_sig);
  if (!payload.extensions.stream_muxers.empty()) {
    wire::pb::Writer ext;
    for (const auto& muxer : payload.extensions.stream_muxers) ext.string(kStreamMuxers, muxer);
    writer.bytes(kExtensions, ext.data());
  }
  return std::move(writer).take();
}

Result<HandshakePayload> decode_payload(ByteView encoded) {
  HandshakePayload payload;
  bool have_key = false;
  bool have_sig = false;
  wire::pb::Reader reader(encoded);
  wire::pb::Field field;
  while (reader.next(field)) {
    if (field.number != kIdentityKey && field.number != kIdentitySig &&
        field.number != kExtensions) {
      continue;  // unknown or legacy (data = 3): skip
    }
    if (field.type != wire::pb::WireType::len) return Error::malformed;
    // Proto3 semantics: the last occurrence of a singular field wins.
    switch (field.number) {
      case kIdentityKey:
        payload.identity_key.assign(field.bytes.begin(), field.bytes.end());
        have_key = true;
        break;
      case kIdentitySig:
        payload.identity_sig.assign(field.bytes.begin(), field.bytes.end());
        have_sig = true;
        break;
      default: {
        auto ext = decode_extensions(field.bytes);
        if (!ext) return ext.error();
        payload.extensions = std::move(*ext);
        break;
      }
    }
  }
  if (reader.error()) return reader.error();
  if (!have_key || !have_sig || payload.identity_key.empty() || payload.identity_sig.empty()) {
    return Error::protocol_violation;
  }
  return payload;
}

Bytes static_key_signature_message(ByteView static_public) {
  const ByteView prefix = as_bytes(kStaticKeySignaturePrefix);
  Bytes message(prefix.size() + static_public.size());
  std::copy(prefix.begin(), prefix.end(), message.begin());
  std::copy(static_public.begin(), static_public.end(), message.begin() + prefix.size());
  return message;
}

}  // namespace ipfsa::proto::noise
