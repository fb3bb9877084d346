#include "proto/relay/voucher.hpp"

#include <algorithm>
#include <optional>

#include "crypto/public_key.hpp"
#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::proto::relay {
namespace {

// RFC 0002's Envelope and the spec's ReservationVoucher.
enum EnvelopeField : std::uint32_t {
  kPublicKey = 1,
  kPayloadType = 2,
  kPayload = 3,
  kSignature = 5
};
enum VoucherField : std::uint32_t { kRelay = 1, kPeer = 2, kExpiration = 3 };

static_assert(kMaxVoucherSize <= crypto::kMaxEncodedPublicKeySize,
              "every key that fits in a voucher is within the key decoder's bound");

// The bytes the relay signs (RFC 0002 "Signature Production").
Bytes signed_bytes(ByteView payload_type, ByteView payload) {
  Bytes out;
  wire::append_uvarint(out, kVoucherDomain.size());
  append(out, as_bytes(kVoucherDomain));
  wire::append_uvarint(out, payload_type.size());
  append(out, payload_type);
  wire::append_uvarint(out, payload.size());
  append(out, payload);
  return out;
}

struct Envelope {
  std::optional<ByteView> public_key, payload_type, payload, signature;
};

Result<Envelope> decode_envelope(ByteView in) {
  Envelope out;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    std::optional<ByteView>* slot = nullptr;
    switch (field.number) {
      case kPublicKey:
        slot = &out.public_key;
        break;
      case kPayloadType:
        slot = &out.payload_type;
        break;
      case kPayload:
        slot = &out.payload;
        break;
      case kSignature:
        slot = &out.signature;
        break;
      default:
        continue;  // unknown fields are skipped (protobuf rules)
    }
    if (field.type != wire::pb::WireType::len) return Error::malformed;
    *slot = field.bytes;  // within the envelope, hence within kMaxVoucherSize
  }
  if (reader.error()) return reader.error();
  if (!out.public_key || !out.payload_type || !out.payload || !out.signature) {
    return Error::malformed;
  }
  return out;
}

Result<Voucher> decode_payload(ByteView in) {
  std::optional<ByteView> relay, peer;
  std::optional<std::uint64_t> expiration;
  wire::pb::Reader reader(in);
  wire::pb::Field field;
  while (reader.next(field)) {
    switch (field.number) {
      case kRelay:
      case kPeer:
        if (field.type != wire::pb::WireType::len) return Error::malformed;
        (field.number == kRelay ? relay : peer) = field.bytes;
        break;
      case kExpiration:
        if (field.type != wire::pb::WireType::varint) return Error::malformed;
        expiration = field.varint;
        break;
      default:
        break;
    }
  }
  if (reader.error()) return reader.error();
  if (!relay || !peer || !expiration) return Error::malformed;  // all three are required
  auto relay_id = wire::PeerId::from_bytes(*relay);
  auto peer_id = wire::PeerId::from_bytes(*peer);
  if (!relay_id || !peer_id) return Error::malformed;
  return Voucher{std::move(*relay_id), std::move(*peer_id), *expiration};
}

}  // namespace

Bytes make_voucher(const crypto::Ed25519KeyPair& relay_key, const wire::PeerId& peer,
                   std::uint64_t expiration) {
  const crypto::PublicKey key = relay_key.public_key();
  wire::pb::Writer payload;  // canonical: fields in number order
  payload.bytes(kRelay, wire::PeerId::from_public_key(key).bytes());
  payload.bytes(kPeer, peer.bytes());
  payload.varint(kExpiration, expiration);
  const ByteView type(kVoucherPayloadType);
  const Bytes signature = relay_key.sign(signed_bytes(type, payload.data()));

  wire::pb::Writer envelope;
  envelope.bytes(kPublicKey, crypto::encode_public_key(key));
  envelope.bytes(kPayloadType, type);
  envelope.bytes(kPayload, payload.data());
  envelope.bytes(kSignature, signature);
  return std::move(envelope).take();
}

Result<Voucher> open_voucher(ByteView bytes) {
  if (bytes.size() > kMaxVoucherSize) return Error::too_large;
  auto envelope = decode_envelope(bytes);
  if (!envelope) return envelope.error();
  auto key = crypto::decode_public_key(*envelope->public_key);
  if (!key) return key.error();
  // Another record type (a peer record, say) is not a voucher even when its signature is good.
  if (!std::equal(envelope->payload_type->begin(), envelope->payload_type->end(),
                  kVoucherPayloadType.begin(), kVoucherPayloadType.end())) {
    return Error::unsupported;
  }
  // The domain is not carried: a signature made for another domain does not verify here.
  if (auto ok = crypto::verify(*key, signed_bytes(*envelope->payload_type, *envelope->payload),
                               *envelope->signature);
      !ok) {
    return ok.error();
  }
  auto voucher = decode_payload(*envelope->payload);
  if (!voucher) return voucher.error();
  if (!voucher->relay.matches(*key)) return Error::peer_id_mismatch;
  return voucher;
}

}  // namespace ipfsa::proto::relay
