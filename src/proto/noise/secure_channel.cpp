#include "proto/noise/secure_channel.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ipfsa::proto::noise {

void SecureChannel::encrypt(ByteView plaintext, Bytes& out) {
  if (plaintext.empty()) return;
  const std::size_t frames = (plaintext.size() + kMaxPlaintextSize - 1) / kMaxPlaintextSize;
  out.reserve(out.size() + plaintext.size() + frames * (kFrameHeaderSize + kTagSize));
  while (!plaintext.empty()) {
    const ByteView chunk = plaintext.first(std::min(plaintext.size(), kMaxPlaintextSize));
    plaintext = plaintext.subspan(chunk.size());
    const std::size_t header = out.size();
    out.resize(header + kFrameHeaderSize);
    store_be16(out.data() + header, static_cast<std::uint16_t>(chunk.size() + kTagSize));
    // Noise spec section 5.1: transport messages are EncryptWithAd with an empty ad. The only
    // error is nonce exhaustion, which must never lead to nonce reuse (section 11.3).
    if (!send_.encrypt_with_ad({}, chunk, out)) std::abort();
  }
}

Result<void> SecureChannel::open_frame(ByteView body, Bytes& out) {
  // Section 5.1 DecryptWithAd; a frame shorter than the tag cannot be a transport message.
  if (auto ok = receive_.decrypt_with_ad({}, body, out); !ok) {
    failed_ = true;
    return ok.error();
  }
  return {};
}

void SecureChannel::stash(ByteView bytes) {
  if (bytes.empty()) return;
  // One frame's worth, allocated on the first partial frame. (A fixed buffer and memcpy rather
  // than vector::insert, which g++ 12 -O3 misreads as an overflow.)
  if (pending_.empty()) pending_.resize(kMaxFrameSize);
  std::memcpy(pending_.data() + pending_size_, bytes.data(), bytes.size());
  pending_size_ += bytes.size();
}

Result<void> SecureChannel::decrypt(ByteView ciphertext, Bytes& out) {
  if (failed_) return Error::decrypt_failed;
  // Complete a buffered partial frame first, copying only what it still needs.
  if (pending_size_ > 0) {
    if (pending_size_ < kFrameHeaderSize) {
      const std::size_t take = std::min(kFrameHeaderSize - pending_size_, ciphertext.size());
      stash(ciphertext.first(take));
      ciphertext = ciphertext.subspan(take);
      if (pending_size_ < kFrameHeaderSize) return {};
    }
    const std::size_t frame = kFrameHeaderSize + load_be16(pending_.data());
    const std::size_t take = std::min(frame - pending_size_, ciphertext.size());
    stash(ciphertext.first(take));
    ciphertext = ciphertext.subspan(take);
    if (pending_size_ < frame) return {};
    pending_size_ = 0;
    auto ok =
        open_frame(ByteView(pending_).subspan(kFrameHeaderSize, frame - kFrameHeaderSize), out);
    if (!ok) return ok;
  }
  // Whole frames straight from the input, without copying the ciphertext.
  while (ciphertext.size() >= kFrameHeaderSize) {
    const std::size_t length = load_be16(ciphertext.data());
    if (ciphertext.size() < kFrameHeaderSize + length) break;
    if (auto ok = open_frame(ciphertext.subspan(kFrameHeaderSize, length), out); !ok) return ok;
    ciphertext = ciphertext.subspan(kFrameHeaderSize + length);
  }
  // The tail is a partial frame: shorter than kMaxFrameSize because the length field is 16 bits.
  stash(ciphertext);
  return {};
}

}  // namespace ipfsa::proto::noise
