// Result<T> and Error: the one way a fallible call reports failure.
//
// Errors a user can cause (bad input, bad config, network faults, a model
// returning garbage) travel as values with a kind and a message written for
// the user, never as exceptions or crashes. The kind lets callers decide
// policy (retry a network fault, exit 3 on a budget stop) without parsing text.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace bastion {

enum class ErrorKind {
  kBadInput,    // the user or the model passed something malformed
  kNotFound,    // a file, session, model or tool that does not exist
  kConfig,      // configuration is missing or inconsistent
  kNetwork,     // connection refused, reset, DNS, TLS, timeout
  kModel,       // the endpoint answered with an error or garbage
  kPermission,  // a permission rule or the user refused
  kSandbox,     // the OS sandbox is unavailable or blocked the action
  kBudget,      // a token or cost budget was reached
  kIo,          // the local filesystem failed
  kInternal,    // a bug in Bastion
};

const char* error_kind_name(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  // Optional HTTP status (0 if none) and Retry-After seconds (-1 if none), so
  // retry policy does not have to parse messages.
  int http_status = 0;
  double retry_after_seconds = -1;

  Error() = default;
  Error(ErrorKind k, std::string m) : kind(k), message(std::move(m)) {}
  std::string to_string() const;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error(kind, std::move(message));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Status is a Result with no value.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace bastion
