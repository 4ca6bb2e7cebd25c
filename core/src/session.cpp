#include "mesaflow/session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "mesaflow/baselines.hpp"
#include "mesaflow/dynamics.hpp"
#include "mesaflow/kernel.hpp"

namespace mesaflow {

Session::Session(const Config& c, const SessionOptions& o) : cfg_(c), external_(o.external_sums) {
  const Dataset* data = o.own_data ? o.own_data : o.data;
  const Dataset* test_data = o.own_test_data ? o.own_test_data : o.test_data;
  const DataLayout layout = o.layout;
  if (data) {
    cfg_.m = data->m;
    cfg_.d = data->d;
    cfg_.T = data->T;
  }
  if (test_data) cfg_.test_m = test_data->m;
  if (test_data && (!data || test_data->d != data->d || test_data->T != data->T))
    throw ConfigError({"test-data", "the test set must come with a training set of the same d and T", {}});
  if (Problem p = validate(cfg_, o.memory_budget, layout, data != nullptr)) throw ConfigError(p);
  model_ = &model_of(cfg_);
  if (external_ && cfg_.method != Method::GD) throw ConfigError({"method", "external sums need method gd", {}});
  // Data given in another precision is converted (read_npy can read it in the run's at once).
  // A set handed over in the run's precision is moved in, not copied.
  const auto in_mine = [this](const Dataset& ds, Dataset* own) {
    if (ds.precision != cfg_.precision) return ds.in_precision(cfg_.precision);
    if (own) return std::move(*own);
    return ds;
  };
  if (data) {
    train_ = in_mine(*data, o.own_data);
    from_file_ = true;
  } else {
    train_ = generate_dataset(cfg_, cfg_.m, kTrainStream, layout);
  }
  test_ = test_data ? in_mine(*test_data, o.own_test_data) : generate_dataset(cfg_, cfg_.test_m, kTestStream, layout);
  params_ = model_->init(cfg_);
  objective_ = Objective{model_, &train_, cfg_.threads, cfg_.clip};

  if (from_file_) {
    MixedMoments mixed;
    const Moments mo = sample_moments(train_, &mixed);
    theory_ = theory_from_moments(mo, mixed, cfg_.d, cfg_.T, cfg_.clip);
    theory_.source = "measured on the first tokens of the " + std::to_string(train_.m) + " training sequences";
    // The theory assumes x_{t+1} = W x_t with W diagonal and unitary; a file's sequences may not
    // follow it (a rotated W, noise): then no prediction, and why.
    const DynamicsCheck dc = check_diagonal_dynamics(train_);
    const std::string seqs = std::to_string(dc.checked) + " training sequences";
    theory_.dynamics_diagonal = dc.diagonal;
    theory_.dynamics_source = "checked on the file's " + seqs;
    if (!dc.diagonal)
      theory_.dynamics_reason = "the file's sequences do not follow x_{t+1} = W x_t with W diagonal and unitary, which the theory "
                                "assumes: " + dc.why + ", checked on its " + seqs;
  } else {
    theory_ = theory_for(cfg_);
  }
  empirical_AB(train_, &theory_.A_emp, &theory_.B_emp);
  theory_.c_star_empirical = theory_.B_emp / theory_.A_emp;
  theory_.model_reason = model_->theory_reason();
  build_ode();
  if (external_) {
    awaiting_ = true;  // epoch 0 is recorded by the first feed()
    return;
  }
  // Epoch 0 is recorded at once, so a new session already has its first history row.
  if (refresh(cfg_.method == Method::GD && cfg_.epochs > 0)) record(loss_);
  if (cfg_.epochs == 0) done_ = true;
}

bool Session::exploded(double loss) const {
  return !std::isfinite(loss) || (first_loss_ > 0 && loss > 1e6 * first_loss_) || (first_loss_ == 0 && loss > 1e12);
}

void Session::fail(const std::string& why) {
  diverged_ = true;
  done_ = true;
  divergence_ = {epoch_, why, cfg_.lr, suggested_lr()};
  divergence_.flow = cfg_.method == Method::Flow;
}

double Session::suggested_lr() const {
  // The largest curvature along the training set's ODE (stability / lr): a step with stability
  // kFollowsTheFlow there follows the flow, and a smaller one covers only part of the path.
  double largest = 0;
  for (std::size_t e = 0; e < ode_emp_.stability.size(); ++e)
    largest = std::max(largest, ode_emp_.stability[e] / cfg_.lr);
  const double lr = largest > 0 ? kFollowsTheFlow / largest : cfg_.lr / 10;
  return std::min(lr, cfg_.lr / 2);  // a suggestion is always smaller
}

void Session::build_ode() {
  ode_ = OdePath{};
  ode_emp_ = OdePath{};
  if (cfg_.init != Init::Diagonal || *model_->theory_reason()) return;  // the ODE is the attention model's
  // The step size of each stretch of epochs: the first lr, then every change of it.
  std::vector<std::pair<int, double>> steps;
  for (const Change& c : hist_.changes)
    if (c.field == "lr") {
      if (steps.empty()) steps.push_back({0, std::strtod(c.from.c_str(), nullptr)});
      steps.push_back({c.epoch, std::strtod(c.to.c_str(), nullptr)});
    }
  if (steps.empty()) steps.push_back({0, cfg_.lr});
  for (auto [path, A, B] : {std::tuple{&ode_, theory_.A, theory_.B}, std::tuple{&ode_emp_, theory_.A_emp, theory_.B_emp}}) {
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const int from = std::min(steps[k].first, cfg_.epochs);
      const int to = k + 1 < steps.size() ? std::min(steps[k + 1].first, cfg_.epochs) : cfg_.epochs;
      const double a = path->a.empty() ? cfg_.a0 : path->a.back(), b = path->b.empty() ? cfg_.b0 : path->b.back();
      if (to > from || path->ab.empty()) path->extend(ode_path(a, b, A, B, cfg_.d, steps[k].second, to - from));
    }
  }
}

std::string describe(const Divergence& d, SettingSyntax syntax) {
  char lr[32], suggested[32], buf[200];
  std::snprintf(lr, sizeof lr, "%g", d.lr);
  std::snprintf(suggested, sizeof suggested, "%g", d.suggested_lr);
  std::snprintf(buf, sizeof buf, "diverged at epoch %d: ", d.epoch);
  if (d.epoch == 0 && d.data_max > 0) {  // the loss of the initial weights is already not finite
    char big[160];
    std::snprintf(big, sizeof big,
                  "the data overflow: values up to %.3g, whose powers (the loss has |x|^4) leave the range of a double; "
                  "scale the data down",
                  d.data_max);
    return buf + d.why + "; " + big;
  }
  // A suggestion is a valid value: positive, and not printed as 0 (a step that small is no step).
  const double shown_lr = std::strtod(suggested, nullptr);
  const bool step = std::isfinite(d.suggested_lr) && shown_lr > 0 && shown_lr < d.lr;
  std::string out = buf + d.why + "; the step size lr = " + lr + " is too large for this setting";
  if (step) out += ", try a smaller step such as " + syntax("lr", suggested);
  if (!d.flow) out += step ? " (or " + syntax("method", "flow") + ")" : ", try " + syntax("method", "flow");
  else if (!step) out += "; no smaller step is left to try: lower the scale of the data";
  return out;
}

void Session::record(double train_loss, const std::vector<double>& test_sums) {
  const Evaluation ev = test_sums.empty() ? model_->evaluate_test(params_, test_, cfg_.threads)
                                          : model_->combine_shard_sums(test_sums, test_.m, test_.d, nullptr);
  hist_.epoch.push_back(epoch_);
  hist_.train_loss.push_back(train_loss);
  hist_.test_loss.push_back(ev.loss);
  hist_.ratio.push_back(ev.ratio);
  hist_.last_mse.push_back(ev.last_mse);
  model_->push_structure(params_, hist_);  // ab, offdiag_kq, offdiag_pv, outside, ab_complex, ab_spread
  if (record_params_) hist_.params.push_back(params_);
}

bool Session::refresh(bool need_grad) { return accept(objective_(params_, need_grad ? &grad_ : nullptr), need_grad); }

bool Session::accept(double loss, bool need_grad) {
  loss_ = loss;
  if (need_grad) {
    ++grad_evals_;
    grad_at_params_ = true;
  }
  if (epoch_ == 0) first_loss_ = loss_;
  if (exploded(loss_) || (need_grad && !grad_.finite())) {
    char why[160];
    std::snprintf(why, sizeof why, "the training loss reached %g (it started at %g)", loss_, first_loss_);
    fail(why);
    // The initial weights' evaluation itself (before any step): the data's numbers, not the step
    // size (a flow whose first step collapses fails in run(), with no data_max).
    if (epoch_ == 0)
      for (const std::vector<double>* v : {&train_.re, &train_.im, &train_.x1_re, &train_.x1_im})
        for (double x : *v) divergence_.data_max = std::max(divergence_.data_max, std::fabs(x));
    return false;
  }
  return true;
}

void Session::feed(const std::vector<double>& train_sums, const std::vector<double>& test_sums) {
  if (!awaiting_) throw std::logic_error("Session::feed: no sums are awaited");
  const bool need_grad = wants_gradient(), eval = wants_test();
  // Throws before any state changes on records of the wrong size.
  if (!test_sums.empty() && test_sums.size() != static_cast<std::size_t>(kShards) * model_->record_size(test_.d, false))
    throw std::invalid_argument("Session::feed: test_sums must hold kShards forward-only records");
  // As Objective: the loss, and the gradient with the clip projection.
  const double loss = model_->combine_shard_sums(train_sums, train_.m, train_.d, need_grad ? &grad_ : nullptr).loss;
  if (need_grad && cfg_.clip) model_->clip(grad_);
  awaiting_ = false;
  if (!accept(loss, need_grad)) return;
  if (eval) record(loss_, test_sums);
  if (epoch_ == cfg_.epochs) done_ = true;
}

MesaView Session::mesa(int nseq) const {
  MesaView v = model_->mesa(params_, test_, nseq);
  if (model_->has_mesa()) add_baselines(&v, test_, cfg_, !from_file_);  // a file's test set: its own or held out of it
  return v;
}

Checkpoint Session::state() const {
  if (diverged_) throw std::logic_error("Session::checkpoint: the run diverged");
  Checkpoint cp;
  cp.epoch = epoch_;
  cp.params = params_;
  cp.first_loss = first_loss_;
  cp.flow_step = flow_.step_size();
  cp.gradient_evaluations = grad_evals_;
  cp.gradient_at_params = grad_at_params_;
  return cp;
}

Checkpoint Session::checkpoint() const {
  Checkpoint cp = state();
  cp.history = hist_;
  cp.history.params.clear();
  return cp;
}

bool Session::is_new() const { return epoch_ == 0 && hist_.epoch.size() <= 1 && !diverged_; }

Problem Session::resume_problem(const Checkpoint& cp) const {
  return is_new() ? check_checkpoint(cp, cfg_) : Problem{"checkpoint", "only a new session can resume", {}};
}

void Session::resume(const Checkpoint& cp) {
  if (!is_new()) throw std::logic_error("Session::resume: only a new session can resume");
  if (Problem p = check_checkpoint(cp, cfg_)) throw ConfigError(p);
  params_ = cp.params;
  epoch_ = cp.epoch;
  first_loss_ = cp.first_loss;
  flow_.set_step_size(cp.flow_step);
  hist_ = cp.history;
  hist_.params.clear();
  if (!hist_.changes.empty()) build_ode();  // the step sizes it trained with
  done_ = false;
  grad_at_params_ = false;
  // GD goes on from params_ with the gradient there, recomputed here (or brought by the next
  // feed()), which counts it. Recomputing what the checkpointed session held is not new work, so
  // it comes off the checkpoint's count; a gradient it had not taken (it stopped at its last
  // epoch) is new work, as in the uninterrupted run, and stays counted. A count of 0 holds none.
  const bool need_grad = cfg_.method == Method::GD && epoch_ < cfg_.epochs;
  const bool held = cp.gradient_at_params && cp.gradient_evaluations > 0;
  grad_evals_ = cp.gradient_evaluations - (need_grad && held ? 1 : 0);
  const bool eval = row_due();
  if (external_) {
    awaiting_ = epoch_ < cfg_.epochs || eval;
    done_ = !awaiting_;
    return;
  }
  if (need_grad || eval) {
    if (!refresh(need_grad)) return;
  }
  if (eval) record(loss_);
  if (epoch_ == cfg_.epochs) done_ = true;
}

int Session::run(int k) {
  if (external_) {
    if (awaiting_ || done_ || k <= 0) return 0;
    gd_step(*model_, params_, grad_, cfg_.lr, cfg_.clip, cfg_.precision);
    grad_at_params_ = false;
    ++epoch_;
    if (!params_.finite()) fail("the parameters are no longer finite");
    else awaiting_ = true;
    return 1;
  }
  int advanced = 0;
  while (advanced < k && !done_) {
    grad_at_params_ = false;  // params_ moves on
    if (cfg_.method == Method::GD) {
      gd_step(*model_, params_, grad_, cfg_.lr, cfg_.clip, cfg_.precision);  // grad_ was taken at params_
    } else {
      const long before = flow_.evaluations();
      const std::string err = flow_.advance(objective_, params_, cfg_.lr);
      grad_evals_ += flow_.evaluations() - before;
      round_to(params_, cfg_.precision);
      if (!err.empty()) {
        fail(err);
        break;
      }
    }
    ++epoch_;
    ++advanced;
    if (!params_.finite()) {
      fail("the parameters are no longer finite");
      break;
    }
    const bool last = epoch_ == cfg_.epochs;
    const bool eval = evaluated_now();
    // GD needs the gradient for its next step anyway, and it brings the loss along; the flow
    // computes the loss only where it is recorded.
    if (cfg_.method == Method::GD || eval) {
      if (!refresh(cfg_.method == Method::GD && !last)) break;
    }
    if (eval) record(loss_);
    if (last) done_ = true;
  }
  return advanced;
}

}  // namespace mesaflow
