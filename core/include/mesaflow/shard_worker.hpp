// The data sets of a session for a configuration (drawn as Session draws them) and nothing else:
// each Web Worker of the browser's parallel path holds one and computes the shard sums that a
// Session with external sums is fed (session.hpp).
#pragma once
#include <vector>

#include "mesaflow/budget.hpp"
#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

class ShardWorker {
 public:
  // Validates c (throws ConfigError, session.hpp) and draws the sets.
  explicit ShardWorker(const Config& c, double memory_budget = kNativeMemoryBudget,
                       DataLayout layout = kGeneratedLayout);
  // Records of shards [first, last) (kernel.hpp) at p: on the training set, with gradients if
  // grad; on the test set, forward only.
  void train_sums(const Params& p, bool grad, int first, int last, std::vector<double>& out) const;
  void test_sums(const Params& p, int first, int last, std::vector<double>& out) const;
  const Config& config() const { return cfg_; }

 private:
  Config cfg_;
  Dataset train_, test_;
};

}  // namespace mesaflow
