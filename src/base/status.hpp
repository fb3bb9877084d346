// Status and Checked<T>: the error value a person reads. LevelDB's Status is the model: ok, or an
// Error code (what a caller branches on) and a message (what went wrong and what to do about it).
// Used where a failure reaches a person: configuration, opening a store, a command's answer, a
// log line. Runtime paths that only a program reads return Result<T> (an error code alone).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "base/error.hpp"

namespace ipfsa {

class Status {
 public:
  Status() = default;  // ok
  // REQUIRES: code != Error::ok.
  Status(Error code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const noexcept { return code_ == Error::ok; }
  Error code() const noexcept { return code_; }
  // What went wrong and what to do; "" when ok.
  const std::string& message() const noexcept { return message_; }

 private:
  Error code_ = Error::ok;
  std::string message_;
};

// A value, or the Status that says why there is none.
template <class T>
class Checked {
 public:
  Checked(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like Result<T>
  // REQUIRES: !status.ok().
  Checked(Status status) : status_(std::move(status)) {}  // NOLINT: implicit
  // A failure with `message` (what went wrong and what to do) and `code`.
  static Checked failure(std::string message, Error code = Error::malformed) {
    return Checked(Status(code, std::move(message)));
  }

  explicit operator bool() const noexcept { return value_.has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

  const Status& status() const noexcept { return status_; }
  Error code() const noexcept { return status_.code(); }
  // The message when empty; "" otherwise.
  const std::string& error() const noexcept { return status_.message(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ipfsa
