// Reservation vouchers (circuit-v2.md "Reservation Vouchers"): the relay's signed statement that
// it serves a peer until a time, carried in Reservation.voucher. A voucher is a signed envelope
// (libp2p specs RFC 0002):
//
//   message Envelope { PublicKey public_key = 1;  bytes payload_type = 2;  bytes payload = 3;
//                      bytes signature = 5; }
//   signature = sign(uvarint(len(domain)) || domain || uvarint(len(payload_type)) ||
//                    payload_type || uvarint(len(payload)) || payload)
//
// with domain "libp2p-relay-rsvp", payload_type the two bytes 03 02 (multicodec libp2p-relay-rsvp,
// 0x0302, written big-endian as go-libp2p and js-libp2p do, not as its uvarint 82 06) and
// payload the canonical (field-ordered) protobuf
//   message ReservationVoucher { bytes relay = 1; bytes peer = 2; uint64 expiration = 3; }
// whose relay and peer are peer-ID multihashes and expiration UTC unix seconds.
//
//   Bytes v = relay::make_voucher(identity, reserving_peer, expire);   // relay side
//   auto opened = relay::open_voucher(reservation.voucher);            // client side
//   if (opened && opened->relay == relay_id && opened->peer == self) ... // the voucher is for us
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "crypto/ed25519.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::relay {

inline constexpr std::string_view kVoucherDomain = "libp2p-relay-rsvp";
// Multicodec libp2p-relay-rsvp (0x0302) as go-libp2p (RecordCodec) and js-libp2p put it in the
// envelope: the bytes 03 02. The uvarint of 0x0302 (82 06) would not interoperate.
inline constexpr std::array<std::uint8_t, 2> kVoucherPayloadType = {0x03, 0x02};
// A voucher arrives inside a hop message, so it is never larger than one.
inline constexpr std::size_t kMaxVoucherSize = 4096;

struct Voucher {
  wire::PeerId relay;            // who signed (checked against the envelope's key)
  wire::PeerId peer;             // who holds the reservation
  std::uint64_t expiration = 0;  // UTC unix seconds
  friend bool operator==(const Voucher&, const Voucher&) = default;
};

// The envelope bytes for `peer`'s reservation at the relay `relay_key` (our identity). Ed25519
// signatures are deterministic, so the same inputs give the same bytes (js-libp2p gives them too).
Bytes make_voucher(const crypto::Ed25519KeyPair& relay_key, const wire::PeerId& peer,
                   std::uint64_t expiration);

// Opens and checks an envelope: the signature under the envelope's key over the
// libp2p-relay-rsvp domain, the payload type, and that the key is the voucher's relay. Does not
// look at the expiration (the caller has the clock). Errors: too_large (above kMaxVoucherSize),
// truncated / malformed (bad protobuf; a missing field; relay or peer not a valid peer ID),
// the errors of crypto::decode_public_key for the key, unsupported (another payload type),
// invalid_signature, peer_id_mismatch (signed by a key that is not the relay's).
Result<Voucher> open_voucher(ByteView envelope);

}  // namespace ipfsa::proto::relay
