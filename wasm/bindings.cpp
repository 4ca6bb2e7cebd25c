// The one Embind block: names only, in a fixed order (constants, classes, free functions).
// Conversions live in convert.cpp; the JS API of wasm/API.md is wrapped by mesaflow.js.
#include <emscripten/bind.h>

#include "convert.hpp"

EMSCRIPTEN_BINDINGS(mesaflow) {
  using namespace emscripten;
  using mesaflow::js::JsSession;

  constant("browserMemoryBudget", mesaflow::kBrowserMemoryBudget);

  class_<JsSession>("Session")
      .constructor<val>()
      .property("error", &JsSession::error)
      .property("errorField", &JsSession::error_field)
      .function("run", &JsSession::run)
      .property("epoch", &JsSession::epoch)
      .property("done", &JsSession::done)
      .property("diverged", &JsSession::diverged)
      .property("message", &JsSession::message)
      .function("history", &JsSession::history)
      .function("theory", &JsSession::theory)
      .function("odeCurve", &JsSession::ode_curve)
      .function("weights", &JsSession::weights)
      .function("samples", &JsSession::samples)
      .function("mesa", &JsSession::mesa);

  function("fields", &mesaflow::js::fields);
  function("defaults", &mesaflow::js::defaults);
  function("validate", &mesaflow::js::validate);
  function("estimateBytes", &mesaflow::js::estimate_bytes);
  function("theory", &mesaflow::js::theory);
}
