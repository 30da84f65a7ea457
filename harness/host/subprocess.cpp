#include "harness/host/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

extern char** environ;

namespace fb::harness {

namespace {

// Starts `argv` with the options' environment and output; returns its pid, or -1 with `error`.
pid_t spawn(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* error) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : options.env) env[k] = v;
  std::vector<std::string> env_strings;
  if (options.environment) {
    env_strings = *options.environment;
  } else {
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  }
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const std::string sink = !options.output_file.empty() ? options.output_file : options.quiet ? "/dev/null" : "";
  if (!sink.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, sink.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The child starts with default signal handling whatever we installed (an InterruptScope's
  // handlers are reset by exec anyway; a disposition of SIG_IGN would not be).
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  short flags = POSIX_SPAWN_SETSIGDEF;
  if (options.own_process_group) {
    posix_spawnattr_setpgroup(&attributes, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attributes, flags);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (error != nullptr) *error = std::string("cannot start ") + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

// Blocks until `pid` exits; its wait status, or -1.
int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

// The child's wait status if it has exited, else nullopt (it is still running).
std::optional<int> try_wait(pid_t pid) {
  int status = 0;
  pid_t r = 0;
  do {
    r = waitpid(pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  return r < 0 ? -1 : status;
}

// Waits until the child exits, `deadline` passes or `cancel_fd` becomes readable; returns the
// wait status, or nullopt when it was still running. Sleeps in poll(): on a pidfd when the kernel
// has them, else in steps of 50 ms.
std::optional<int> wait_until(pid_t pid, int pidfd, std::optional<std::chrono::steady_clock::time_point> deadline,
                              int cancel_fd, bool* cancelled) {
  using clock = std::chrono::steady_clock;
  while (true) {
    if (std::optional<int> status = try_wait(pid)) return status;
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now()).count();  // not early
      if (left <= 0) return std::nullopt;
      wait_ms = static_cast<int>(std::min<long long>(left, 60'000));
    }
    if (pidfd < 0) wait_ms = wait_ms < 0 ? 50 : std::min(wait_ms, 50);
    pollfd fds[2];
    nfds_t n = 0;
    if (pidfd >= 0) fds[n++] = {pidfd, POLLIN, 0};
    if (cancel_fd >= 0) fds[n++] = {cancel_fd, POLLIN, 0};
    const int ready = ::poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (cancel_fd >= 0 && ready > 0 && (fds[n - 1].revents & POLLIN)) {
      *cancelled = true;
      return try_wait(pid);
    }
  }
}

// SIGTERM to the child (its group when it leads one), SIGKILL after the grace; reaps it.
int stop(pid_t pid, int pidfd, bool group) {
  const pid_t target = group ? -pid : pid;
  ::kill(target, SIGTERM);
  bool unused = false;
  if (std::optional<int> status = wait_until(pid, pidfd, std::chrono::steady_clock::now() + kStopGrace, -1, &unused)) {
    return *status;
  }
  ::kill(target, SIGKILL);
  return wait_status(pid);
}

}  // namespace

int run_process(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* error) {
  const pid_t pid = spawn(argv, options, error);
  if (pid < 0) return -1;
  const int status = wait_status(pid);
  if (status < 0) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ProcessOutcome run_supervised(const std::vector<std::string>& argv, const ProcessOptions& options) {
  using clock = std::chrono::steady_clock;
  ProcessOutcome out;
  const auto started = clock::now();
  const pid_t pid = spawn(argv, options, &out.error);
  if (pid < 0) return out;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1 (ENOSYS) before Linux 5.3
  std::optional<clock::time_point> deadline;
  if (options.timeout) deadline = started + *options.timeout;
  bool cancelled = false;
  std::optional<int> status = wait_until(pid, pidfd, deadline, options.cancel_fd, &cancelled);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
  if (!status) {
    out.kind = cancelled ? ProcessOutcome::Kind::cancelled : ProcessOutcome::Kind::timed_out;
    stop(pid, pidfd, options.own_process_group);
  } else if (cancelled) {
    out.kind = ProcessOutcome::Kind::cancelled;  // it ended as we were asked to stop: not a result to use
  } else if (*status >= 0 && WIFEXITED(*status)) {
    out.kind = ProcessOutcome::Kind::exited;
    out.code = WEXITSTATUS(*status);
  } else if (*status >= 0 && WIFSIGNALED(*status)) {
    out.kind = ProcessOutcome::Kind::signaled;
    out.code = WTERMSIG(*status);
  } else {
    out.error = "lost track of the child process";
  }
  if (pidfd >= 0) ::close(pidfd);
  return out;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string ProcessOutcome::describe() const {
  switch (kind) {
    case Kind::exited:
      return "exit status " + std::to_string(code);
    case Kind::signaled:
      return "signal " + std::to_string(code) + " (" + signal_name(code) + ")";
    case Kind::timed_out:
      return "timed out after " + std::to_string((elapsed.count() + 500) / 1000) + " s (stopped)";
    case Kind::cancelled:
      return "interrupted";
    case Kind::not_started:
      return error.empty() ? "not started" : error;
  }
  return "unknown";
}

std::string self_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

std::string tail_of_file(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace fb::harness
