#include "mesaflow/checkpoint.hpp"

#include <cmath>
#include <cstdio>

#include "mesaflow/fields.hpp"

namespace mesaflow {

Problem check_checkpoint(const Checkpoint& cp, const Config& c) {
  char buf[256];
  if (cp.epoch < 0 || cp.epoch > c.epochs) {
    std::snprintf(buf, sizeof buf, "%d is out of range [0, %d] (the configuration's epochs)", cp.epoch, c.epochs);
    return {"checkpoint.epoch", buf, {}};
  }
  if (const std::string want = model_of(c).check_weights(cp.params, c.d); !want.empty()) return {"checkpoint.params", want, {}};
  if (!std::isfinite(cp.first_loss) || cp.first_loss < 0) return {"checkpoint.first_loss", "expected a finite number >= 0", {}};
  if (!std::isfinite(cp.flow_step) || cp.flow_step < 0) return {"checkpoint.flow_step", "expected a finite number >= 0", {}};
  if (cp.gradient_evaluations < 0) return {"checkpoint.gradient_evaluations", "expected a count >= 0", {}};
  const History& h = cp.history;
  const std::size_t n = h.rows();
  for (const auto& [name, col] : History::columns())
    if ((h.*col).size() != n) return {"checkpoint.history", "every column must have as many rows as epoch", {}};
  // Each layer's ab (history.ab_layers): none (a checkpoint without it), or a row per epoch row
  // with one number per layer of the model.
  if (!h.ab_layers.empty()) {
    const std::size_t layers = model_of(c).layer_weights(cp.params).size();
    if (h.ab_layers.size() != n) return {"checkpoint.history", "ab_layers must have as many rows as epoch (or none)", {}};
    for (const std::vector<double>& row : h.ab_layers)
      if (row.size() != layers) {
        std::snprintf(buf, sizeof buf, "ab_layers must have %zu numbers per row (the model's layers)", layers);
        return {"checkpoint.history", buf, {}};
      }
  }
  for (const Change& ch : h.changes) {
    Config probe = c;
    const FieldSpec* f = find_field(ch.field);
    if (!(ch.epoch >= 1 && ch.epoch <= cp.epoch) || !f || set_field(probe, ch.field, ch.from) || set_field(probe, ch.field, ch.to)) {
      std::snprintf(buf, sizeof buf, "a change must be at an epoch in [1, %d] and name a field and two of its values", cp.epoch);
      return {"checkpoint.history.changes", buf, {}};
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double e = h.epoch[i];
    if (!(e >= 0 && e <= cp.epoch && e == std::floor(e)) || (i > 0 && !(e > h.epoch[i - 1]))) {
      std::snprintf(buf, sizeof buf, "epoch must be whole numbers rising from 0 to at most %d (row %zu)", cp.epoch, i);
      return {"checkpoint.history", buf, {}};
    }
  }
  return {};
}

}  // namespace mesaflow
