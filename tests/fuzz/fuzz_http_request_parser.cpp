// libFuzzer target: the HTTP/1.1 request parser (framework/http/request_parser.h). Besides not
// crashing, a verdict must be consistent: a complete request consumed at most the input, its
// views point into the input (or its decoded body), its body respects the limit, and parsing
// exactly the bytes it consumed gives the same request (a pure function, as a connection that
// re-parses from the same start relies on).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "framework/http/request_parser.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small limits so the fuzzer reaches the 431 and 413 paths with short inputs.
  const fb::http::RequestLimits limits{.max_header_bytes = 512, .max_body_bytes = 256};
  fb::http::ParsedRequest out;
  const fb::http::ParseStatus status = fb::http::parse_request(input, limits, out);
  if (status != fb::http::ParseStatus::complete) {
    if ((status == fb::http::ParseStatus::malformed || status == fb::http::ParseStatus::header_too_large ||
         status == fb::http::ParseStatus::body_too_large) &&
        out.error.empty()) {
      __builtin_trap();  // a refusal says why
    }
    return 0;
  }
  if (out.consumed == 0 || out.consumed > size || out.header_bytes > out.consumed) __builtin_trap();
  if (out.header_bytes > limits.max_header_bytes) __builtin_trap();
  const fb::Request& r = out.request;
  if (r.body.size() > limits.max_body_bytes) __builtin_trap();
  // An absolute-form target without a path ("http://host") has the path "/", a literal.
  const bool path_ok = inside(r.path, input) || r.path == "/";
  if (!inside(r.method, input) || !path_ok || !inside(r.query, input) || !inside(out.target, input)) {
    __builtin_trap();
  }
  if (!inside(r.body, input) && !inside(r.body, out.decoded_body)) __builtin_trap();
  for (const auto& [name, value] : r.headers) {
    if (!inside(name, input) || !inside(value, input)) __builtin_trap();
  }
  if (out.version != 10 && out.version != 11) __builtin_trap();
  // The same bytes again, cut where the request ended: the same verdict and request.
  const std::string again(input.substr(0, out.consumed));
  fb::http::ParsedRequest second;
  if (fb::http::parse_request(again, limits, second) != fb::http::ParseStatus::complete) __builtin_trap();
  if (second.consumed != out.consumed || second.request.method != r.method || second.request.path != r.path ||
      second.request.query != r.query || second.request.body != r.body || second.keep_alive != out.keep_alive) {
    __builtin_trap();
  }
  return 0;
}
