// One keep-alive HTTP/1.1 client connection for the load generator: send a request's bytes,
// read its response (Content-Length, chunked, or until close; interim 1xx responses skipped).
// Blocking, one request outstanding: the closed loop's unit of work. An open-loop driver can use
// the same exchange() from one connection per outstanding request.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "harness/load/http_target.h"

namespace fb::harness {

// Connecting failed, or the server broke the exchange (reset, EOF mid-response, garbage).
class HttpClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpConnection {
 public:
  explicit HttpConnection(const HttpTarget& target);  // connects; throws HttpClientError
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `request` (complete wire bytes) and returns the final response's status. A connection
  // the server closed after the previous response ("Connection: close") is re-opened first.
  // Throws HttpClientError; the connection is then closed and the next call reconnects.
  int exchange(std::string_view request);

  std::size_t reconnects() const noexcept { return reconnects_; }

 private:
  void connect_socket();
  void close_socket() noexcept;
  bool fill();  // reads more into buf_; false on EOF
  int read_response(bool head_request);  // a response to HEAD has no body, whatever its headers say

  HttpTarget target_;
  int fd_ = -1;
  std::string buf_;
  std::size_t start_ = 0;  // unread part of buf_ starts here
  bool server_closes_ = false;
  std::size_t reconnects_ = 0;
};

}  // namespace fb::harness
