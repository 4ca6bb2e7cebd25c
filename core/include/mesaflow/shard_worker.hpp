// The data sets of a session for a configuration (drawn as Session draws them) and nothing else:
// each Web Worker of the browser's parallel path holds one and computes the shard sums that a
// Session with external sums is fed (session.hpp).
#pragma once
#include <vector>

#include "mesaflow/budget.hpp"
#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

class ShardWorker {
 public:
  // Validates c (throws ConfigError, session.hpp) and draws the sets.
  explicit ShardWorker(const Config& c, double memory_budget = kNativeMemoryBudget,
                       DataLayout layout = kGeneratedLayout);
  // Records of shards [first, last) (the model's, models/model.hpp) at p: on the training set, with gradients if
  // grad; on the test set, forward only.
  void train_sums(const Weights& p, bool grad, int first, int last, std::vector<double>& out) const;
  void test_sums(const Weights& p, int first, int last, std::vector<double>& out) const;
  const Model& model() const { return *model_; }
  const Config& config() const { return cfg_; }

 private:
  Config cfg_;
  const Model* model_ = nullptr;
  Dataset train_, test_;
};

}  // namespace mesaflow
