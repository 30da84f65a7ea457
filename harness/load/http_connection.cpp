#include "harness/load/http_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace fb::harness {
namespace {

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool contains_token(std::string_view value, std::string_view token) {
  // Case-insensitive search for a comma-separated token ("close", "chunked").
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    if (item.size() == token.size() && iequals_prefix(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

HttpConnection::HttpConnection(const HttpTarget& target) : target_(target) { connect_socket(); }

HttpConnection::~HttpConnection() { close_socket(); }

void HttpConnection::connect_socket() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target_.port);
  if (const int rc = getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw HttpClientError("cannot resolve " + target_.host + ": " + gai_strerror(rc));
  }
  int err = 0;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) {
      err = errno;
      continue;
    }
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
    err = errno;
    ::close(fd_);
    fd_ = -1;
  }
  freeaddrinfo(found);
  if (fd_ < 0) throw HttpClientError("cannot connect to " + target_.url + ": " + std::strerror(err));
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  buf_.clear();
  start_ = 0;
  server_closes_ = false;
}

void HttpConnection::close_socket() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int HttpConnection::exchange(std::string_view request) {
  if (fd_ < 0 || server_closes_) {
    close_socket();
    connect_socket();
    ++reconnects_;
  }
  const bool request_is_head = request.starts_with("HEAD ");
  try {
    while (!request.empty()) {
      const ssize_t n = ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw HttpClientError(std::string("send: ") + std::strerror(errno));
      request.remove_prefix(static_cast<std::size_t>(n));
    }
    return read_response(request_is_head);
  } catch (const HttpClientError&) {
    close_socket();
    throw;
  }
}

bool HttpConnection::fill() {
  if (start_ > 0) {  // keep only the unread part (offsets below are relative to start_)
    buf_.erase(0, start_);
    start_ = 0;
  }
  const std::size_t old = buf_.size();
  buf_.resize(old + 16 * 1024);
  for (;;) {
    const ssize_t n = ::recv(fd_, buf_.data() + old, buf_.size() - old, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buf_.resize(old);
      throw HttpClientError(std::string("recv: ") + std::strerror(errno));
    }
    buf_.resize(old + static_cast<std::size_t>(n));
    return n > 0;
  }
}

int HttpConnection::read_response(bool head_request) {
  for (;;) {  // interim (1xx) responses are skipped
    std::size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n", start_)) == std::string::npos) {
      if (!fill()) throw HttpClientError("server closed the connection before a response");
    }
    const std::string_view head(buf_.data() + start_, head_end - start_);
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1.") throw HttpClientError("not an HTTP/1.x response");
    int status = 0;
    std::from_chars(head.data() + 9, head.data() + 12, status);
    const bool http10 = head[7] == '0';
    bool chunked = false, close = http10, has_length = false;
    std::size_t length = 0;
    std::size_t line_start = head.find("\r\n") + 2;
    while (line_start < head.size()) {
      std::size_t line_end = head.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = head.size();
      const std::string_view line = head.substr(line_start, line_end - line_start);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string_view value = trim(line.substr(colon + 1));
        const std::string_view name = line.substr(0, colon);
        if (name.size() == 14 && iequals_prefix(name, "content-length")) {
          has_length = true;
          std::from_chars(value.data(), value.data() + value.size(), length);
        } else if (name.size() == 17 && iequals_prefix(name, "transfer-encoding")) {
          chunked = contains_token(value, "chunked");
        } else if (name.size() == 10 && iequals_prefix(name, "connection")) {
          if (contains_token(value, "close")) close = true;
          if (contains_token(value, "keep-alive")) close = false;
        }
      }
      line_start = line_end + 2;
    }
    start_ = head_end + 4;
    if (status >= 100 && status < 200) continue;
    const bool bodyless = head_request || status == 204 || status == 304;
    if (bodyless) {
      // nothing to read
    } else if (chunked) {
      for (;;) {  // chunk-size line, data, CRLF; a 0 chunk then trailers up to an empty line
        std::size_t eol;
        while ((eol = buf_.find("\r\n", start_)) == std::string::npos) {
          if (!fill()) throw HttpClientError("server closed the connection inside a chunked body");
        }
        std::size_t size = 0;
        const auto [p, ec] = std::from_chars(buf_.data() + start_, buf_.data() + eol, size, 16);
        if (ec != std::errc() || p == buf_.data() + start_) throw HttpClientError("bad chunk size in response");
        start_ = eol + 2;
        if (size == 0) {
          for (;;) {  // trailer fields, skipped, up to the empty line
            std::size_t line_end;
            while ((line_end = buf_.find("\r\n", start_)) == std::string::npos) {
              if (!fill()) throw HttpClientError("server closed the connection inside chunk trailers");
            }
            const bool empty = line_end == start_;
            start_ = line_end + 2;
            if (empty) break;
          }
          break;
        }
        while (buf_.size() - start_ < size + 2) {
          if (!fill()) throw HttpClientError("server closed the connection inside a chunk");
        }
        start_ += size + 2;
      }
    } else if (has_length) {
      while (buf_.size() - start_ < length) {
        if (!fill()) throw HttpClientError("server closed the connection inside a response body");
      }
      start_ += length;
    } else {
      while (fill()) {
      }  // the body runs to the end of the connection
      start_ = buf_.size();
      close = true;
    }
    server_closes_ = close;
    return status;
  }
}

}  // namespace fb::harness
