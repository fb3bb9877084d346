// Fuzzes the swarm key file parser (proto/pnet/swarm_key.hpp): it must never crash, must only
// accept inputs within kMaxSwarmKeyFileSize, and every accepted key must survive a
// format/parse round trip. Accepted keys also drive a Protector pair over the input bytes.
// The same bytes go to the identity.key decoder (crypto/identity.hpp), another small key-file
// parser, which must fail cleanly or return a key consistent with its seed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "crypto/identity.hpp"
#include "proto/pnet/protector.hpp"
#include "proto/pnet/swarm_key.hpp"

using namespace ipfsa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  if (auto key = crypto::decode_private_key(input)) {
    auto check = crypto::Ed25519KeyPair::from_seed(key->seed().view());
    if (!check || check->public_bytes() != key->public_bytes()) std::abort();
  }
  auto psk = proto::pnet::parse_swarm_key(input);
  if (!psk) return 0;
  if (size > proto::pnet::kMaxSwarmKeyFileSize || psk->size() != proto::pnet::kPskSize) {
    std::abort();
  }
  auto again = proto::pnet::parse_swarm_key(proto::pnet::format_swarm_key(*psk).view());
  if (!again || !std::equal(again->view().begin(), again->view().end(), psk->view().begin())) {
    std::abort();
  }
  // Encrypt the input with one protector, decrypt with a peer sharing the key: identity.
  std::uint8_t nonce_a[proto::pnet::kNonceSize] = {1};
  std::uint8_t nonce_b[proto::pnet::kNonceSize] = {2};
  proto::pnet::Protector a(*psk, nonce_a), b(*psk, nonce_b);
  Bytes wire(input.begin(), input.end());
  const std::size_t split = size / 3;
  a.encrypt(std::span(wire).first(split));
  a.encrypt(std::span(wire).subspan(split));
  if (!b.receive_nonce(a.local_nonce())) std::abort();
  b.decrypt(std::span(wire).first(size - split));
  b.decrypt(std::span(wire).subspan(size - split));
  if (!std::equal(wire.begin(), wire.end(), input.begin())) std::abort();
  return 0;
}
