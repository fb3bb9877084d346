#include "crypto/ed25519.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "crypto/random.hpp"

namespace ipfsa::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr std::size_t kSeedSize = 32;
constexpr std::size_t kSignatureSize = 64;

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "ipfsa: Ed25519 failure: %s\n", what);
  std::abort();
}

PkeyPtr private_key(ByteView seed) {
  return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

}  // namespace

Result<Ed25519KeyPair> Ed25519KeyPair::from_seed(ByteView seed) {
  if (seed.size() != kSeedSize) return Error::invalid_key;
  // RFC 8032 section 5.1.5: the public key is derived from SHA-512(seed); OpenSSL does it.
  PkeyPtr pkey = private_key(seed);
  if (!pkey) return Error::crypto_failure;
  std::array<std::uint8_t, 32> pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return Error::crypto_failure;
  }
  return Ed25519KeyPair(SecretBytes(seed), pub);
}

Ed25519KeyPair Ed25519KeyPair::generate() {
  SecretBytes seed = random_secret(kSeedSize);
  auto pair = from_seed(seed.view());
  if (!pair) fatal("key generation");
  return std::move(*pair);
}

Bytes Ed25519KeyPair::sign(ByteView message) const {
  // PureEdDSA (RFC 8032 section 5.1.6) with libsodium, whose secret key is seed || public key:
  // no key-object import per signature (it cost OpenSSL half of each signature here;
  // docs/performance.md P3). Signatures are deterministic, so the RFC vectors still apply.
  static const bool ready = sodium_init() >= 0;
  if (!ready) fatal("libsodium initialisation");
  std::uint8_t secret[crypto_sign_SECRETKEYBYTES];
  std::copy(seed_.view().begin(), seed_.view().end(), secret);
  std::copy(public_.begin(), public_.end(), secret + kSeedSize);
  Bytes sig(kSignatureSize);
  unsigned long long len = 0;
  const int rc = crypto_sign_detached(sig.data(), &len, message.data(), message.size(), secret);
  sodium_memzero(secret, sizeof secret);
  if (rc != 0 || len != kSignatureSize) fatal("sign");
  return sig;
}

}  // namespace ipfsa::crypto
