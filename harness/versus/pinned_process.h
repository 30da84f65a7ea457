// A child process started on a given set of CPUs (sched_setaffinity before exec, so every thread
// it starts inherits them), with its output in a log file: the servers and the load tool of
// `fasterbench versus`. Also reads the CPU time the process has used so far (/proc/PID/stat).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace fb::harness {

class PinnedProcess {
 public:
  PinnedProcess() = default;
  ~PinnedProcess();  // stop()s a child still running
  PinnedProcess(const PinnedProcess&) = delete;
  PinnedProcess& operator=(const PinnedProcess&) = delete;

  // Starts argv[0] (searched on PATH) with `env` added to ours, on `cpus` (empty: ours),
  // stdin /dev/null, stdout and stderr into `log_file`. False with `error` set when it could
  // not be started (exec failures are seen by the first running() or wait()).
  bool start(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
             const std::vector<int>& cpus, const std::string& log_file, std::string& error);

  pid_t pid() const noexcept { return pid_; }
  // False once the child has exited (then exit_status() says how).
  bool running();
  // Waits for the child; returns its exit status (128 + signal when killed).
  int wait();
  // SIGTERM, then SIGKILL if it has not exited after `grace`. Returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  int exit_status() const noexcept { return status_; }
  // After the child was reaped: its user + system CPU seconds (all threads), from wait4.
  double reaped_cpu_seconds() const noexcept { return reaped_cpu_s_; }

  // User + system CPU seconds of all the child's threads so far (not of its children).
  double cpu_seconds() const;

 private:
  void reap(int raw_status, const ::rusage& usage);

  pid_t pid_ = -1;
  bool exited_ = true;
  int status_ = -1;
  double reaped_cpu_s_ = 0;
};

}  // namespace fb::harness
