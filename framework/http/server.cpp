#include "framework/http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "framework/http/response_writer.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"

namespace fb::http {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int err) { return std::strerror(err); }

// A resolved numeric or named host, IPv4 or IPv6.
sockaddr_storage resolve(const std::string& host, std::uint16_t port, socklen_t& length) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw ServerError("cannot resolve host '" + host + "': " + gai_strerror(rc));
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  length = found->ai_addrlen;
  freeaddrinfo(found);
  return address;
}

// The canned answer to a connection over max_connections: written once, without a session.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n";

// Tags for the epoll entries that are not connections.
char g_listen_tag;
char g_wake_tag;

}  // namespace

// One I/O thread: its epoll set, its connections, its counters and stage histograms. Everything
// here is touched by this thread only, except wake() and the results read after join().
class Server::IoThread final : public TraceSink {
 public:
  explicit IoThread(Server& server) : server_(server) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw ServerError("epoll_create1: " + errno_text(errno));
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw ServerError("eventfd: " + errno_text(errno));
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.ptr = &g_wake_tag;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
    epoll_event listen{};
    listen.events = EPOLLIN | EPOLLEXCLUSIVE;
    listen.data.ptr = &g_listen_tag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, server_.listen_fd_, &listen) != 0) {
      throw ServerError("epoll_ctl(listening socket): " + errno_text(errno));
    }
  }

  ~IoThread() override {
    for (auto& c : connections_) close_fd(*c);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  void start() { thread_ = std::thread([this] { run(); }); }
  void wake() noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  void request_done(const StageTrace& trace, const FrontEndStamps& front_end) override {
    const probes::ClockCalibration& clock = probes::clock_calibration();
    probes::StageLatencies latencies = probes::stage_latencies(trace.at, clock);
    const auto ns = [&](probes::Ticks from, probes::Ticks to) {
      return to >= from ? static_cast<std::int64_t>(clock.to_ns(to - from)) : -static_cast<std::int64_t>(clock.to_ns(from - to));
    };
    latencies.ns[FB_STAGE_RECV] = ns(front_end.bytes_read, front_end.request_parsed);
    latencies.present[FB_STAGE_RECV] = true;
    // send starts where the handler said the response was ready: a handler that does not stamp
    // (not App::handle) has no send stage.
    if (trace.reached(FB_POINT_RESPONSE_READY)) {
      latencies.ns[FB_STAGE_SEND] = ns(trace.at[FB_POINT_RESPONSE_READY], front_end.bytes_written);
      latencies.present[FB_STAGE_SEND] = true;
    }
    recorder_.record(latencies);
  }

  SessionCounters counters;
  ServerStats stats;  // everything but `sessions`
  const probes::InprocRecorder& recorder() const noexcept { return recorder_; }

 private:
  struct Connection {
    Connection(int socket, const RequestLimits& limits, SessionCounters& counters)
        : fd(socket), session(limits, counters) {}
    int fd;
    Session session;
    Session::Phase phase = Session::Phase::idle;
    std::uint64_t requests_seen = 0;
    Clock::time_point deadline;
    bool watching_output = false;  // EPOLLOUT instead of EPOLLIN (output waits for the peer)
    bool write_shut = false;       // our side is shut down; reading until the peer closes
    bool peer_eof = false;         // the peer shut down its side; close once our output is sent
    std::size_t index = 0;         // in connections_
  };

  void run();
  void accept_all(Clock::time_point now);
  void on_readable(Connection& c, Clock::time_point now);
  void flush(Connection& c, Clock::time_point now);
  void update_deadline(Connection& c, Clock::time_point now);
  void expire(Clock::time_point now);
  void begin_drain();
  void close_finished();
  void reap();
  void watch(Connection& c, bool output);
  void close_connection(Connection& c);
  void close_fd(Connection& c) {
    if (c.fd >= 0) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
      server_.open_connections_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  void note_deadline(Clock::time_point t) noexcept {
    if (t < next_deadline_) next_deadline_ = t;
  }

  Server& server_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> closed_;  // closed during this round of events, freed after it
  // The earliest deadline of any connection, or later: reaching it triggers a scan of all
  // connections (expire), which recomputes it. Deadlines only move later, except for new
  // connections and phase changes, which lower it through note_deadline.
  Clock::time_point next_deadline_ = Clock::time_point::max();
  bool draining_ = false;
  Clock::time_point drain_deadline_;
  probes::InprocRecorder recorder_;
};

void Server::IoThread::run() {
  constexpr int kMaxEvents = 128;
  epoll_event events[kMaxEvents];
  for (;;) {
    Clock::time_point now = Clock::now();
    int timeout_ms = -1;
    Clock::time_point wake_at = draining_ ? std::min(next_deadline_, drain_deadline_) : next_deadline_;
    if (wake_at != Clock::time_point::max()) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
      timeout_ms = ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 60'000));
    }
    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    if (n < 0 && errno != EINTR) break;  // EBADF/EINVAL: nothing sensible left to do
    now = Clock::now();
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &g_wake_tag) {
        std::uint64_t value;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &value, sizeof value);
        continue;
      }
      if (tag == &g_listen_tag) {
        if (!draining_) accept_all(now);
        continue;
      }
      auto& c = *static_cast<Connection*>(tag);
      if (c.fd < 0) continue;  // closed earlier in this round
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) on_readable(c, now);
      if (c.fd >= 0 && (events[i].events & EPOLLOUT)) flush(c, now);
    }
    if (!draining_ && server_.stopping_.load(std::memory_order_acquire)) begin_drain();
    if (draining_) close_finished();
    now = Clock::now();
    if (now >= next_deadline_ || (draining_ && now >= drain_deadline_)) expire(now);
    reap();
    if (draining_ && connections_.empty()) break;
  }
}

void Server::IoThread::accept_all(Clock::time_point now) {
  for (;;) {
    const int fd = accept4(server_.listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN (another thread took it, or none left), or a transient error
    ++stats.accepted;
    const std::size_t open = server_.open_connections_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > server_.options_.max_connections) {
      // Best effort: a fresh socket's send buffer takes this at once.
      [[maybe_unused]] const ssize_t w = ::send(fd, kTooManyConnections.data(), kTooManyConnections.size(), MSG_NOSIGNAL);
      ::close(fd);
      server_.open_connections_.fetch_sub(1, std::memory_order_relaxed);
      ++stats.rejected;
      ++counters.refused_503;
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<Connection>(fd, server_.options_.limits, counters);
    conn->index = connections_.size();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = conn.get();
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      server_.open_connections_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    conn->deadline = now + server_.options_.idle_timeout;
    note_deadline(conn->deadline);
    connections_.push_back(std::move(conn));
  }
}

void Server::IoThread::on_readable(Connection& c, Clock::time_point now) {
  if (c.peer_eof) return;  // only the output is of interest now (EPOLLHUP may still be reported)
  const std::span<char> space = c.session.read_space();
  const ssize_t n = ::recv(c.fd, space.data(), space.size(), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    ++stats.peer_resets;  // ECONNRESET and friends: nothing can be sent any more
    close_connection(c);
    return;
  }
  if (n == 0) {
    // The peer closed, or shut down its sending side. Answers still queued are sent first (a
    // client may half-close after its last request); otherwise there is nothing left to do.
    if (c.session.pending_output().empty() || c.write_shut) {
      close_connection(c);
    } else {
      c.peer_eof = true;
      watch(c, true);
    }
    return;
  }
  if (c.write_shut) return;  // lingering after our answer: drop what still arrives
  const probes::Ticks read_at = probes::now_ticks();
  c.session.received(static_cast<std::size_t>(n));
  c.session.process(server_.handler_, read_at);
  flush(c, Clock::now());
  if (c.fd >= 0) update_deadline(c, now);
}

void Server::IoThread::flush(Connection& c, Clock::time_point now) {
  bool progressed = false;
  while (!c.session.pending_output().empty()) {
    const std::string_view out = c.session.pending_output();
    const ssize_t n = ::send(c.fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ++stats.peer_resets;  // EPIPE, ECONNRESET
      close_connection(c);
      return;
    }
    progressed = true;
    c.session.sent(static_cast<std::size_t>(n), probes::now_ticks(), *this);
  }
  const bool pending = !c.session.pending_output().empty();
  if (!pending && c.peer_eof) {
    close_connection(c);
    return;
  }
  if (pending != c.watching_output) watch(c, pending);
  if (!pending && c.session.closing() && !c.write_shut) {
    // The answer is out: tell the peer, then read until it closes (or linger_timeout), so that
    // unread request bytes do not turn our close into a reset that could destroy the answer.
    ::shutdown(c.fd, SHUT_WR);
    c.write_shut = true;
    c.deadline = now + server_.options_.linger_timeout;
    note_deadline(c.deadline);
  }
  if (progressed && pending) {  // a slow reader: the stall timeout counts from the last progress
    c.deadline = now + server_.options_.idle_timeout;
    note_deadline(c.deadline);
  }
}

void Server::IoThread::watch(Connection& c, bool output) {
  epoll_event ev{};
  // After the peer's EOF, RDHUP would be reported on every wait: leave it out.
  ev.events = output ? (c.peer_eof ? EPOLLOUT : EPOLLOUT | EPOLLRDHUP) : EPOLLIN | EPOLLRDHUP;
  ev.data.ptr = &c;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.watching_output = output;
}

// A new deadline when the connection changed phase or finished a request; a request still
// arriving keeps the deadline it got when its first byte came (so 1 byte/s cannot extend it).
void Server::IoThread::update_deadline(Connection& c, Clock::time_point now) {
  if (c.write_shut) return;  // lingering: its deadline is set
  const Session::Phase phase = c.session.phase();
  const std::uint64_t handled = c.session.requests_handled();
  if (phase == c.phase && handled == c.requests_seen) return;
  c.phase = phase;
  c.requests_seen = handled;
  const ServerOptions& o = server_.options_;
  switch (phase) {
    case Session::Phase::idle: c.deadline = now + o.idle_timeout; break;
    case Session::Phase::reading_header: c.deadline = now + o.header_timeout; break;
    case Session::Phase::reading_body: c.deadline = now + o.body_timeout; break;
    case Session::Phase::writing: c.deadline = now + o.idle_timeout; break;
    case Session::Phase::closing: c.deadline = now + o.linger_timeout; break;
  }
  note_deadline(c.deadline);
}

void Server::IoThread::expire(Clock::time_point now) {
  next_deadline_ = Clock::time_point::max();
  const bool drain_over = draining_ && now >= drain_deadline_;
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    Connection& c = *connections_[i];
    if (c.fd < 0) continue;
    if (drain_over) {
      ++stats.drained_closed;
      close_connection(c);
      continue;
    }
    if (now < c.deadline) {
      note_deadline(c.deadline);
      continue;
    }
    switch (c.write_shut ? Session::Phase::closing : c.session.phase()) {
      case Session::Phase::idle:
        ++stats.idle_closed;
        close_connection(c);
        break;
      case Session::Phase::reading_header:
        c.session.refuse(408, "request header not received in time");
        flush(c, now);
        break;
      case Session::Phase::reading_body:
        c.session.refuse(408, "request body not received in time");
        flush(c, now);
        break;
      case Session::Phase::writing:
        ++stats.write_stalled;
        close_connection(c);
        break;
      case Session::Phase::closing:
        close_connection(c);
        break;
    }
    if (c.fd >= 0) {
      c.phase = c.session.phase();
      note_deadline(c.deadline);
    }
  }
}

// Frees the connections closed since the last call (swap-remove; the unique_ptr deletes). Only
// between rounds of events: an event of this round may still point to a closed connection.
void Server::IoThread::reap() {
  for (Connection* c : closed_) {
    const std::size_t i = c->index;
    if (i + 1 != connections_.size()) {
      std::swap(connections_[i], connections_.back());
      connections_[i]->index = i;
    }
    connections_.pop_back();
  }
  closed_.clear();
}

void Server::IoThread::begin_drain() {
  draining_ = true;
  drain_deadline_ = Clock::now() + server_.options_.drain_timeout;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, server_.listen_fd_, nullptr);
  for (auto& conn : connections_) {
    Connection& c = *conn;
    if (c.fd < 0) continue;
    const Session::Phase phase = c.session.phase();
    if (phase == Session::Phase::idle || (c.write_shut && c.session.pending_output().empty())) {
      close_connection(c);  // nothing in flight
    } else {
      c.session.close_after_current();
    }
  }
}

// While draining: a connection whose last response is out and that has nothing else buffered is
// done (closing it now, rather than at the drain deadline, lets the thread end as soon as the
// requests in flight are answered).
void Server::IoThread::close_finished() {
  for (auto& conn : connections_) {
    Connection& c = *conn;
    if (c.fd >= 0 && c.session.pending_output().empty() && !c.session.has_buffered_input() &&
        (c.write_shut || c.session.phase() == Session::Phase::idle)) {
      close_connection(c);
    }
  }
}

void Server::IoThread::close_connection(Connection& c) {
  if (c.fd < 0) return;
  close_fd(c);
  closed_.push_back(&c);
}

// ---- Server -------------------------------------------------------------------------------

Server::Server(const ServerOptions& options, RequestHandler& handler) : options_(options), handler_(handler) {
  if (options_.io_threads == 0) throw ServerError("io_threads must be >= 1");
  probes::calibrate_clock();  // stage traces are converted on the I/O threads
  socklen_t length = 0;
  const sockaddr_storage address = resolve(options_.host, options_.port, length);
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw ServerError("socket: " + errno_text(errno));
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    const int err = errno;
    ::close(listen_fd_);
    throw ServerError("cannot listen on " + where + ": " + errno_text(err));
  }
  if (::listen(listen_fd_, options_.backlog) != 0) {
    const int err = errno;
    ::close(listen_fd_);
    throw ServerError("listen on " + where + ": " + errno_text(err));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  try {
    for (std::size_t i = 0; i < options_.io_threads; ++i) threads_.push_back(std::make_unique<IoThread>(*this));
  } catch (...) {
    threads_.clear();
    ::close(listen_fd_);
    throw;
  }
}

Server::~Server() {
  stop();
  wait();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void Server::start() {
  for (auto& t : threads_) t->start();
}

void Server::stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  // New connections are refused from now on (the kernel resets them); the threads take the
  // socket out of their epoll sets when they see the flag.
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RD);
  for (auto& t : threads_) t->wake();
}

void Server::wait() {
  if (joined_) return;
  for (auto& t : threads_) t->join();
  joined_ = true;
  for (auto& t : threads_) {
    stages_.merge(t->recorder());
    stats_.sessions += t->counters;
    stats_.accepted += t->stats.accepted;
    stats_.rejected += t->stats.rejected;
    stats_.idle_closed += t->stats.idle_closed;
    stats_.write_stalled += t->stats.write_stalled;
    stats_.peer_resets += t->stats.peer_resets;
    stats_.drained_closed += t->stats.drained_closed;
  }
  // Connections are closed by the threads; the listening socket stays bound until destruction.
}

ServerStats Server::stats() const { return stats_; }

}  // namespace fb::http
