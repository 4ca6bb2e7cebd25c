// A training run: configuration, data, parameters, history and theory. The CLI and the
// WebAssembly binding both drive this class; neither holds any logic of its own.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "mesaflow/budget.hpp"
#include "mesaflow/checkpoint.hpp"
#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/history.hpp"
#include "mesaflow/mesa.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/problem.hpp"
#include "mesaflow/theory.hpp"
#include "mesaflow/trainer.hpp"

namespace mesaflow {

// A configuration (or checkpoint) that cannot run, thrown by the constructors: the Problem,
// and its describe() text as what().
struct ConfigError : std::invalid_argument {
  explicit ConfigError(Problem p) : std::invalid_argument(describe(p)), problem(std::move(p)) {}
  Problem problem;
};

// Why a run stopped early: at which epoch, what happened, the step size that was too large and a
// smaller one to try.
struct Divergence {
  int epoch = 0;
  std::string why;  // "the training loss reached 1e+30 (it started at 0.4)"
  double lr = 0, suggested_lr = 0;
  bool flow = false;    // the run was already the gradient flow: not suggested again
  double data_max = 0;  // a non-finite loss at epoch 0: the largest |coordinate| of the training data
};
// How a front end writes "set this field to this value": the CLI "--lr 0.5", the JS API "lr = 0.5".
using SettingSyntax = std::string (*)(const std::string& field, const std::string& value);
// "diverged at epoch 12: <why>; the step size lr = 5 is too large for this setting, try a smaller
// step such as --lr 0.5 (or --method flow)", the settings in the front end's syntax; a
// non-finite loss at epoch 0 is the data's: "the data overflow: values up to 1e+300 ...". Only a
// valid step (in (0, 10], not printed as 0) is suggested, and flow only to a run of gd.
std::string describe(const Divergence& d, SettingSyntax syntax);

// How a Session is built beside its configuration (every member has the default of a native run).
struct SessionOptions {
  double memory_budget = kNativeMemoryBudget;  // bytes; validate() refuses a configuration above it
  const Dataset* data = nullptr;       // the training set read from a file (its m, d, T override c's)
  const Dataset* test_data = nullptr;  // the test set read from a file too (then data must be given)
  // The same handed over: moved into the session instead of copied (given in the run's precision),
  // for a caller that has no further use for them (in place of data, test_data).
  Dataset* own_data = nullptr;
  Dataset* own_test_data = nullptr;
  DataLayout layout = kGeneratedLayout;  // how generated sets are held (the numbers do not depend on it)
  // The loss, gradient and test-set sums come from outside (shard_sums() run by other processes,
  // see ShardWorker), for method gd only (ConfigError otherwise). The session then alternates: it
  // awaits the sums at its parameters (epoch 0 first), feed() records them, run(1) takes one step,
  // and so on. The history equals a normal session's bit for bit.
  bool external_sums = false;
};

class Session {
 public:
  // Validates c against o.memory_budget (throws ConfigError naming the field), then draws the
  // training set (or takes *o.data) and the test set (or *o.test_data); the model is c.model's
  // (models/model.hpp), and everything the session computes goes through it.
  explicit Session(const Config& c, const SessionOptions& o = {});

  // Advances up to k epochs; returns how many were done. Stops at c.epochs or on divergence.
  // With external sums: at most one epoch, and none while sums are awaited.
  int run(int k);

  // External sums. awaiting_sums(): feed() is due, with the training-set records of all kShards
  // shards at params() (with gradients if wants_gradient()) and, if wants_test(), the test set's
  // (forward only; empty: computed here instead). Records as in kernel.hpp's shard_sums().
  bool external_sums() const { return external_; }
  bool awaiting_sums() const { return awaiting_; }
  bool wants_gradient() const { return awaiting_ && epoch_ < cfg_.epochs; }
  bool wants_test() const { return awaiting_ && row_due(); }
  // Throws std::logic_error when no sums are awaited, std::invalid_argument on a wrong size.
  void feed(const std::vector<double>& train_sums, const std::vector<double>& test_sums);
  // Keep the weights (every block of the model) at every evaluation (History::params). Call before run(): the epoch-0
  // row, recorded by the constructor, then gets the initial parameters too.
  void record_params(bool on) {
    record_params_ = on;
    if (on && epoch_ == 0 && hist_.params.size() < hist_.epoch.size()) hist_.params.push_back(params_);
  }

  // The state after the epochs run so far (see Checkpoint); not for a diverged session (throws
  // std::logic_error). With external sums awaited, it is the state at the parameters they are
  // awaited at: a session resumed from it awaits the same sums (see resume).
  Checkpoint checkpoint() const;
  // The same without the history rows (Checkpoint::history empty): what a caller that keeps the
  // rows itself needs (the page, sent the new rows each chunk); its cost does not grow with the
  // rows recorded.
  Checkpoint state() const;
  // Continues from cp, which must come from a session with this configuration (epochs may be
  // larger: the run goes on further). Only on a new session, before run() or feed(). Throws
  // ConfigError naming the part of cp that does not fit ("checkpoint.epoch: ...") and then
  // leaves the session as it was (std::logic_error if it is not new). With external sums, the
  // next feed() brings the sums at cp's parameters (no history row if cp.history has it).
  void resume(const Checkpoint& cp);
  // What resume(cp) would throw (nothing if it would not): for callers without exceptions.
  Problem resume_problem(const Checkpoint& cp) const;

  // Changes a field of the running session from the current epoch on, without a restart: lr,
  // epochs (not below the epochs done; more epochs go on after the end), eval-every, clip and
  // method (gd only with external sums). The history records it (History::changes), the ODE is
  // recomputed from here with the new step, and a run that ends later goes on. Text as set_field
  // reads it. A problem when the value is not allowed, or when the field cannot change while
  // running (it defines the data or the start: d, T, m, x1, scale, magnitude, init, a0, b0,
  // sigma-w, test-m, seed), or after a divergence. No budgets are checked here: the caller checks
  // the new configuration against its own (validate()).
  Problem change(const std::string& field, const std::string& text);
  // Whether a field can change while running (the list above, live_fields()).
  static bool changes_live(const FieldSpec& f);
  // The fields change() takes, by CLI name: lr, epochs, eval-every, clip, method, threads
  // (site/build.mjs writes them into the page's core-tables.js).
  static const std::vector<std::string>& live_fields();

  int epoch() const { return epoch_; }
  bool done() const { return done_; }
  bool diverged() const { return diverged_; }
  // Why the run diverged (when diverged()).
  const Divergence& divergence() const { return divergence_; }
  const Config& config() const { return cfg_; }
  const History& history() const { return hist_; }
  const Theory& theory() const { return theory_; }
  const Weights& params() const { return params_; }
  const Model& model() const { return *model_; }
  const Dataset& train() const { return train_; }
  const Dataset& test() const { return test_; }
  bool data_from_file() const { return from_file_; }
  // ab on the gradient-flow ODE at epochs 0..c.epochs, with the population A, B and with the
  // training set's, with the step of each epoch (changes included); empty for init = gaussian
  // (the ODE describes the diagonal family).
  const std::vector<double>& ode_ab() const { return ode_.ab; }
  const std::vector<double>& ode_ab_empirical() const { return ode_emp_.ab; }
  // The stability number of each epoch's step along the training set's ODE (ode.hpp): above
  // kFollowsTheFlow gradient descent does not follow the flow closely.
  const std::vector<double>& ode_stability() const { return ode_emp_.stability; }
  // The mesa-optimizer view (mesa.hpp) on the first nseq test sequences; false when the model has
  // none (only the attention model has one).
  bool has_mesa() const { return model_->has_mesa(); }
  MesaView mesa(int nseq) const;
  // The best vanilla one-step GD at the last position on the test set (mesa.hpp).
  VanillaGD vanilla_gd() const { return best_vanilla_gd(test_); }
  long gradient_evaluations() const { return grad_evals_; }

 private:
  // test_sums: the test set's shard records at params_, or empty to evaluate here.
  void record(double train_loss, const std::vector<double>& test_sums = {});
  // Loss (and, for GD, the gradient for the next step) at the current parameters; false and
  // the run marked diverged when the loss has exploded.
  bool refresh(bool need_grad);
  // The divergence checks of refresh() on a loss (and grad_) just computed.
  bool accept(double loss, bool need_grad);
  void fail(const std::string& why);
  bool exploded(double loss) const;
  // The ODE paths from the start, with the step size of each epoch (lr changes in hist_.changes).
  void build_ode();
  // A step that follows the flow from here, for the divergence advice (lr / 10 without an ODE).
  double suggested_lr() const;
  // No epoch run, nothing fed but epoch 0's sums, not diverged.
  bool is_new() const;
  // The current epoch is one with a history row (epoch 0, every eval_every, the last) ...
  bool evaluated_now() const { return epoch_ == cfg_.epochs || epoch_ % cfg_.eval_every == 0; }
  // ... and its row is not recorded yet (it is after resume() at an evaluation).
  bool row_due() const { return evaluated_now() && (hist_.epoch.empty() || hist_.epoch.back() != epoch_); }

  Config cfg_;
  const Model* model_ = nullptr;
  Dataset train_, test_;
  bool from_file_ = false;
  Weights params_;
  Objective objective_;
  FlowIntegrator flow_;
  Theory theory_;
  OdePath ode_, ode_emp_;
  History hist_;
  int epoch_ = 0;
  bool done_ = false, diverged_ = false, record_params_ = false;
  bool external_ = false, awaiting_ = false;
  Divergence divergence_;
  double first_loss_ = 0;
  double loss_ = 0;  // training loss at params_
  Weights grad_;     // GD: gradient at params_, computed right after each step
  bool grad_at_params_ = false;  // grad_ was taken (and counted) at the current params_
  long grad_evals_ = 0;
};

}  // namespace mesaflow
