// The registered models: one row per model, in the order of the model field's choices
// (config.cpp reads the names from here). Adding a model: its files under models/ and a row here.
#include "mesaflow/models/attention.hpp"
#include "mesaflow/models/layers.hpp"
#include "mesaflow/models/linear_map.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

const std::vector<const Model*>& models() {
  static const AttentionModel attention;
  static const LinearMapModel linear_map;
  static const std::vector<const Model*> all = {
      &attention,   // "attention": the paper's one-layer linear attention (the default)
      &linear_map,  // "linear-map": y_hat_t = A x_t, the no-attention baseline
  };
  return all;
}

// Model attention with layers > 1: the L-layer stack (models/layers.hpp); layers 1 is the one-layer
// model and its fused kernel, unchanged.
const Model& model_of(const Config& c) {
  const Model& m = *models().at(static_cast<std::size_t>(c.model));
  if (c.layers > 1 && &m == models()[0]) return layers_model(c.layers);
  return m;
}

const Model* find_model(const std::string& name) {
  for (const Model* m : models())
    if (name == m->name()) return m;
  return nullptr;
}

}  // namespace mesaflow
