// The baselines of the mesa view that need the run's configuration (core/THEORY.md §10), added to
// a model's view by Session::mesa:
//   ridge      : ridge regression on the context, W_t = C_t (G_t + lambda I)^{-1} with
//                C_t = sum_{i=2}^t x_i x_{i-1}^H, G_t = sum_{i=2}^t x_{i-1} x_{i-1}^H (lambda: the
//                field ridge; 0 is the least-squares ls, through the pseudo-inverse);
//   true_w     : for generated sets, the sequence's own W (r W, as drawn: the first numbers of its
//                generator), replacing the whole-sequence fit, which for noisy processes fits the
//                noise too; for a file, the fit stays (no W is known);
//   noise_floor: sigma_eps^2 d at every position, the expected error of the true W, E||sigma eps||^2.
// And the last position of each curve, per coordinate (comparable with last_mse).
#pragma once
#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/mesa.hpp"

namespace mesaflow {

// v was computed on the first v.nseq sequences of ds; generated: ds is c's test set, drawn from
// (c.seed, stream) by generate_dataset.
void add_baselines(MesaView* v, const Dataset& ds, const Config& c, bool generated, std::uint64_t stream = kTestStream);

// {ridge_lambda, noise, model, ls, ridge, true_w, gd1, gd_best, noise_floor, gd_steps,
// gd_steps_causal, gd_worth}: the last position (t = T-1) of each curve divided by d (null without
// a view; gd1 null where the view has none); gd_steps, gd_steps_causal: the 4 K-step GD errors
// (K = 1..4) so divided; gd_worth: the view's (a number of steps, or null).
Json last_position_baselines(const MesaView& v, const Config& c);

}  // namespace mesaflow
