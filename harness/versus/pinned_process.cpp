#include "harness/versus/pinned_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace fb::harness {

PinnedProcess::~PinnedProcess() {
  if (pid_ > 0 && !exited_) stop();
}

bool PinnedProcess::start(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& env, const std::vector<int>& cpus,
                          const std::string& log_file, std::string& error) {
  const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) {
    error = "cannot open " + log_file + ": " + std::strerror(errno);
    return false;
  }
  // Everything the child needs is prepared here: between fork and exec only async-signal-safe
  // calls are allowed in a multi-threaded parent.
  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  std::vector<std::string> env_copy;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool overridden = false;
    for (const auto& kv : env) overridden = overridden || (entry.starts_with(kv.first) && entry.size() > kv.first.size() &&
                                                           entry[kv.first.size()] == '=');
    if (!overridden) env_copy.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_copy.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    ::close(log);
    return false;
  }
  if (pid == 0) {
    if (!cpus.empty() && sched_setaffinity(0, sizeof set, &set) != 0) _exit(126);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execvpe(args[0], args.data(), envp.data());
    const char* prefix = "cannot execute ";
    [[maybe_unused]] ssize_t w = ::write(STDERR_FILENO, prefix, std::strlen(prefix));
    w = ::write(STDERR_FILENO, args[0], std::strlen(args[0]));
    w = ::write(STDERR_FILENO, "\n", 1);
    _exit(127);
  }
  ::close(log);
  pid_ = pid;
  exited_ = false;
  status_ = -1;
  return true;
}

void PinnedProcess::reap(int raw, const ::rusage& usage) {
  exited_ = true;
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  reaped_cpu_s_ = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  if (WIFEXITED(raw)) status_ = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw)) status_ = 128 + WTERMSIG(raw);
}

bool PinnedProcess::running() {
  if (exited_) return false;
  int raw = 0;
  ::rusage usage{};
  const pid_t r = ::wait4(pid_, &raw, WNOHANG, &usage);
  if (r == pid_) reap(raw, usage);
  return !exited_;
}

int PinnedProcess::wait() {
  if (exited_) return status_;
  int raw = 0;
  ::rusage usage{};
  while (::wait4(pid_, &raw, 0, &usage) < 0) {
    if (errno != EINTR) return status_;
  }
  reap(raw, usage);
  return status_;
}

int PinnedProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return status_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (running()) {
    ::kill(pid_, SIGKILL);
    return wait();
  }
  return status_;
}

double PinnedProcess::cpu_seconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces, so find the last ')'): state is
  // field 3, utime 14 and stime 15 (proc(5)), in clock ticks.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace fb::harness
