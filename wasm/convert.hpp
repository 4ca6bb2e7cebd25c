// Conversions between the core's types and JavaScript values for the Embind file
// (bindings.cpp). Nothing here computes: it parses plain JS config objects through the
// core's field table and copies results out of the wasm heap into Float64Arrays.
#pragma once
#include <memory>
#include <string>

#include <emscripten/val.h>

#include "mesaflow/kernel.hpp"
#include "mesaflow/session.hpp"

namespace mesaflow::js {

using emscripten::val;

// The config table as plain objects: {name, key, type, min, max, min_open, choices, default, help}.
val fields();
// {key: default value} for every field of fields().
val defaults();
// null if cfg is valid under budget (bytes), else {field, message}; field is the CLI name.
val validate(val cfg, double budget);
// One field given as text (a CLI option value, URL value, attribute): {field: CLI name, value} or
// {field, message} with the core's message (set_field), e.g. "lr: 'abc' is not valid; expected ...".
val parse_field(std::string name, std::string text);
// Flops of one epoch for cfg: the training gradient and one test evaluation (kernel.hpp's counts;
// cfg is assumed valid).
double epoch_flops(val cfg);
// Bytes a session for cfg allocates (cfg is assumed valid; see validate).
double estimate_bytes(val cfg);
// The theory object of cfg from closed-form moments (c_star_empirical is null: no data).
val theory(val cfg);

// A Session built from a JS config object. The config is validated first (browser memory
// budget), so the core's constructor never throws; on an invalid config error() holds the
// message and every other method is unusable.
class JsSession {
 public:
  // external_sums: see Session (the coordinator of the browser's parallel path).
  JsSession(val cfg, bool external_sums);
  std::string error() const { return error_; }
  std::string error_field() const { return error_field_; }

  val run(int k);
  int epoch() const { return s_->epoch(); }
  bool done() const { return s_->done(); }
  bool diverged() const { return s_->diverged(); }
  std::string message() const { return s_->message(); }
  val history() const;
  val theory() const;
  val ode_curve() const;
  val weights() const;
  val samples(int n) const;
  val mesa(int nseq) const;
  bool awaiting_sums() const { return s_->awaiting_sums(); }
  bool wants_gradient() const { return s_->wants_gradient(); }
  bool wants_test() const { return s_->wants_test(); }
  // {epoch, weights, firstLoss, flowStep, gradientEvaluations, history} (Session::checkpoint),
  // or null for a diverged run.
  val checkpoint() const;
  // Continues from such an object (a new session only). Returns "" or what is wrong, naming the
  // part ("checkpoint.epoch: ...").
  std::string resume(val cp);
  // train, test: Float64Arrays of kShards records each (test may be empty or undefined).
  // Returns "" or what is wrong (checked here: the wasm build does not catch C++ exceptions).
  std::string feed(val train, val test);

 private:
  std::unique_ptr<Session> s_;
  std::string error_, error_field_;
};

// A ShardWorker built from a JS config object (validated like JsSession). weights: an object
// as JsSession::weights() returns. Results are Float64Arrays of the records of shards
// [first, last) (kernel.hpp), or a string saying what is wrong with the arguments.
class JsShardWorker {
 public:
  explicit JsShardWorker(val cfg);
  std::string error() const { return error_; }
  std::string error_field() const { return error_field_; }
  val train_sums(val weights, int first, int last, bool grad) const;
  val test_sums(val weights, int first, int last) const;

 private:
  std::unique_ptr<ShardWorker> w_;
  std::string error_, error_field_;
};
}  // namespace mesaflow::js
