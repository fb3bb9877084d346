// Randomness from the OS (OpenSSL RAND_bytes). Protocol engines never call this: the I/O shell
// draws bytes here and hands them in.
#pragma once

#include "base/bytes.hpp"
#include "base/secret.hpp"

namespace ipfsa::crypto {

void random_fill(std::span<std::uint8_t> out);
Bytes random_bytes(std::size_t n);
SecretBytes random_secret(std::size_t n);

}  // namespace ipfsa::crypto
