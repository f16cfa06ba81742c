#include "util/result.h"

namespace bastion {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadInput: return "bad_input";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kNetwork: return "network";
    case ErrorKind::kModel: return "model";
    case ErrorKind::kPermission: return "permission";
    case ErrorKind::kSandbox: return "sandbox";
    case ErrorKind::kBudget: return "budget";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

std::string Error::to_string() const { return message; }

}  // namespace bastion
