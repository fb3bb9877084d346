#include "crypto/sha256.hpp"

#include <openssl/evp.h>

namespace ipfsa::crypto {

Sha256Digest sha256(ByteView data) noexcept {
  Sha256Digest out{};
  unsigned int len = 0;
  // EVP_Digest with a fetched-once MD avoids re-fetching the implementation per call.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return out;
}

}  // namespace ipfsa::crypto
