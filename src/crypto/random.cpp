#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace ipfsa::crypto {

void random_fill(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length: fill in bounded chunks. A failing OS RNG leaves no safe way
  // to continue (keys and nonces would be predictable), so it is fatal.
  constexpr std::size_t kChunk = 1u << 30;
  for (std::size_t off = 0; off < out.size(); off += kChunk) {
    const std::size_t n = std::min(kChunk, out.size() - off);
    if (RAND_bytes(out.data() + off, static_cast<int>(n)) != 1) {
      std::fputs("ipfsa: RAND_bytes failed; the OS random generator is unavailable\n", stderr);
      std::abort();
    }
  }
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  random_fill(out);
  return out;
}

SecretBytes random_secret(std::size_t n) {
  SecretBytes out(n);
  random_fill(out.mutable_view());
  return out;
}

}  // namespace ipfsa::crypto
