#include "proto/noise/cipher_state.hpp"

namespace ipfsa::proto::noise {

// Noise spec section 5.1: EncryptWithAd / DecryptWithAd. The n = 2^64-1 check is the spec's
// "if incrementing n results in 2^64-1, then any further EncryptWithAd() or DecryptWithAd() calls
// will signal an error".
Result<void> CipherState::encrypt_with_ad(ByteView ad, ByteView plaintext, Bytes& out) {
  if (!aead_) {
    append(out, plaintext);
    return {};
  }
  if (n_ == kReservedNonce) return Error::limit_exceeded;
  aead_->seal(n_, ad, plaintext, out);
  ++n_;
  return {};
}

Result<void> CipherState::decrypt_with_ad(ByteView ad, ByteView ciphertext, Bytes& out) {
  if (!aead_) {
    append(out, ciphertext);
    return {};
  }
  if (n_ == kReservedNonce) return Error::limit_exceeded;
  if (ciphertext.size() < kTagSize) return Error::decrypt_failed;
  if (auto ok = aead_->open(n_, ad, ciphertext, out); !ok) return ok.error();
  ++n_;
  return {};
}

}  // namespace ipfsa::proto::noise
