#include "framework/python/runtime.h"

#include "framework/python/gil.h"

namespace fb::python {
namespace {

class SharedGilRuntime final : public PythonRuntime {
 public:
  explicit SharedGilRuntime(const std::vector<std::string>& handler_specs) {
    GilScope gil;
    main_.load(handler_specs);
  }
  ~SharedGilRuntime() override {
    GilScope gil;
    main_.clear();
  }

  std::unique_ptr<PythonThread> make_thread(const std::string& /*label*/) override {
    return std::make_unique<PythonThread>(PyInterpreterState_Main(), main_);
  }
  std::string route_interpreter(std::size_t /*route*/) const override { return "main"; }
  const char* layout() const noexcept override { return "shared-gil"; }

 private:
  InterpreterBindings main_;
};

}  // namespace

std::unique_ptr<PythonRuntime> make_python_runtime(const OptimizationSet& opts, SubinterpFallback fallback,
                                                   const std::vector<std::string>& python_path,
                                                   const std::vector<std::string>& handler_specs) {
  if (!opts.subinterp) return std::make_unique<SharedGilRuntime>(handler_specs);
  (void)fallback;
  (void)python_path;
  throw std::runtime_error("subinterp: " + unavailable_reason(Optimization::subinterp));
}

}  // namespace fb::python
