#include "proto/noise/symmetric_state.hpp"

#include "crypto/hkdf.hpp"
#include "crypto/sha256.hpp"

namespace ipfsa::proto::noise {

namespace {

// Noise section 4.3: HKDF(chaining_key, ikm, 2) = HMAC-based extract then two expand blocks with
// an empty info, which is exactly RFC 5869 HKDF with salt = ck, info = "" and L = 2 * HASHLEN.
SecretBytes hkdf2(ByteView chaining_key, ByteView input_key_material) {
  return crypto::hkdf_sha256(chaining_key, input_key_material, {}, 2 * kHashSize);
}

}  // namespace

SymmetricState::SymmetricState(std::string_view protocol_name) {
  // Section 5.2 InitializeSymmetric.
  const ByteView name = as_bytes(protocol_name);
  if (name.size() <= kHashSize) {
    std::copy(name.begin(), name.end(), h_.begin());
  } else {
    h_ = crypto::sha256(name);
  }
  ck_ = SecretBytes(ByteView(h_));
}

void SymmetricState::mix_hash(ByteView data) {
  Bytes buffer;
  buffer.reserve(h_.size() + data.size());
  append(buffer, h_);
  append(buffer, data);
  h_ = crypto::sha256(buffer);
}

void SymmetricState::mix_key(ByteView input_key_material) {
  const SecretBytes okm = hkdf2(ck_.view(), input_key_material);
  const ByteView out = okm.view();
  ck_ = SecretBytes(out.first(kHashSize));
  // HASHLEN == 32 == key size, so temp_k needs no truncation.
  cipher_ = CipherState(out.subspan(kHashSize, kKeySize));
}

Result<void> SymmetricState::encrypt_and_hash(ByteView plaintext, Bytes& out) {
  const std::size_t start = out.size();
  if (auto ok = cipher_.encrypt_with_ad(h_, plaintext, out); !ok) return ok.error();
  mix_hash(ByteView(out).subspan(start));
  return {};
}

Result<void> SymmetricState::decrypt_and_hash(ByteView ciphertext, Bytes& out) {
  if (auto ok = cipher_.decrypt_with_ad(h_, ciphertext, out); !ok) return ok.error();
  mix_hash(ciphertext);
  return {};
}

std::pair<CipherState, CipherState> SymmetricState::split() const {
  const SecretBytes okm = hkdf2(ck_.view(), {});
  const ByteView out = okm.view();
  return std::pair<CipherState, CipherState>(CipherState(out.first(kKeySize)),
                                             CipherState(out.subspan(kHashSize, kKeySize)));
}

}  // namespace ipfsa::proto::noise
