// The calling thread as guest mode found it. A bench makes the host's calling Python thread
// client 0 of the load, and placement names that thread "fb-client-0" and pins it to the
// client CPUs; the host's main thread's name is the process's name in `ps` and `top`, and its
// affinity is inherited by every thread the host starts later. The scope puts both back.
#pragma once

#include <sched.h>

#include <string>

namespace fb::python {

class CallingThreadScope {
 public:
  CallingThreadScope();   // remembers the name and the CPU affinity
  ~CallingThreadScope();  // restores them (best effort: a failure is ignored)
  CallingThreadScope(const CallingThreadScope&) = delete;
  CallingThreadScope& operator=(const CallingThreadScope&) = delete;

 private:
  std::string name_;
  bool have_name_ = false;
  cpu_set_t cpus_{};
  bool have_cpus_ = false;
};

}  // namespace fb::python
