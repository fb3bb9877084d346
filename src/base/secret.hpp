// Secret material: wiped on destruction and on move-from, never printable (no operator<<,
// no implicit conversion to a string). Use view() to hand the bytes to a crypto call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ipfsa {

void secure_wipe(void* p, std::size_t n) noexcept;

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::span<const std::uint8_t> b) : data_(b.begin(), b.end()) {}
  explicit SecretBytes(std::size_t n) : data_(n) {}
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes& o) {
    if (this != &o) {
      wipe();
      data_ = o.data_;
    }
    return *this;
  }
  SecretBytes(SecretBytes&& o) noexcept : data_(std::move(o.data_)) { o.data_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      data_ = std::move(o.data_);
      o.data_.clear();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  std::span<const std::uint8_t> view() const noexcept { return data_; }
  std::span<std::uint8_t> mutable_view() noexcept { return data_; }
  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }

 private:
  void wipe() noexcept {
    if (!data_.empty()) secure_wipe(data_.data(), data_.size());
  }
  std::vector<std::uint8_t> data_;
};

}  // namespace ipfsa
