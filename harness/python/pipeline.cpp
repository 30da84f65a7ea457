// fasterbench._core.Pipeline: the framework serving a guest app's routes, one request at a time,
// for App.handle. The host thread's GIL is released around everything that enters the framework:
// the pipeline's threads (executor workers, event loops, own-GIL interpreters) take it, and on
// the direct path the calling thread's own state is attached for the handler's call
// (framework/python/thread_callers.h).
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/app.h"
#include "harness/python/guest_bench.h"
#include "harness/python/guest_conversions.h"
#include "harness/python/module.h"

namespace fb::python {
namespace py = pybind11;
namespace {

class Pipeline {
 public:
  Pipeline(const py::dict& app_spec, const py::dict& options) {
    const AppConfig config = guest_app_config(guest_app_from_python(app_spec), run_options_from_python(options));
    py::gil_scoped_release no_gil;  // the workers start and load handlers in their interpreters
    app_ = std::make_unique<App>(config);
  }
  ~Pipeline() { close(); }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // With the GIL held (a Python call, or pybind11 deleting the object): the workers need it to end.
  void close() {
    if (!app_) return;
    py::gil_scoped_release no_gil;
    app_.reset();
  }

  py::tuple handle(const std::string& method, const std::string& target, const py::bytes& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
    if (!app_) throw std::runtime_error("this app's pipeline is closed");
    const std::size_t query = target.find('?');
    const std::string body_text = body;  // copies: the views below must outlive the released GIL
    Request request;
    request.method = method;
    request.path = std::string_view(target).substr(0, query);
    if (query != std::string::npos) request.query = std::string_view(target).substr(query + 1);
    for (const auto& [name, value] : headers) request.headers.push_back({name, value});
    request.body = body_text;
    Response response;
    {
      py::gil_scoped_release no_gil;
      StageTrace trace;
      response = app_->handle(request, trace);
    }
    py::object error = py::none();
    if (response.error) error = py::make_tuple(response.error->type, response.error->message);
    return py::make_tuple(response.status, std::string(response.content_type), py::bytes(response.body), error);
  }

  py::list routes() const {
    if (!app_) throw std::runtime_error("this app's pipeline is closed");
    py::list out;
    const std::vector<RouteInfo> infos = app_->routes();
    for (std::size_t i = 0; i < infos.size(); ++i) {
      py::dict d;
      d["kind"] = std::string(kind_name(infos[i].kind));
      d["current"] = std::string(kind_name(infos[i].current));
      d["reason"] = infos[i].reason;
      d["demotions"] = infos[i].demotions;
      d["interpreter"] = app_->route_interpreter(i);
      out.append(d);
    }
    return out;
  }

 private:
  std::unique_ptr<App> app_;
};

}  // namespace

void register_pipeline(py::module_& module) {
  py::class_<Pipeline>(module, "Pipeline",
                       "The framework serving a guest app's routes (fasterbench.App uses it; not public).")
      .def(py::init<const py::dict&, const py::dict&>(), py::arg("app"), py::arg("options"),
           "Starts the pipeline for App._spec() `app` under bench-style `options` (phase/opt, workers, "
           "wait, ...). Raises ConfigError when a handler cannot be loaded or the options are bad.")
      .def("handle", &Pipeline::handle, py::arg("method"), py::arg("target"), py::arg("body"), py::arg("headers"),
           "One request through the pipeline: (status, content_type, body, error or None).")
      .def("routes", &Pipeline::routes, "Each route's classification and where it runs, in registration order.")
      .def("close", &Pipeline::close, "Stops the workers and ends the interpreters; the pipeline serves no more.");
}

}  // namespace fb::python
