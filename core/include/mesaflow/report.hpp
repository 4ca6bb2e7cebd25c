// The JSON documents a run is reported in (schema in core/cli/README.md), composed of the to_json of
// each part: the CLI's --out document, one line of a sweep, and the theory object with the ODE.
#pragma once
#include <vector>

#include "mesaflow/json.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/theory.hpp"

namespace mesaflow {

// The theory object; with epochs, also the ODE of ab at those epochs: ode_epoch, ode_ab (population
// A, B) and ode_ab_empirical (training set's A, B, when given). Without an ODE, "ode_ab": null.
Json theory_json(const Theory& th, const std::vector<double>* epochs = nullptr, const std::vector<double>* ode = nullptr,
                 const std::vector<double>* ode_emp = nullptr);

// {config, data, history, theory, final, mesa, vanilla_gd, diverged, message, gradient_evaluations,
// wall_seconds, mesaflow (the version)};
// mesa is null when mesa_nseq is 0 or the run diverged; message in the front end's syntax.
// view: s.mesa(mesa_nseq) when the caller has it already (the CLI's summary prints it too), so the
// view, by far the costliest part of the document, is computed once; nullptr: computed here.
Json run_json(const Session& s, double wall_seconds, int mesa_nseq, SettingSyntax syntax, const MesaView* view = nullptr);

// One finished run of a sweep: {run, config, data, epochs_done, ab, test_loss, ratio, last_mse
// (at the last evaluation), c_star_T, c_star_inf, c_star_empirical, ratio_pred, moment_ratio,
// recovery, applies, last_mse_pred, verdict, diverged, message, wall_seconds, mesaflow}; the theory's keys are
// null where its predictions do not apply, as in the theory object.
Json sweep_json(const Session& s, long run, double wall_seconds, SettingSyntax syntax);

}  // namespace mesaflow
