// Errors that end a request. The HTTP layer maps each kind to one status code
// in one place (http/errors.cpp); the CLI prints the message and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace epinet {

enum class ErrorKind {
  kInvalid,          // 400: bad input (field, type, value)
  kUnauthenticated,  // 401
  kForbidden,        // 403: outside the caller's role or jurisdiction
  kNotFound,         // 404
  kConflict,         // 409: unique key taken, or the record is still referenced
  kTooLarge,         // 413
  kTooMany,          // 429
  kUnavailable,      // 503: the store cannot be reached
  kInternal,         // 500
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  // For kTooMany: seconds after which the client may try again.
  int retry_after_s = 0;

 private:
  ErrorKind kind_;
  std::string code_;
};

inline Error invalid(const std::string& code, const std::string& message) {
  return Error(ErrorKind::kInvalid, code, message);
}
inline Error not_found(const std::string& what) {
  return Error(ErrorKind::kNotFound, "not_found", what + " not found");
}
inline Error forbidden(const std::string& message = "not allowed for this account") {
  return Error(ErrorKind::kForbidden, "forbidden", message);
}
inline Error conflict(const std::string& code, const std::string& message) {
  return Error(ErrorKind::kConflict, code, message);
}

}  // namespace epinet
