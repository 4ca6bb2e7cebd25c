// A training run: configuration, data, parameters, history and theory. The CLI and the
// WebAssembly binding both drive this class; neither holds any logic of its own.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/mesa.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/theory.hpp"
#include "mesaflow/trainer.hpp"

namespace mesaflow {

struct ConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// One entry per evaluation (epoch 0, every eval_every epochs, and the last epoch).
struct History {
  std::vector<double> epoch, train_loss, test_loss, ab, ratio, last_mse;
  std::vector<Params> params;  // one per evaluation when Session::record_params(true)
};

// What a session needs, besides its configuration and data, to go on exactly where another
// session with the same configuration stopped: Session::checkpoint() of the one, resume() of the
// other; the resumed run's numbers are the uninterrupted run's, bit for bit. (The browser keeps
// the latest checkpoint of every run, so a worker that dies loses at most one chunk of epochs.)
struct Checkpoint {
  int epoch = 0;
  Params params;            // after `epoch` epochs
  double first_loss = 0;    // training loss at epoch 0 (the reference of the divergence check)
  double flow_step = 0;     // method flow: the step size the integrator goes on with
  long gradient_evaluations = 0;
  History history;          // rows up to `epoch` (History::params not needed)
};

class Session {
 public:
  // Validates c against the memory budget (throws ConfigError naming the field), then draws
  // the training set (or takes *data, whose m, d, T override c's) and the test set, held in
  // `layout` (the numbers do not depend on it; see DataLayout).
  //
  // external_sums: the loss, gradient and test-set sums come from outside (shard_sums() run by
  // other processes, see ShardWorker), for method gd only (throws ConfigError otherwise). The
  // session then alternates: it awaits the sums at its parameters (epoch 0 first), feed() records
  // them, run(1) takes one step, and so on. The history equals a normal session's bit for bit.
  explicit Session(const Config& c, double memory_budget = kNativeMemoryBudget, const Dataset* data = nullptr,
                   DataLayout layout = kGeneratedLayout, bool external_sums = false);

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
  // Keep W_KQ and W_PV at every evaluation (History::params). Call before run(): the epoch-0
  // row, recorded by the constructor, then gets the initial parameters too.
  void record_params(bool on) {
    record_params_ = on;
    if (on && epoch_ == 0 && hist_.params.size() < hist_.epoch.size()) hist_.params.push_back(params_);
  }

  // The state after the epochs run so far (see Checkpoint); not for a diverged session, nor
  // for one with external sums that awaits them (throws std::logic_error).
  Checkpoint checkpoint() const;
  // Continues from cp, which must come from a session with this configuration (epochs may be
  // larger: the run goes on further). Only on a new session, before run() or feed(). Throws
  // ConfigError naming the part of cp that does not fit ("checkpoint.epoch: ...") and then
  // leaves the session as it was (std::logic_error if it is not new). With external sums, the
  // next feed() brings the sums at cp's parameters (no history row if cp.history has it).
  void resume(const Checkpoint& cp);
  // What resume(cp) would throw, as text ("" if it would not): for callers without exceptions.
  std::string resume_error(const Checkpoint& cp) const;

  int epoch() const { return epoch_; }
  bool done() const { return done_; }
  bool diverged() const { return diverged_; }
  const std::string& message() const { return message_; }
  const Config& config() const { return cfg_; }
  const History& history() const { return hist_; }
  const Theory& theory() const { return theory_; }
  const Params& params() const { return params_; }
  const Dataset& train() const { return train_; }
  const Dataset& test() const { return test_; }
  bool data_from_file() const { return from_file_; }
  // ab on the gradient-flow ODE at epochs 0..c.epochs, with the population A, B and with the
  // training set's; empty for init = gaussian (the ODE describes the diagonal family).
  const std::vector<double>& ode_ab() const { return ode_; }
  const std::vector<double>& ode_ab_empirical() const { return ode_emp_; }
  MesaView mesa(int nseq) const { return mesa_view(params_, test_, nseq); }
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
  // No epoch run, nothing fed but epoch 0's sums, not diverged.
  bool is_new() const;
  // The current epoch is one with a history row (epoch 0, every eval_every, the last) ...
  bool evaluated_now() const { return epoch_ == cfg_.epochs || epoch_ % cfg_.eval_every == 0; }
  // ... and its row is not recorded yet (it is after resume() at an evaluation).
  bool row_due() const { return evaluated_now() && (hist_.epoch.empty() || hist_.epoch.back() != epoch_); }

  Config cfg_;
  Dataset train_, test_;
  bool from_file_ = false;
  Params params_;
  Objective objective_;
  FlowIntegrator flow_;
  Theory theory_;
  std::vector<double> ode_, ode_emp_;
  History hist_;
  int epoch_ = 0;
  bool done_ = false, diverged_ = false, record_params_ = false;
  bool external_ = false, awaiting_ = false;
  std::string message_;
  double first_loss_ = 0;
  double loss_ = 0;  // training loss at params_
  Params grad_;      // GD: gradient at params_, computed right after each step
  long grad_evals_ = 0;
};

// The data sets of a session for c (drawn as Session draws them) and nothing else: each Web
// Worker of the browser's parallel path holds one and computes the shard sums that a Session
// with external sums is fed.
class ShardWorker {
 public:
  explicit ShardWorker(const Config& c, double memory_budget = kNativeMemoryBudget,
                       DataLayout layout = kGeneratedLayout);
  // Records of shards [first, last) (kernel.hpp) at p: on the training set, with gradients if
  // grad; on the test set, forward only.
  void train_sums(const Params& p, bool grad, int first, int last, std::vector<double>& out) const;
  void test_sums(const Params& p, int first, int last, std::vector<double>& out) const;
  const Config& config() const { return cfg_; }

 private:
  Config cfg_;
  Dataset train_, test_;
};

// Moments of x_1 measured on a data set (for data read from a file).
Moments sample_moments(const Dataset& ds);
// The theory object of PAPER.md for c (closed-form moments), without data.
Theory theory_for(const Config& c);

// JSON documents (schema in README.md).
std::string config_json(const Config& c);
std::string theory_json(const Theory& th, const std::vector<double>* epochs, const std::vector<double>* ode,
                        const std::vector<double>* ode_emp);
std::string run_json(const Session& s, double wall_seconds, int mesa_nseq);

}  // namespace mesaflow
