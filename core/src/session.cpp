#include "mesaflow/session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "mesaflow/json.hpp"
#include "mesaflow/kernel.hpp"

namespace mesaflow {

Moments sample_moments(const Dataset& ds) {
  double sum[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x1(ds.d);
  for (int s = 0; s < ds.m; ++s) {
    for (int j = 0; j < ds.d; ++j) x1[j] = ds.x(s, 0, j);
    double v[5];
    draw_sums(x1.data(), ds.d, v);
    for (int k = 0; k < 5; ++k) sum[k] += v[k];
  }
  return {sum[0] / ds.m, sum[1] / ds.m, sum[2] / ds.m, sum[3] / ds.m, sum[4] / ds.m};
}

Theory theory_for(const Config& c) {
  return theory_from_moments(closed_moments(c.x1, c.scale, c.d), c.d, c.T, c.x1);
}

Session::Session(const Config& c, double budget, const Dataset* data, DataLayout layout, bool external_sums)
    : cfg_(c), external_(external_sums) {
  if (data) {
    cfg_.m = data->m;
    cfg_.d = data->d;
    cfg_.T = data->T;
  }
  const std::string err = validate(cfg_, budget, layout, data != nullptr);
  if (!err.empty()) throw ConfigError(err);
  if (external_ && cfg_.method != Method::GD) throw ConfigError("method: external sums need method gd");
  if (data) {
    train_ = *data;
    from_file_ = true;
  } else {
    train_ = generate_dataset(cfg_, cfg_.m, kTrainStream, layout);
  }
  test_ = generate_dataset(cfg_, cfg_.test_m, kTestStream, layout);
  params_ = init_params(cfg_);
  objective_ = Objective{&train_, cfg_.threads, cfg_.clip};

  theory_ = from_file_ ? theory_from_moments(sample_moments(train_), cfg_.d, cfg_.T, cfg_.x1) : theory_for(cfg_);
  empirical_AB(train_, &theory_.A_emp, &theory_.B_emp);
  theory_.c_star_empirical = theory_.B_emp / theory_.A_emp;
  if (cfg_.init == Init::Diagonal) {
    ode_ = mesaflow::ode_ab(cfg_.a0, cfg_.b0, theory_.A, theory_.B, cfg_.d, cfg_.lr, cfg_.epochs);
    ode_emp_ = mesaflow::ode_ab(cfg_.a0, cfg_.b0, theory_.A_emp, theory_.B_emp, cfg_.d, cfg_.lr, cfg_.epochs);
  }
  if (external_) {
    awaiting_ = true;  // epoch 0 is recorded by the first feed()
    return;
  }
  // Epoch 0 is recorded at once, so a new session already has its first history row.
  if (refresh(cfg_.method == Method::GD && cfg_.epochs > 0)) record(loss_);
  if (cfg_.epochs == 0) done_ = true;
}

ShardWorker::ShardWorker(const Config& c, double budget, DataLayout layout) : cfg_(c) {
  const std::string err = validate(cfg_, budget, layout, false);
  if (!err.empty()) throw ConfigError(err);
  train_ = generate_dataset(cfg_, cfg_.m, kTrainStream, layout);
  test_ = generate_dataset(cfg_, cfg_.test_m, kTestStream, layout);
}

void ShardWorker::train_sums(const Params& p, bool grad, int first, int last, std::vector<double>& out) const {
  shard_sums(p, train_, grad, first, last, cfg_.threads, out);
}

void ShardWorker::test_sums(const Params& p, int first, int last, std::vector<double>& out) const {
  shard_sums(p, test_, false, first, last, cfg_.threads, out);
}

bool Session::exploded(double loss) const {
  return !std::isfinite(loss) || (first_loss_ > 0 && loss > 1e6 * first_loss_) || (first_loss_ == 0 && loss > 1e12);
}

void Session::fail(const std::string& why) {
  diverged_ = true;
  done_ = true;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "diverged at epoch %d: %s; the step size lr = %g is too large for this setting, try a smaller "
                "step such as --lr %g (or --method flow)",
                epoch_, why.c_str(), cfg_.lr, cfg_.lr / 10);
  message_ = buf;
}

void Session::record(double train_loss, const std::vector<double>& test_sums) {
  const Evaluation ev = test_sums.empty() ? evaluate(params_, test_, nullptr, cfg_.threads)
                                          : combine_shard_sums(test_sums, test_.m, test_.d, nullptr);
  hist_.epoch.push_back(epoch_);
  hist_.train_loss.push_back(train_loss);
  hist_.test_loss.push_back(ev.loss);
  hist_.ab.push_back(ab_of(params_));
  hist_.ratio.push_back(ev.ratio);
  hist_.last_mse.push_back(ev.last_mse);
  if (record_params_) hist_.params.push_back(params_);
}

bool Session::refresh(bool need_grad) { return accept(objective_(params_, need_grad ? &grad_ : nullptr), need_grad); }

bool Session::accept(double loss, bool need_grad) {
  loss_ = loss;
  if (need_grad) ++grad_evals_;
  if (epoch_ == 0) first_loss_ = loss_;
  if (exploded(loss_) || (need_grad && !grad_.finite())) {
    char why[160];
    std::snprintf(why, sizeof why, "the training loss reached %g (it started at %g)", loss_, first_loss_);
    fail(why);
    return false;
  }
  return true;
}

void Session::feed(const std::vector<double>& train_sums, const std::vector<double>& test_sums) {
  if (!awaiting_) throw std::logic_error("Session::feed: no sums are awaited");
  const bool need_grad = wants_gradient(), eval = wants_test();
  // Throws before any state changes on records of the wrong size.
  if (!test_sums.empty() && test_sums.size() != static_cast<std::size_t>(kShards) * shard_record_size(test_.d, false))
    throw std::invalid_argument("Session::feed: test_sums must hold kShards forward-only records");
  // As Objective: the loss, and the gradient with the clip projection.
  const double loss = combine_shard_sums(train_sums, train_.m, train_.d, need_grad ? &grad_ : nullptr).loss;
  if (need_grad && cfg_.clip) clip_red_blocks(grad_);
  awaiting_ = false;
  if (!accept(loss, need_grad)) return;
  if (eval) record(loss_, test_sums);
  if (epoch_ == cfg_.epochs) done_ = true;
}

Checkpoint Session::checkpoint() const {
  if (diverged_) throw std::logic_error("Session::checkpoint: the run diverged");
  Checkpoint cp;
  cp.epoch = epoch_;
  cp.params = params_;
  cp.first_loss = first_loss_;
  cp.flow_step = flow_.step_size();
  cp.gradient_evaluations = grad_evals_;
  cp.history = hist_;
  cp.history.params.clear();
  return cp;
}

namespace {
// "" or what is wrong with cp for configuration c, naming the part ("checkpoint.epoch: ...").
std::string check_checkpoint(const Checkpoint& cp, const Config& c) {
  char buf[256];
  if (cp.epoch < 0 || cp.epoch > c.epochs) {
    std::snprintf(buf, sizeof buf, "checkpoint.epoch: %d is out of range [0, %d] (the configuration's epochs)", cp.epoch, c.epochs);
    return buf;
  }
  const int D = 2 * c.d;
  if (cp.params.wkq.rows() != D || cp.params.wkq.cols() != D || cp.params.wpv.rows() != c.d || cp.params.wpv.cols() != D ||
      !cp.params.finite()) {
    std::snprintf(buf, sizeof buf, "checkpoint.params: expected finite W_KQ (%d x %d) and W_PV (%d x %d) for d = %d", D, D, c.d,
                  D, c.d);
    return buf;
  }
  if (!std::isfinite(cp.first_loss) || cp.first_loss < 0) return "checkpoint.first_loss: expected a finite number >= 0";
  if (!std::isfinite(cp.flow_step) || cp.flow_step < 0) return "checkpoint.flow_step: expected a finite number >= 0";
  if (cp.gradient_evaluations < 0) return "checkpoint.gradient_evaluations: expected a count >= 0";
  const History& h = cp.history;
  const std::size_t n = h.epoch.size();
  if (h.train_loss.size() != n || h.test_loss.size() != n || h.ab.size() != n || h.ratio.size() != n || h.last_mse.size() != n)
    return "checkpoint.history: every column must have as many rows as epoch";
  for (std::size_t i = 0; i < n; ++i) {
    const double e = h.epoch[i];
    if (!(e >= 0 && e <= cp.epoch && e == std::floor(e)) || (i > 0 && !(e > h.epoch[i - 1]))) {
      std::snprintf(buf, sizeof buf, "checkpoint.history: epoch must be whole numbers rising from 0 to at most %d (row %zu)",
                    cp.epoch, i);
      return buf;
    }
  }
  return "";
}
}  // namespace

bool Session::is_new() const { return epoch_ == 0 && hist_.epoch.size() <= 1 && !diverged_; }

std::string Session::resume_error(const Checkpoint& cp) const {
  return is_new() ? check_checkpoint(cp, cfg_) : "resume: only a new session can resume";
}

void Session::resume(const Checkpoint& cp) {
  if (!is_new()) throw std::logic_error("Session::resume: only a new session can resume");
  const std::string err = check_checkpoint(cp, cfg_);
  if (!err.empty()) throw ConfigError(err);
  params_ = cp.params;
  epoch_ = cp.epoch;
  first_loss_ = cp.first_loss;
  flow_.set_step_size(cp.flow_step);
  hist_ = cp.history;
  hist_.params.clear();
  done_ = false;
  // Recomputing what the checkpointed session held (the loss and gradient at params_) is not new
  // work: the count goes on from the checkpoint's.
  grad_evals_ = cp.gradient_evaluations;
  const bool eval = row_due();
  if (external_) {
    awaiting_ = epoch_ < cfg_.epochs || eval;
    done_ = !awaiting_;
    return;
  }
  const bool need_grad = cfg_.method == Method::GD && epoch_ < cfg_.epochs;
  if (need_grad || eval) {
    if (!refresh(need_grad)) return;
    grad_evals_ = cp.gradient_evaluations;
  }
  if (eval) record(loss_);
  if (epoch_ == cfg_.epochs) done_ = true;
}

int Session::run(int k) {
  if (external_) {
    if (awaiting_ || done_ || k <= 0) return 0;
    gd_step(params_, grad_, cfg_.lr, cfg_.clip);
    ++epoch_;
    if (!params_.finite()) fail("the parameters are no longer finite");
    else awaiting_ = true;
    return 1;
  }
  int advanced = 0;
  while (advanced < k && !done_) {
    if (cfg_.method == Method::GD) {
      gd_step(params_, grad_, cfg_.lr, cfg_.clip);  // grad_ was taken at params_
    } else {
      const long before = flow_.evaluations();
      const std::string err = flow_.advance(objective_, params_, cfg_.lr);
      grad_evals_ += flow_.evaluations() - before;
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

std::string config_json(const Config& c) {
  JsonWriter w;
  w.begin_object();
  for (const auto& f : config_fields()) {
    w.key(f.key);
    const std::string v = get_field(c, f);
    if (f.type == FieldType::Enum) w.value(v);
    else if (f.type == FieldType::Bool) w.value(c.clip);
    else if (f.type == FieldType::Int) w.value(std::stoll(v));
    else w.value(std::stod(v));
  }
  w.end_object();
  return w.str();
}

static void write_theory(JsonWriter& w, const Theory& th) {
  w.key("M2").value(th.moments.M2).key("M4").value(th.moments.M4).key("M6").value(th.moments.M6);
  w.key("M24").value(th.moments.M24);
  w.key("A").value(th.A).key("B").value(th.B);
  w.key("c_star_T").value(th.c_star_T).key("c_star_inf").value(th.c_star_inf);
  if (th.A_emp > 0) w.key("c_star_empirical").value(th.c_star_empirical);
  else w.key("c_star_empirical").null();
  w.key("ratio_pred").value(th.ratio_pred);
  w.key("moment_ratio").value(th.moment_ratio);
  w.key("recovery").value(th.recovery);
}

std::string theory_json(const Theory& th, const std::vector<double>* epochs, const std::vector<double>* ode,
                        const std::vector<double>* ode_emp) {
  JsonWriter w;
  w.begin_object();
  write_theory(w, th);
  if (epochs && ode && !ode->empty()) {
    std::vector<double> a, b;
    for (double e : *epochs) {
      a.push_back((*ode)[static_cast<std::size_t>(e)]);
      if (ode_emp && !ode_emp->empty()) b.push_back((*ode_emp)[static_cast<std::size_t>(e)]);
    }
    w.key("ode_epoch").array(*epochs);
    w.key("ode_ab").array(a);
    if (ode_emp && !ode_emp->empty()) w.key("ode_ab_empirical").array(b);
  } else {
    w.key("ode_ab").null();
  }
  w.end_object();
  return w.str();
}

static void matrix(JsonWriter& w, const Eigen::MatrixXcd& m, bool imag) {
  w.begin_array();
  for (int i = 0; i < m.rows(); ++i) {
    w.begin_array();
    for (int j = 0; j < m.cols(); ++j) w.value(imag ? m(i, j).imag() : m(i, j).real());
    w.end_array();
  }
  w.end_array();
}

// {"wkq_re": [[...]], "wkq_im", "wpv_re", "wpv_im"}: row-major nested arrays.
static void write_params(JsonWriter& w, const Params& p) {
  w.begin_object();
  w.key("wkq_re");
  matrix(w, p.wkq, false);
  w.key("wkq_im");
  matrix(w, p.wkq, true);
  w.key("wpv_re");
  matrix(w, p.wpv, false);
  w.key("wpv_im");
  matrix(w, p.wpv, true);
  w.end_object();
}

std::string run_json(const Session& s, double wall_seconds, int mesa_nseq) {
  const History& h = s.history();
  std::string out = "{\"config\":" + config_json(s.config());
  out += ",\"data\":" + std::string(s.data_from_file() ? "\"file\"" : "\"generated\"");
  JsonWriter hw;
  hw.begin_object();
  hw.key("epoch").array(h.epoch).key("train_loss").array(h.train_loss).key("test_loss").array(h.test_loss);
  hw.key("ab").array(h.ab).key("ratio").array(h.ratio).key("last_mse").array(h.last_mse);
  if (!h.params.empty()) {
    hw.key("params").begin_array();
    for (const Params& p : h.params) write_params(hw, p);
    hw.end_array();
  }
  hw.end_object();
  out += ",\"history\":" + hw.str();
  out += ",\"theory\":" + theory_json(s.theory(), &h.epoch, &s.ode_ab(), &s.ode_ab_empirical());
  JsonWriter fw;
  write_params(fw, s.params());
  out += ",\"final\":" + fw.str();
  JsonWriter mw;
  if (mesa_nseq > 0 && !s.diverged()) {
    const MesaView v = s.mesa(mesa_nseq);
    mw.begin_object();
    mw.key("nseq").value(std::min(mesa_nseq, s.test().m));
    mw.key("t").array(v.t).key("model").array(v.model).key("gd1").array(v.gd1).key("ls").array(v.ls);
    mw.key("true_w").array(v.true_w).key("gap").array(v.gap);
    mw.end_object();
  } else {
    mw.null();
  }
  out += ",\"mesa\":" + mw.str();
  JsonWriter tail;
  tail.begin_object();
  tail.key("diverged").value(s.diverged());
  tail.key("message").value(s.message());
  tail.key("gradient_evaluations").value(static_cast<long long>(s.gradient_evaluations()));
  tail.key("wall_seconds").value(wall_seconds);
  tail.end_object();
  out += "," + tail.str().substr(1);  // splice the last keys into the outer object
  return out;
}

}  // namespace mesaflow
