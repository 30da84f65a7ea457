#include "harness/python/calling_thread.h"

#include <pthread.h>

namespace fb::python {

CallingThreadScope::CallingThreadScope() {
  char name[16] = {};  // Linux thread names: 15 characters and the terminator
  if (pthread_getname_np(pthread_self(), name, sizeof name) == 0) {
    name_ = name;
    have_name_ = true;
  }
  have_cpus_ = sched_getaffinity(0, sizeof cpus_, &cpus_) == 0;
}

CallingThreadScope::~CallingThreadScope() {
  if (have_name_) pthread_setname_np(pthread_self(), name_.c_str());
  if (have_cpus_) sched_setaffinity(0, sizeof cpus_, &cpus_);
}

}  // namespace fb::python
