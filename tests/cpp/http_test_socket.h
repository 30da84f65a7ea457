// A raw loopback TCP client for the HTTP server tests: send bytes as they are (also malformed
// ones), read what comes back with a deadline. Deliberately not the harness's HTTP client, so
// the server is checked against independent code.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fb::http::testing {

class TestSocket {
 public:
  explicit TestSocket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TestSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  // False if the server closed or reset the connection while we were sending.
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `done(received)` is true, the peer closes, or the deadline passes.
  template <class Done>
  std::string read_until(Done done, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(received_) && !closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;  // EOF or reset
        break;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }

  // Reads until `count` complete responses (with Content-Length bodies) have arrived.
  std::vector<std::string> read_responses(std::size_t count, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    std::vector<std::string> out;
    read_until([&](const std::string& r) { return split_responses(r).size() >= count; }, timeout);
    return split_responses(received_);
  }

  // True once the server has closed: EOF (or reset) within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    read_until([](const std::string&) { return false; }, timeout);
    return closed_;
  }

  // Close with a TCP reset (SO_LINGER 0) instead of a FIN.
  void reset() {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }

  int fd() const noexcept { return fd_; }
  const std::string& received() const noexcept { return received_; }
  bool closed() const noexcept { return closed_; }

  // Complete responses in `data` (head + Content-Length body; none without a length).
  static std::vector<std::string> split_responses(std::string_view data) {
    std::vector<std::string> out;
    while (true) {
      const std::size_t head_end = data.find("\r\n\r\n");
      if (head_end == std::string_view::npos) break;
      std::size_t body = 0;
      const std::string_view head = data.substr(0, head_end);
      const std::size_t cl = head.find("Content-Length: ");
      if (cl != std::string_view::npos) body = std::stoul(std::string(head.substr(cl + 16, head.find("\r\n", cl) - cl - 16)));
      const std::size_t total = head_end + 4 + body;
      if (data.size() < total) break;
      out.emplace_back(data.substr(0, total));
      data.remove_prefix(total);
    }
    return out;
  }

 private:
  int fd_ = -1;
  std::string received_;
  bool closed_ = false;
};

inline std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }
inline std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

}  // namespace fb::http::testing
