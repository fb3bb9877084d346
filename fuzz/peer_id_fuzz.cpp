// Peer ID decoders: byte 0 picks text (PeerId::parse) or binary (PeerId::from_bytes). Accepted
// IDs must round-trip through both text forms and the binary form; inline keys must re-derive
// the same ID.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wire/cid.hpp"
#include "wire/peer_id.hpp"

using ipfsa::ByteView;
using ipfsa::wire::PeerId;

static void check(const PeerId& id) {
  auto from_b58 = PeerId::parse(id.to_base58());
  auto from_cid = PeerId::parse(id.to_cid_string());
  auto from_bytes = PeerId::from_bytes(id.bytes());
  if (!from_b58 || *from_b58 != id) abort();
  if (!from_cid || *from_cid != id) abort();
  if (!from_bytes || *from_bytes != id) abort();
  if (auto key = id.public_key()) {
    if (!id.matches(*key)) abort();
    (void)ipfsa::crypto::verify(*key, ByteView(id.bytes()), ByteView(id.bytes()));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView input(data + 1, size - 1);
  if (data[0] & 1) {
    if (auto id = PeerId::from_bytes(input)) check(*id);
    if (auto key = ipfsa::crypto::decode_public_key(input)) {
      if (ipfsa::crypto::decode_public_key(ipfsa::crypto::encode_public_key(*key)) != key) abort();
    }
    (void)ipfsa::wire::Cid::from_bytes(input);
  } else {
    const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    if (auto id = PeerId::parse(text)) check(*id);
    if (auto cid = ipfsa::wire::Cid::parse(text)) {
      auto again = ipfsa::wire::Cid::parse(cid->to_string());
      if (!again || *again != *cid) abort();
    }
  }
  return 0;
}
