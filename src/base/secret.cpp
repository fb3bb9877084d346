#include "base/secret.hpp"

#include <openssl/crypto.h>

namespace ipfsa {

void secure_wipe(void* p, std::size_t n) noexcept { OPENSSL_cleanse(p, n); }

}  // namespace ipfsa
