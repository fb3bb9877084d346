#include "proto/pnet/protector.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ipfsa::proto::pnet {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "ipfsa: pnet::Protector misuse: %s\n", what);
  std::abort();
}

const SecretBytes& checked_psk(const SecretBytes& psk, ByteView nonce) {
  if (psk.size() != kPskSize) fatal("the pre-shared key must be 32 bytes");
  if (nonce.size() != kNonceSize) fatal("the nonce must be 24 bytes");
  return psk;
}

}  // namespace

Protector::Protector(const SecretBytes& psk, ByteView our_nonce)
    : psk_(checked_psk(psk, our_nonce)), local_(psk, our_nonce) {
  std::memcpy(local_nonce_.data(), our_nonce.data(), kNonceSize);
}

Result<std::size_t> Protector::receive_nonce(ByteView in) {
  if (remote_) return std::size_t{0};
  // Spec "On reading side": read(in, N), 24 bytes, then newXSalsa20Stream(SS, N).
  const std::size_t n = std::min(kNonceSize - remote_nonce_have_, in.size());
  if (n > 0) std::memcpy(remote_nonce_.data() + remote_nonce_have_, in.data(), n);
  remote_nonce_have_ += n;
  if (remote_nonce_have_ == kNonceSize) {
    if (remote_nonce_ == local_nonce_) return Error::protocol_violation;
    remote_.emplace(psk_, remote_nonce_);
  }
  return n;
}

void Protector::decrypt(std::span<std::uint8_t> data) {
  if (!remote_) fatal("decrypt() before the peer's nonce was received");
  remote_->apply(data);
}

Result<void> check_first_plaintext(ByteView first) noexcept {
  const std::size_t n = std::min(first.size(), kExpectedFirstPlaintext.size());
  if (!std::equal(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(n),
                  kExpectedFirstPlaintext.begin())) {
    return Error::protocol_violation;
  }
  return {};
}

}  // namespace ipfsa::proto::pnet
