// Training: full-batch gradient descent, or the gradient flow itself integrated with an
// adaptive Runge-Kutta scheme (Dormand-Prince 5(4), error control), over flow time lr * epochs.
#pragma once
#include <string>

#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

// Loss and gradient at the parameters; the clip option projects the gradient so that the
// off-diagonal entries of the red blocks stay zero.
struct Objective {
  const Dataset* train;
  int threads;
  bool clip;
  double operator()(const Params& p, Params* grad) const;
};

// One epoch of gradient descent: p -= lr * grad (grad taken at p), in double, then rounded to the
// run's precision (round_to).
void gd_step(Params& p, const Params& grad, double lr, bool clip, Precision precision);

// Integrates dp/dtau = -grad L(p) from tau to tau + span with error control.
class FlowIntegrator {
 public:
  FlowIntegrator(double rtol = 1e-7, double atol = 1e-10) : rtol_(rtol), atol_(atol) {}
  // Returns "" or an error (non-finite state, step size collapse).
  std::string advance(const Objective& f, Params& p, double span);
  long evaluations() const { return evaluations_; }
  long steps() const { return steps_; }
  // The step size the next advance() starts with (0: not chosen yet), and setting it, so that
  // a resumed run (Session::resume) takes the same steps as one never interrupted.
  double step_size() const { return h_; }
  void set_step_size(double h) { h_ = h; }

 private:
  double rtol_, atol_, h_ = 0;
  long evaluations_ = 0, steps_ = 0;
};

}  // namespace mesaflow
