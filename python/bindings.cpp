// The one pybind11 block: names only (module.cpp does the work; mesaflow/*.py wraps it in the
// API of python/README.md). Everything that computes releases the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "../core/cli/options.hpp"
#include "mesaflow/report.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/version.hpp"
#include "module.hpp"

namespace py = pybind11;
using namespace mesaflow;
using mesaflow::python::InputError;

namespace {

// A Session built from (key, text) pairs and data (module.cpp), or resumed from a checkpoint.
struct PySession {
  explicit PySession(std::unique_ptr<Session> session) : s(std::move(session)) {}
  std::unique_ptr<Session> s;
};

}  // namespace

PYBIND11_MODULE(_mesaflow, m) {
  static py::object input_error = py::module_::import("mesaflow.errors").attr("InputError");
  py::register_exception_translator([](std::exception_ptr e) {
    try {
      if (e) std::rethrow_exception(e);
    } catch (const InputError& err) {
      py::object ex = input_error(err.message, err.problem.field);
      PyErr_SetObject(input_error.ptr(), ex.ptr());
    }
  });
  using release = py::call_guard<py::gil_scoped_release>;
  m.attr("version") = version();

  py::class_<mesaflow::python::DataArg>(m, "DataArg")
      .def(py::init<>())
      .def_property("bytes", [](const mesaflow::python::DataArg& a) { return py::bytes(a.bytes); },
                    [](mesaflow::python::DataArg& a, py::bytes b) { a.bytes = b; })
      .def_readwrite("file", &mesaflow::python::DataArg::file)
      // A complex64 or complex128 array (m, d, T) of native byte order (_data.py checks dtype and
      // shape first), read in place when the data are read: the DataArg keeps it alive.
      .def(
          "set_array",
          [](mesaflow::python::DataArg& a, const py::array& x) {
            if (x.ndim() != 3 || (x.itemsize() != 16 && x.itemsize() != 8) || x.dtype().kind() != 'c')
              throw py::value_error("DataArg.set_array: a complex array of 3 dimensions");
            a.base = static_cast<const char*>(x.data());
            a.item = static_cast<int>(x.itemsize());
            for (int k = 0; k < 3; ++k) {
              a.shape[k] = static_cast<long long>(x.shape(k));
              a.strides[k] = static_cast<long long>(x.strides(k));
            }
          },
          py::keep_alive<1, 2>());

  py::class_<PySession>(m, "Session")
      .def(py::init([](const mesaflow::python::Pairs& f, const mesaflow::python::DataArg& data,
                       const mesaflow::python::DataArg& test_data, double test_fraction) {
             return PySession(mesaflow::python::make_session(f, data, test_data, test_fraction));
           }), release())
      .def_static("resume", [](const std::string& checkpoint, const mesaflow::python::Pairs& f,
                               const mesaflow::python::DataArg& data, const mesaflow::python::DataArg& test_data,
                               double test_fraction) {
        return PySession(mesaflow::python::resume_session(checkpoint, f, data, test_data, test_fraction));
      }, release())
      .def("checkpoint", [](const PySession& p) { return mesaflow::python::checkpoint_text(*p.s); }, release())
      .def("run", [](PySession& p, int k) { return p.s->run(k); }, release())
      .def_property_readonly("epoch", [](const PySession& p) { return p.s->epoch(); })
      .def_property_readonly("done", [](const PySession& p) { return p.s->done(); })
      .def_property_readonly("diverged", [](const PySession& p) { return p.s->diverged(); })
      .def_property_readonly("message", [](const PySession& p) {
        return p.s->diverged() ? describe(p.s->divergence(), cli_setting) : std::string();
      })
      .def("history_json", [](const PySession& p) { return Json(p.s->history()).dump(); })
      .def("weights_json", [](const PySession& p) { return Json(p.s->params()).dump(); })
      .def("config_json", [](const PySession& p) { return Json(p.s->config()).dump(); })
      .def("change", [](PySession& p, const std::string& field, const std::string& text) {
        if (Problem pr = p.s->change(field, text)) throw InputError{pr, cli_text(pr)};
      })
      .def("run_json", [](const PySession& p, int mesa_seqs) {
        return run_json(*p.s, 0, mesa_seqs, cli_setting).dump();
      }, release());

  m.def("fields_json", &mesaflow::python::fields_json);
  m.def("train_json", &mesaflow::python::train_json, release());
  m.def("theory_json", &mesaflow::python::theory_json, release());
  m.def("generate_npy", [](const mesaflow::python::Pairs& f) {
    std::string b;
    {
      py::gil_scoped_release r;
      b = mesaflow::python::generate_npy(f);
    }
    return py::bytes(b);
  });
  m.def("sweep_plan", &mesaflow::python::sweep_plan, release());
  m.def("sweep_run", &mesaflow::python::sweep_run, release());
  m.def("sweep_lines", &mesaflow::python::sweep_lines, release());
}
