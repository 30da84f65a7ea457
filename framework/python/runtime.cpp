#include "framework/python/runtime.h"

#include <atomic>
#include <mutex>

#include "framework/python/gil.h"
#include "framework/python/subinterpreter.h"

namespace fb::python {

namespace {
std::atomic<std::uint64_t> g_next_runtime_serial{1};  // relaxed: only uniqueness matters
}  // namespace

PythonRuntime::PythonRuntime() : serial_(g_next_runtime_serial.fetch_add(1, std::memory_order_relaxed)) {}

PythonCaller& PythonRuntime::caller(const std::string& label, bool start_loop) {
  if (PythonCaller* c = find_this_thread_caller(serial_)) return *c;
  return keep_new_caller(label, start_loop);
}

PythonCaller& PythonRuntime::keep_new_caller(const std::string& label, bool start_loop) {
  return keep_this_thread_caller(serial_, make_caller(label, start_loop));
}

void PythonRuntime::end_caller() noexcept { end_this_thread_caller(serial_); }

namespace {

class SharedGilRuntime final : public PythonRuntime {
 public:
  SharedGilRuntime(const std::vector<std::string>& handler_specs, bool fast_marshal) {
    GilScope gil;
    main_.set_fast_marshal(fast_marshal);
    main_.load(handler_specs);
  }
  ~SharedGilRuntime() override {
    end_caller();  // this thread's, while the handlers its loop may run are still loaded
    GilScope gil;
    main_.clear();
  }

  const InterpreterBindings& main_bindings() const noexcept override { return main_; }
  std::string route_interpreter(std::size_t /*route*/) const override { return "main"; }
  std::string_view layout() const noexcept override { return "shared-gil"; }

 protected:
  std::unique_ptr<PythonCaller> make_caller(const std::string& /*label*/, bool start_loop) override {
    return std::make_unique<PythonCaller>(main_, start_loop);
  }

 private:
  InterpreterBindings main_;
};

#if FASTERBENCH_HAVE_SUBINTERP

class SubinterpreterRuntime final : public PythonRuntime {
 public:
  SubinterpreterRuntime(SubinterpFallback fallback, std::vector<std::string> python_path,
                        std::vector<std::string> handler_specs, bool fast_marshal)
      : policy_(fallback), python_path_(std::move(python_path)), specs_(std::move(handler_specs)),
        fast_marshal_(fast_marshal) {
    // The main interpreter first: a typo or a missing module is reported as such, not as a
    // sub-interpreter incompatibility, and fallback routes have their handlers ready.
    GilScope gil;
    main_.set_fast_marshal(fast_marshal_);
    main_.load(specs_);
  }
  ~SubinterpreterRuntime() override {
    end_caller();  // this thread's, while the main interpreter's handlers are still loaded
    GilScope gil;
    main_.clear();
  }

  const InterpreterBindings& main_bindings() const noexcept override { return main_; }

  std::string route_interpreter(std::size_t route) const override {
    std::lock_guard lock(start_mutex_);
    if (decided_ && fallback_[route]) return "main (fallback: " + reasons_[route] + ")";
    return "own (one per Python-running thread)";
  }

  std::vector<InterpreterRecord> interpreters() const override {
    std::lock_guard lock(records_mutex_);
    return records_;
  }

  std::string_view layout() const noexcept override { return "own-gil"; }

 protected:
  std::unique_ptr<PythonCaller> make_caller(const std::string& label, bool start_loop) override {
    std::unique_ptr<Subinterpreter> own;
    InterpreterStart cost;
    std::vector<bool> fallback;
    {
      // Starts are serialized: each one's RSS growth is then its own, and on 2 vCPUs parallel
      // starts would only compete (they also serialize on the main GIL for C-extension imports).
      std::lock_guard lock(start_mutex_);
      if (!decided_) {
        // The first interpreter decides for every thread which routes fall back, so all threads
        // (including calling threads that appear later on the direct path) agree, and a refused
        // import fails start-up instead of some later request.
        std::vector<std::string> errors;
        own = Subinterpreter::start(python_path_, specs_, {}, fast_marshal_, &cost, &errors);
        decide(errors);
      }
      if (!refusal_.empty()) throw HandlerLoadError(refused_route_, refusal_);  // ends `own`
      fallback = fallback_;
      if (!own) own = Subinterpreter::start(python_path_, specs_, fallback, fast_marshal_, &cost);
    }
    {
      std::lock_guard lock(records_mutex_);
      records_.push_back({label.empty() ? next_caller_label() : label, cost.interpreter_id, cost.startup_ms, cost.memory_kb});
    }
    return std::make_unique<PythonCaller>(std::move(own), main_, fallback, start_loop);
  }

 private:
  // "caller N": the direct path's calling threads, numbered across the process's runtimes.
  static std::string next_caller_label() {
    static std::atomic<std::uint64_t> callers{0};  // relaxed: only distinct numbers matter
    return "caller " + std::to_string(callers.fetch_add(1, std::memory_order_relaxed));
  }

  // Sets fallback_ from the first interpreter's import errors, or refusal_ under policy fail.
  // Called once, with start_mutex_ held.
  void decide(const std::vector<std::string>& errors) {
    reasons_ = errors;
    fallback_.assign(specs_.size(), false);
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      if (errors[i].empty()) continue;
      if (policy_ == SubinterpFallback::fail) {
        refused_route_ = i;
        refusal_ = "handler '" + specs_[i] + "' cannot be imported in an own-GIL sub-interpreter: " + errors[i] +
                   " (sub-interpreter fallback is 'fail'; with --subinterp-fallback main, or subinterp_fallback = "
                   "\"main\" in the scenario, this route runs in the main interpreter instead)";
        break;
      }
      fallback_[i] = true;
    }
    decided_ = true;
  }

  const SubinterpFallback policy_;
  const std::vector<std::string> python_path_;
  const std::vector<std::string> specs_;
  const bool fast_marshal_;
  InterpreterBindings main_;  // every handler, in the main interpreter (fallback routes run these)

  mutable std::mutex start_mutex_;    // serializes starts; guards the decision below
  bool decided_ = false;
  std::vector<std::string> reasons_;  // per route: why the own-GIL import failed, or ""
  std::vector<bool> fallback_;        // per route: runs in the main interpreter
  std::string refusal_;               // policy fail: the error every make_caller throws
  std::size_t refused_route_ = 0;

  mutable std::mutex records_mutex_;
  std::vector<InterpreterRecord> records_;
};

#endif  // FASTERBENCH_HAVE_SUBINTERP

}  // namespace

std::unique_ptr<PythonRuntime> make_python_runtime(const OptimizationSet& opts, SubinterpFallback fallback,
                                                   const std::vector<std::string>& python_path,
                                                   const std::vector<std::string>& handler_specs) {
  const bool fast_marshal = FASTERBENCH_HAVE_FAST_MARSHAL && opts.fast_marshal;
  if (!opts.subinterp) return std::make_unique<SharedGilRuntime>(handler_specs, fast_marshal);
#if FASTERBENCH_HAVE_SUBINTERP
  return std::make_unique<SubinterpreterRuntime>(fallback, python_path, handler_specs, fast_marshal);
#else
  (void)fallback;
  (void)python_path;
  throw std::runtime_error("subinterp: " + unavailable_reason(Optimization::subinterp));
#endif
}

}  // namespace fb::python
