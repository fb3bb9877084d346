// Checked<T>: a value or a human-readable message. Used where the caller shows the error to a
// person (configuration, opening a store), as the node's Parsed<T> does. Runtime operations return
// Result<T> (an error code) and log the details instead.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ipfsa::cache {

template <class T>
class Checked {
 public:
  Checked(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like Result<T>
  static Checked failure(std::string message) {
    Checked c;
    c.error_ = std::move(message);
    return c;
  }
  explicit operator bool() const noexcept { return value_.has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  // The message when empty; "" otherwise.
  const std::string& error() const noexcept { return error_; }

 private:
  Checked() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace ipfsa::cache
