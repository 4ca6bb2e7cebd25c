// The Embind classes over the core's Session and ShardWorker. A JS config is checked (field
// table, the browser's budgets, then the heap) before the core is asked to allocate, so the core's
// constructors never throw here (the wasm build does not catch C++ exceptions); on a problem
// problem() holds it and every other method is unusable.
#pragma once
#include <memory>

#include "convert.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/shard_worker.hpp"

namespace mesaflow::js {

class JsSession {
 public:
  // external_sums: see Session (the coordinator of the browser's parallel path). data: undefined,
  // or {npy: Uint8Array (a .npy file: complex128 or complex64, (m, d, T)), test_npy: Uint8Array or
  // undefined, test_fraction: the share held out for testing when there is no test_npy}: the run
  // trains on the file (its m, d, T) and tests on the held-out sequences or the test file.
  JsSession(val cfg, bool external_sums, val data);
  val problem() const { return problem_; }

  val run(int k);
  int epoch() const { return s_->epoch(); }
  bool done() const { return s_->done(); }
  bool diverged() const { return s_->diverged(); }
  // Why the run diverged, settings written as the JS API writes them ("lr = 0.5"); "" otherwise.
  std::string message() const;
  // null, or why it diverged as data: {epoch, why, lr, suggested_lr}.
  val divergence() const;
  // The rows from index `from` on (0: all of them), and every change.
  val history(int from) const { return history_val(s_->history(), from); }
  val theory() const;
  val ode_curve() const;
  // {d, <block>_re, <block>_im} of the run's model (convert.hpp), and the model's blocks
  // [{name, label, rows, cols}] in its order.
  val weights() const { return weights_val(s_->model(), s_->params(), s_->config().d); }
  val blocks() const { return blocks_val(s_->model(), s_->config().d); }
  val samples(int n) const;
  val mesa(int nseq) const;
  // The best vanilla one-step GD at the last position on the test set: {eta, last_mse}.
  val vanilla_gd() const;
  bool awaiting_sums() const { return s_->awaiting_sums(); }
  bool wants_gradient() const { return s_->wants_gradient(); }
  bool wants_test() const { return s_->wants_test(); }
  // checkpoint_val of Session::checkpoint() (with_history false: without its history), or null
  // for a diverged run.
  val checkpoint(bool with_history) const;
  // Continues from such an object (a new session only): null, or the problem naming the part.
  val resume(val cp);
  // Changes a field from the current epoch on (Session::change), within the browser's budgets:
  // null, or the problem.
  val change(std::string field, std::string text);
  // train, test: Float64Arrays of kShards records each (test may be empty or undefined).
  // Returns "" or what is wrong with them.
  std::string feed(val train, val test);

 private:
  std::unique_ptr<Session> s_;
  val problem_ = val::null();
  std::string test_source_;  // where the test set came from, for data from a file
};

// weights: an object as JsSession::weights() returns. Results are Float64Arrays of the records
// of shards [first, last) (kernel.hpp), or a string saying what is wrong with the arguments.
class JsShardWorker {
 public:
  // w: process fixed's W as a .npy (a Uint8Array, as JsSession's data.w), or undefined.
  JsShardWorker(val cfg, val w);
  val problem() const { return problem_; }
  val train_sums(val weights, int first, int last, bool grad) const;
  val test_sums(val weights, int first, int last) const;

 private:
  std::unique_ptr<ShardWorker> w_;
  val problem_ = val::null();
};

// The config of a JS object for a Session or ShardWorker: the field table, the browser's memory
// and time budgets (and, with external sums, the method), then whether the heap can grow by what
// it needs, in that order. null, or the problem as problem_val gives it.
val browser_config(val obj, bool external_sums, Config& c, val w = val::undefined());

}  // namespace mesaflow::js
