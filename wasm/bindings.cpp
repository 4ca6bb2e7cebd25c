// The one Embind block: names only, in a fixed order (constants, classes, free functions).
// Conversions live in convert.cpp; the JS API of wasm/API.md is wrapped by mesaflow.js.
// Names: camelCase for methods and properties, the JSON's snake_case for data keys (API.md).
#include <emscripten/bind.h>

#include "api.hpp"
#include "mesaflow/budget.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/version.hpp"
#include "session.hpp"

EMSCRIPTEN_BINDINGS(mesaflow) {
  using namespace emscripten;
  using mesaflow::js::JsSession;
  using mesaflow::js::JsShardWorker;

  constant("version", std::string(mesaflow::version()));
  constant("browserMemoryBudget", mesaflow::kBrowserMemoryBudget);
  constant("shards", mesaflow::kShards);

  class_<JsSession>("Session")
      .constructor<val, bool, val>()
      .property("problem", &JsSession::problem)
      .function("run", &JsSession::run)
      .property("epoch", &JsSession::epoch)
      .property("done", &JsSession::done)
      .property("diverged", &JsSession::diverged)
      .property("message", &JsSession::message)
      .property("divergence", &JsSession::divergence)
      .function("history", &JsSession::history)
      .function("checkpoint", &JsSession::checkpoint)
      .function("resume", &JsSession::resume)
      .function("change", &JsSession::change)
      .function("theory", &JsSession::theory)
      .function("odeCurve", &JsSession::ode_curve)
      .function("weights", &JsSession::weights)
      .function("blocks", &JsSession::blocks)
      .function("samples", &JsSession::samples)
      .function("mesa", &JsSession::mesa)
      .function("vanillaGd", &JsSession::vanilla_gd)
      .property("awaitingSums", &JsSession::awaiting_sums)
      .property("wantsGradient", &JsSession::wants_gradient)
      .property("wantsTest", &JsSession::wants_test)
      .function("feed", &JsSession::feed);

  class_<JsShardWorker>("ShardWorker")
      .constructor<val, val>()
      .property("problem", &JsShardWorker::problem)
      .function("trainSums", &JsShardWorker::train_sums)
      .function("testSums", &JsShardWorker::test_sums);

  function("fields", &mesaflow::js::fields);
  function("defaults", &mesaflow::js::defaults);
  function("tables", &mesaflow::js::tables);
  function("check", &mesaflow::js::check);
  function("parseField", &mesaflow::js::parse_field);
  function("invalid", &mesaflow::js::invalid);
  function("estimateBytes", &mesaflow::js::estimate_bytes);
  function("epochFlops", &mesaflow::js::epoch_flops);
  function("theory", &mesaflow::js::theory);
  function("capability", &mesaflow::js::capability);
  function("planTraining", &mesaflow::js::plan_training);
}
