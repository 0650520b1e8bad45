// rtlink/error.hpp — errors are values.
//
// Nothing in librtlink throws across its API, aborts or exits the process. A
// call that can fail returns `Error` (empty on success) or `Expected<T>`.
// Messages name the file (and archive member), section, offset and symbol
// as they apply, in the form "file: what is wrong".
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace rtlink {

class [[nodiscard]] Error {
public:
  Error() = default;  // success
  explicit Error(std::string message) : message_(std::move(message)) {}

  static Error success() { return Error(); }

  // True when this is a failure, as with llvm::Error.
  explicit operator bool() const { return message_.has_value(); }
  const std::string &message() const {
    static const std::string none;
    return message_ ? *message_ : none;
  }

private:
  std::optional<std::string> message_;
};

template <class T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Error error) : error_(std::move(error)) {}

  explicit operator bool() const { return value_.has_value(); }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  // The failure; only meaningful when !*this.
  Error take_error() { return std::move(error_); }
  const Error &error() const { return error_; }

private:
  std::optional<T> value_;
  Error error_;
};

// make_error("a.o: ", "section ", name, " is truncated")
template <class... Parts> Error make_error(const Parts &...parts) {
  std::ostringstream out;
  (out << ... << parts);
  return Error(out.str());
}

} // namespace rtlink
