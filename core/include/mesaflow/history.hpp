// What a run records at each evaluation (epoch 0, every eval_every epochs, and the last epoch).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "mesaflow/json.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

// A field of a running session changed from an epoch on (Session::change): lr, epochs,
// eval-every, clip or method, with its value before and after, as text.
struct Change {
  int epoch = 0;
  std::string field, from, to;
};

struct History {
  std::vector<double> epoch, train_loss, test_loss, ab, ratio, last_mse;
  // ab and these: the attention model's (model.hpp's Structure); NaN, null in JSON, for a model
  // without them (Model::push_structure).
  std::vector<double> offdiag_kq, offdiag_pv, outside, ab_complex, ab_spread;
  // ab of each layer at each evaluation, layer 1 first (Model::push_structure; empty rows for a
  // model without layers). Not one of the columns(): a list per row.
  std::vector<std::vector<double>> ab_layers;
  std::vector<Weights> params;  // one per evaluation when Session::record_params(true)
  std::vector<Change> changes; // in the order made

  // The columns of numbers, by their JSON names, in the order documents list them.
  using Column = std::vector<double> History::*;
  static const std::vector<std::pair<const char*, Column>>& columns();
  std::size_t rows() const { return epoch.size(); }
};

// {epoch (integers), train_loss, test_loss, ab, ratio, last_mse, offdiag_kq, offdiag_pv, outside,
// ab_complex, ab_spread, ab_layers (a list per row; null when its rows do not match epoch's, as
// after resuming a checkpoint without them), params (only when recorded), changes (only when made: [{epoch, field, from, to}])}.
void to_json(Json& j, const History& h);

}  // namespace mesaflow
