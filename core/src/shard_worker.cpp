#include "mesaflow/shard_worker.hpp"

#include "mesaflow/session.hpp"

namespace mesaflow {

ShardWorker::ShardWorker(const Config& c, double budget, DataLayout layout) : cfg_(c) {
  if (Problem p = validate(cfg_, budget, layout, false)) throw ConfigError(p);
  model_ = &model_of(cfg_);
  train_ = generate_dataset(cfg_, cfg_.m, kTrainStream, layout);
  test_ = generate_dataset(cfg_, cfg_.test_m, kTestStream, layout);
}

void ShardWorker::train_sums(const Weights& p, bool grad, int first, int last, std::vector<double>& out) const {
  model_->shard_sums(p, train_, grad ? Pass::Gradient : Pass::Forward, first, last, cfg_.threads, out);
}

void ShardWorker::test_sums(const Weights& p, int first, int last, std::vector<double>& out) const {
  model_->shard_sums(p, test_, Pass::Test, first, last, cfg_.threads, out);
}

}  // namespace mesaflow
