#include "crypto/xsalsa20.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ipfsa::crypto {
namespace {

constexpr std::size_t kBlockSize = 64;  // Salsa20 block: the unit of the counter `ic`
// libsodium takes an unsigned long long length; bound each call anyway so that a single huge
// span never depends on that type's width.
constexpr std::size_t kMaxCall = std::size_t{1} << 30;

}  // namespace

XSalsa20Stream::XSalsa20Stream(const SecretBytes& key, ByteView nonce) : key_(key) {
  if (key.size() != kXSalsa20KeySize || nonce.size() != kXSalsa20NonceSize) {
    std::fputs("ipfsa: XSalsa20Stream needs a 32-byte key and a 24-byte nonce\n", stderr);
    std::abort();
  }
  std::memcpy(nonce_, nonce.data(), kXSalsa20NonceSize);
}

void XSalsa20Stream::apply(std::span<std::uint8_t> data) noexcept {
  std::size_t done = 0;
  // 1. Finish a block started by a previous call: crypto_stream_xsalsa20_xor_ic only starts at
  //    block boundaries, so produce that block's keystream and XOR from the right offset.
  if (const std::size_t in_block = position_ % kBlockSize; in_block != 0 && !data.empty()) {
    std::uint8_t block[kBlockSize] = {};
    crypto_stream_xsalsa20_xor_ic(block, block, kBlockSize, nonce_, position_ / kBlockSize,
                                  key_.view().data());
    const std::size_t n = std::min(kBlockSize - in_block, data.size());
    for (std::size_t i = 0; i < n; ++i) data[i] ^= block[in_block + i];
    sodium_memzero(block, sizeof block);
    done = n;
    position_ += n;
  }
  // 2. The rest starts on a block boundary; a trailing partial block is handled by libsodium
  //    and resumed by step 1 on the next call.
  while (done < data.size()) {
    const std::size_t n = std::min(kMaxCall, data.size() - done);
    crypto_stream_xsalsa20_xor_ic(data.data() + done, data.data() + done, n, nonce_,
                                  position_ / kBlockSize, key_.view().data());
    done += n;
    position_ += n;
  }
}

}  // namespace ipfsa::crypto
