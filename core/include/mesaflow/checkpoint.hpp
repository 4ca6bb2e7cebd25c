// What a session needs, besides its configuration and data, to go on exactly where another
// session with the same configuration stopped: Session::checkpoint() of the one, resume() of the
// other; the resumed run's numbers are the uninterrupted run's, bit for bit. (The browser keeps
// the latest checkpoint of every run, so a worker that dies loses at most one chunk of epochs.)
#pragma once
#include "mesaflow/config.hpp"
#include "mesaflow/history.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow {

struct Checkpoint {
  int epoch = 0;
  Weights params;           // after `epoch` epochs: the blocks of the configuration's model
  double first_loss = 0;    // training loss at epoch 0 (the reference of the divergence check)
  double flow_step = 0;     // method flow: the step size the integrator goes on with
  long gradient_evaluations = 0;
  // Whether the saved session held the gradient at params, counted in gradient_evaluations: true
  // for gd before its last epoch (it steps with that gradient next), false at the last epoch (no
  // step follows, so none was taken) and for the flow. resume() recomputes the gradient wherever
  // it steps on, and counts it only when it was not counted here: a run checkpointed at its end
  // and resumed with more epochs counts what the uninterrupted run counts. (The default keeps
  // the count of a checkpoint that does not say, e.g. the JS API's, as it is.)
  bool gradient_at_params = true;
  History history;          // rows up to `epoch` (History::params not needed)
};

// Whether cp can continue a run of configuration c; a problem names the part of cp
// ("checkpoint.epoch", "checkpoint.params", "checkpoint.history", ...).
Problem check_checkpoint(const Checkpoint& cp, const Config& c);

}  // namespace mesaflow
