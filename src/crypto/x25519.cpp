#include "crypto/x25519.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace ipfsa::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr std::size_t kKeySize = 32;

}  // namespace

Result<X25519Public> x25519_public(const SecretBytes& private_key) {
  if (private_key.size() != kKeySize) return Error::invalid_key;
  // RFC 7748 section 5: OpenSSL clamps the scalar itself.
  PkeyPtr key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.view().data(), kKeySize));
  if (!key) return Error::crypto_failure;
  X25519Public pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return Error::crypto_failure;
  }
  return pub;
}

Result<SecretBytes> x25519(const SecretBytes& private_key, ByteView peer_public) {
  if (private_key.size() != kKeySize || peer_public.size() != kKeySize) return Error::invalid_key;
  PkeyPtr ours(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.view().data(), kKeySize));
  PkeyPtr theirs(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(), kKeySize));
  if (!ours) return Error::crypto_failure;
  if (!theirs) return Error::invalid_key;
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(ours.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return Error::crypto_failure;
  if (EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) != 1) return Error::invalid_key;
  SecretBytes shared(kKeySize);
  std::size_t len = kKeySize;
  // OpenSSL already fails the derivation on an all-zero result (a low-order peer point); the
  // explicit check below (RFC 7748 section 6.1, "check ... is not all zero") does not rely on it.
  if (EVP_PKEY_derive(ctx.get(), shared.mutable_view().data(), &len) != 1 || len != kKeySize) {
    return Error::invalid_key;
  }
  static constexpr std::uint8_t kZero[kKeySize] = {};
  if (CRYPTO_memcmp(shared.view().data(), kZero, kKeySize) == 0) return Error::invalid_key;
  return shared;
}

}  // namespace ipfsa::crypto
