// The one Embind block: names only, in a fixed order (constants, classes, free functions).
// Conversions live in convert.cpp; the JS API of wasm/API.md is wrapped by mesaflow.js.
#include <emscripten/bind.h>

#include "convert.hpp"

EMSCRIPTEN_BINDINGS(mesaflow) {
  using namespace emscripten;
  using mesaflow::js::JsSession;
  using mesaflow::js::JsShardWorker;

  constant("browserMemoryBudget", mesaflow::kBrowserMemoryBudget);
  constant("shards", mesaflow::kShards);

  class_<JsSession>("Session")
      .constructor<val, bool>()
      .property("error", &JsSession::error)
      .property("errorField", &JsSession::error_field)
      .function("run", &JsSession::run)
      .property("epoch", &JsSession::epoch)
      .property("done", &JsSession::done)
      .property("diverged", &JsSession::diverged)
      .property("message", &JsSession::message)
      .function("history", &JsSession::history)
      .function("checkpoint", &JsSession::checkpoint)
      .function("resume", &JsSession::resume)
      .function("theory", &JsSession::theory)
      .function("odeCurve", &JsSession::ode_curve)
      .function("weights", &JsSession::weights)
      .function("samples", &JsSession::samples)
      .function("mesa", &JsSession::mesa)
      .property("awaitingSums", &JsSession::awaiting_sums)
      .property("wantsGradient", &JsSession::wants_gradient)
      .property("wantsTest", &JsSession::wants_test)
      .function("feed", &JsSession::feed);

  class_<JsShardWorker>("ShardWorker")
      .constructor<val>()
      .property("error", &JsShardWorker::error)
      .property("errorField", &JsShardWorker::error_field)
      .function("trainSums", &JsShardWorker::train_sums)
      .function("testSums", &JsShardWorker::test_sums);

  function("fields", &mesaflow::js::fields);
  function("defaults", &mesaflow::js::defaults);
  function("validate", &mesaflow::js::validate);
  function("parseField", &mesaflow::js::parse_field);
  function("estimateBytes", &mesaflow::js::estimate_bytes);
  function("epochFlops", &mesaflow::js::epoch_flops);
  function("theory", &mesaflow::js::theory);
}
