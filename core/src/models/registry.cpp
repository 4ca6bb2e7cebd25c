// The registered models: one row per model, in the order of the model field's choices
// (config.cpp reads the names from here). Adding a model: its files under models/ and a row here.
#include "mesaflow/models/attention.hpp"
#include "mesaflow/models/layers.hpp"
#include "mesaflow/models/linear_map.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/models/softmax.hpp"

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

// The attention model's kinds: softmax (the attention field) and, with layers > 1, the L-layer
// stack (models/layers.hpp); layers 1 and attention linear is the one-layer model and its fused
// kernel, unchanged. config.cpp refuses softmax with layers > 1 and both with another model.
const Model& model_of(const Config& c) {
  const Model& model = *models().at(static_cast<std::size_t>(c.model));
  static const SoftmaxModel softmax;
  if (c.attention == Attention::Softmax && &model == models().front()) return softmax;
  if (c.layers > 1 && &model == models().front()) return layers_model(c.layers);
  return model;
}

const Model* find_model(const std::string& name) {
  for (const Model* m : models())
    if (name == m->name()) return m;
  return nullptr;
}

}  // namespace mesaflow
