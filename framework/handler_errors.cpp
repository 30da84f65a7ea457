#include "framework/handler_errors.h"

#include <memory>

namespace fb {
namespace {

std::string cut(std::string_view text) {
  if (text.size() <= kMaxErrorMessageBytes) return std::string(text);
  std::size_t end = kMaxErrorMessageBytes - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a UTF-8 sequence
  return std::string(text.substr(0, end)) + "...";
}

}  // namespace

std::shared_ptr<const HandlerError> make_handler_error(std::string_view type, std::string_view message) {
  return std::make_shared<const HandlerError>(HandlerError{cut(type), cut(message)});
}

void RouteErrorLog::record(const Response& response) {
  HandlerError described;
  const HandlerError* error = response.error.get();
  if (error == nullptr) {
    described = {"HTTP " + std::to_string(response.status), cut(response.body)};
    error = &described;
  }
  std::lock_guard lock(mutex_);
  ++errors_.count;
  for (ErrorSample& s : errors_.samples) {
    if (s.type == error->type && s.message == error->message) {
      ++s.count;
      return;
    }
  }
  if (errors_.samples.size() < kMaxErrorSamples) errors_.samples.push_back({error->type, error->message, 1});
}

RouteErrors RouteErrorLog::snapshot() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

void RouteErrorLog::clear() {
  std::lock_guard lock(mutex_);
  errors_ = {};
}

}  // namespace fb
