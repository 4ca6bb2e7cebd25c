// Session::change: the fields a running session takes from the current epoch on.
#include <cmath>

#include "mesaflow/session.hpp"

namespace mesaflow {

const std::vector<std::string>& Session::live_fields() {
  static const std::vector<std::string> names = {"lr", "epochs", "eval-every", "clip", "method", "threads"};
  return names;
}

bool Session::changes_live(const FieldSpec& f) {
  for (const std::string& live : live_fields())
    if (f.name == live) return true;
  return false;
}

Problem Session::change(const std::string& name, const std::string& text) {
  const FieldSpec* f = find_field(name);
  if (!f) return {"", "unknown option " + shown(name), {}};
  if (!changes_live(*f))
    return {f->name, "defines the data or the start of the run, so a new value takes a new run (restart it)", {}};
  if (diverged_) return {f->name, "the run diverged: start a new one", {}};
  Config next = cfg_;
  if (Problem p = set_field(next, f->name, text)) return p;
  if (next.epochs < epoch_)
    return {"epochs", shown(text) + " is not valid; expected at least the " + std::to_string(epoch_) + " epochs already trained", {}};
  if (external_ && next.method != Method::GD) return {"method", "the parallel path (external sums) needs method gd", {}};
  const std::string from = get_field(cfg_, *f), to = get_field(next, *f);
  if (from == to) return {};
  // Before the first step a change only sets the run up: nothing to mark.
  if (epoch_ > 0) hist_.changes.push_back({epoch_, f->name, from, to});
  const Config old = cfg_;
  cfg_ = next;
  objective_.clip = cfg_.clip;
  theory_.clip = cfg_.clip;
  if (cfg_.lr != old.lr || cfg_.epochs != old.epochs) build_ode();
  if (diverged_) return {};
  // A run that was done goes on when it has more epochs; one cut to the epochs it has done ends
  // here, with its history row.
  done_ = epoch_ >= cfg_.epochs;
  if (external_) {
    // Sums again when the gradient must be taken anew (clip changed its projection, or the run
    // goes on past its old end), or this epoch's row is due.
    if ((!done_ && (old.clip != cfg_.clip || old.epochs <= epoch_)) || row_due()) awaiting_ = true;
    if (awaiting_) done_ = false;
    return {};
  }
  // GD steps with the gradient at the current weights, taken as the options now say (the clip
  // projection): recomputed when the method, clip or the end changed.
  const bool gd = cfg_.method == Method::GD;
  const bool need_grad = gd && !done_ && (old.method != Method::GD || old.clip != cfg_.clip || old.epochs <= epoch_);
  const bool eval = row_due();
  if (need_grad || eval) {
    if (!refresh(need_grad)) return {};
  }
  if (eval) record(loss_);
  return {};
}

}  // namespace mesaflow
