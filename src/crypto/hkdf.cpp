#include "crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace ipfsa::crypto {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "ipfsa: OpenSSL HMAC/HKDF failure: %s\n", what);
  std::abort();
}

// OpenSSL treats a null key pointer as "no key given"; a zero-length key needs a valid pointer.
const std::uint8_t kEmpty[1] = {0};
void* param_ptr(ByteView b) { return const_cast<std::uint8_t*>(b.empty() ? kEmpty : b.data()); }

char kSha256Name[] = "SHA256";

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); }
};

}  // namespace

std::array<std::uint8_t, kHmacSha256Size> hmac_sha256(ByteView key, ByteView data) {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) fatal("HMAC unavailable");
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) fatal("allocation");
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, kSha256Name, 0),
      OSSL_PARAM_construct_end(),
  };
  std::array<std::uint8_t, kHmacSha256Size> out{};
  std::size_t len = 0;
  if (EVP_MAC_init(ctx.get(), static_cast<const unsigned char*>(param_ptr(key)), key.size(),
                   params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    fatal("HMAC");
  }
  return out;
}

SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t out_len) {
  if (out_len == 0 || out_len > kMaxHkdfSha256Output) fatal("HKDF output length");
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) fatal("HKDF unavailable");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) fatal("allocation");
  // Default mode is extract-and-expand. OpenSSL ignores an empty salt, which RFC 5869 defines
  // as HashLen zero bytes: the same HMAC key after padding, so the result is identical.
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, kSha256Name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_ptr(ikm), ikm.size());
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_ptr(salt), salt.size());
  }
  if (!info.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_ptr(info), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(out_len);
  if (EVP_KDF_derive(ctx.get(), out.mutable_view().data(), out_len, params) != 1) fatal("HKDF");
  return out;
}

}  // namespace ipfsa::crypto
