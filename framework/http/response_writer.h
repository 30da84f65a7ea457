// Serializing responses into a connection's output buffer: the status line, Date, Server,
// Content-Type, Content-Length and, when the connection is to close, "Connection: close".
#pragma once

#include <string>
#include <string_view>

#include "framework/http.h"

namespace fb::http {

// Sent on its own when a client that asked "Expect: 100-continue" may send its body.
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view reason_phrase(int status) noexcept;

// Appends `response` to `out`. `keep_alive` false adds "Connection: close"; a HEAD request gets
// the headers without the body (RFC 7230 3.3.2). 1xx, 204 and 304 carry neither body nor
// Content-Length.
void append_response(const Response& response, bool keep_alive, bool head_request, std::string& out);

// The server's own answer to a request it refuses (400, 408, 413, 431, 503): a short
// text/plain body with the reason, and "Connection: close".
void append_refusal(int status, std::string_view reason, std::string& out);

}  // namespace fb::http
