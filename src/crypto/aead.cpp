#include "crypto/aead.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/secret.hpp"

namespace ipfsa::crypto {
namespace {

// EVP_*Update takes an int length: larger inputs are fed in chunks of this size.
constexpr std::size_t kMaxUpdate = 1u << 30;

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "ipfsa: OpenSSL ChaCha20-Poly1305 failure: %s\n", what);
  std::abort();
}

const EVP_CIPHER* cipher() {
  // Fetched once: an implicit fetch per EVP_*Init call is the main cost of small messages.
  static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  if (c == nullptr) fatal("cipher unavailable");
  return c;
}

// RFC 8439 section 2.8 takes a 96-bit nonce; Noise (section 5.1, "ENCRYPT") uses 32 zero bits
// followed by the 64-bit counter in little-endian order.
AeadNonce noise_nonce(std::uint64_t n) {
  AeadNonce iv{};
  for (int i = 0; i < 8; ++i) iv[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
  return iv;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

}  // namespace

// One context per direction, created on first use and keyed once; every later call only sets the
// IV, so the hot path neither allocates nor re-runs the key schedule setup.
struct ChaChaPoly::State {
  SecretBytes key;
  CtxPtr enc;
  CtxPtr dec;

  EVP_CIPHER_CTX* context(bool encrypt) {
    CtxPtr& slot = encrypt ? enc : dec;
    if (!slot) {
      slot.reset(EVP_CIPHER_CTX_new());
      if (!slot || EVP_CipherInit_ex(slot.get(), cipher(), nullptr, key.view().data(), nullptr,
                                     encrypt ? 1 : 0) != 1) {
        fatal("context init");
      }
    }
    return slot.get();
  }
};

ChaChaPoly::ChaChaPoly(ByteView key) : state_(std::make_unique<State>()) {
  if (key.size() != kAeadKeySize) fatal("key size");
  state_->key = SecretBytes(key);
}
ChaChaPoly::~ChaChaPoly() = default;
ChaChaPoly::ChaChaPoly(ChaChaPoly&&) noexcept = default;
ChaChaPoly& ChaChaPoly::operator=(ChaChaPoly&&) noexcept = default;

void ChaChaPoly::seal(std::uint64_t nonce, ByteView ad, ByteView plaintext, Bytes& out) {
  seal(noise_nonce(nonce), ad, plaintext, out);
}

Result<void> ChaChaPoly::open(std::uint64_t nonce, ByteView ad, ByteView ciphertext, Bytes& out) {
  return open(noise_nonce(nonce), ad, ciphertext, out);
}

void ChaChaPoly::seal(const AeadNonce& iv, ByteView ad, ByteView plaintext, Bytes& out) {
  EVP_CIPHER_CTX* ctx = state_->context(true);
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) != 1) fatal("set iv");
  for (std::size_t off = 0; off < ad.size(); off += kMaxUpdate) {
    const int n = static_cast<int>(std::min(kMaxUpdate, ad.size() - off));
    if (EVP_EncryptUpdate(ctx, nullptr, &len, ad.data() + off, n) != 1) fatal("aad");
  }
  const std::size_t start = out.size();
  out.resize(start + plaintext.size() + kAeadTagSize);
  std::uint8_t* dst = out.data() + start;
  for (std::size_t off = 0; off < plaintext.size(); off += kMaxUpdate) {
    const int n = static_cast<int>(std::min(kMaxUpdate, plaintext.size() - off));
    if (EVP_EncryptUpdate(ctx, dst + off, &len, plaintext.data() + off, n) != 1) fatal("encrypt");
  }
  if (EVP_EncryptFinal_ex(ctx, dst + plaintext.size(), &len) != 1 || len != 0) fatal("final");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagSize),
                          dst + plaintext.size()) != 1) {
    fatal("tag");
  }
}

Result<void> ChaChaPoly::open(const AeadNonce& iv, ByteView ad, ByteView ciphertext, Bytes& out) {
  if (ciphertext.size() < kAeadTagSize) return Error::decrypt_failed;
  EVP_CIPHER_CTX* ctx = state_->context(false);
  const std::size_t body = ciphertext.size() - kAeadTagSize;
  // The ctrl takes a non-const pointer but only copies the tag.
  auto* tag = const_cast<std::uint8_t*>(ciphertext.data() + body);
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) != 1) fatal("set iv");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagSize), tag) != 1) {
    fatal("set tag");
  }
  for (std::size_t off = 0; off < ad.size(); off += kMaxUpdate) {
    const int n = static_cast<int>(std::min(kMaxUpdate, ad.size() - off));
    if (EVP_DecryptUpdate(ctx, nullptr, &len, ad.data() + off, n) != 1) fatal("aad");
  }
  const std::size_t start = out.size();
  out.resize(start + body);
  std::uint8_t* dst = out.data() + start;
  for (std::size_t off = 0; off < body; off += kMaxUpdate) {
    const int n = static_cast<int>(std::min(kMaxUpdate, body - off));
    if (EVP_DecryptUpdate(ctx, dst + off, &len, ciphertext.data() + off, n) != 1) fatal("decrypt");
  }
  std::uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx, final_block, &len) != 1) {
    // Unauthenticated plaintext must not be observable: wipe it and restore `out`.
    secure_wipe(dst, body);
    out.resize(start);
    return Error::decrypt_failed;
  }
  return {};
}

}  // namespace ipfsa::crypto
