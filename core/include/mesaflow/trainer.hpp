// Training: full-batch gradient descent, or the gradient flow itself integrated with an
// adaptive Runge-Kutta scheme (Dormand-Prince 5(4), error control), over flow time lr * epochs.
#pragma once
#include <string>

#include "mesaflow/dataset.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

// Loss and gradient of the model at the weights; the clip option projects the gradient onto the
// model's constrained family (Model::clip: the attention model's red blocks stay diagonal).
struct Objective {
  const Model* model;
  const Dataset* train;
  int threads;
  bool clip;
  double operator()(const Weights& p, Weights* grad) const;
};

// One epoch of gradient descent: p -= lr * grad (grad taken at p) block by block, in double,
// projected by the clip option, then rounded to the run's precision (round_to).
void gd_step(const Model& model, Weights& p, const Weights& grad, double lr, bool clip, Precision precision);

// Integrates dp/dtau = -grad L(p) (any model: p as to_vector's real vector) from tau to tau + span with error control.
class FlowIntegrator {
 public:
  FlowIntegrator(double rtol = 1e-7, double atol = 1e-10) : rtol_(rtol), atol_(atol) {}
  // Returns "" or an error (non-finite state, step size collapse).
  std::string advance(const Objective& f, Weights& p, double span);
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
