// Private to the core: the plain passes (Model::plain_passes: the L-layer and the softmax
// models) with the vectors of the instruction set kernel_dispatch.cpp chose for the kernel
// (passes_isa.cpp, compiled once per set as kernel.cpp is: kernel_isa.hpp). Every set gives the
// same bits (layer_scan.hpp, softmax_scan.hpp).
#pragma once
#include <vector>

#include <Eigen/Dense>

#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

// The records of shards [first_shard, last_shard) into out (rec numbers each, zeroed): of layers L
// (LayersModel::shard_sums), of the softmax model with weights p (SoftmaxModel::shard_sums).
void layers_shard_sums(const Weights& w, int L, const Dataset& ds, bool grad, int first_shard, int last_shard,
                       int threads, int rec, std::vector<double>& out);
void softmax_shard_sums(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                        int rec, std::vector<double>& out);
// Sequence s's predictions (d, T): column t - 1 holds y_hat_t for t = 2..T-1, the others zero
// (layers_predict's and softmax_predict's layout), by the same scans (the sequence in lane 0).
Eigen::MatrixXcd layers_predict_lanes(const Weights& w, int L, const Dataset& ds, int s);
Eigen::MatrixXcd softmax_predict_lanes(const Params& p, const Dataset& ds, int s);

}  // namespace mesaflow
