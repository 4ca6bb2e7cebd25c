// The fast path: forward and backward passes fused in one scan per sequence, kLanes sequences
// at a time (structure of arrays), S_t kept Hermitian (upper triangle only). Same mathematics
// as reference.hpp; tests hold the two equal to 1e-12 relative.
//
// Work split: the packs are cut into kShards fixed shards; each shard's sums are formed in pack
// order and the shards are added in shard order, so the result is bit-identical for any number
// of threads (and natively and in WebAssembly, where there is one thread).
#pragma once
#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

constexpr int kShards = 32;

struct Evaluation {
  double loss = 0;      // 1/(2m) sum_seq sum_{t=2}^{T-1} ||y_hat_t - x_{t+1}||^2
  double ratio = 0;     // mean of Re(y_hat / x) at t = T-1 (target x_T) over non-zero coordinates
  double last_mse = 0;  // mean over sequences and coordinates of |y_hat - x|^2 at t = T-1
};

// Forward pass over the whole set; with grad != nullptr also the gradient (see reference.hpp).
Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads);

// Floating-point operations of one evaluate() call with gradient at (d, T, m), counted from the
// loops in kernel.cpp (a complex multiply-add = 8 flops); padding lanes excluded.
double epoch_flops(int d, int T, int m);

}  // namespace mesaflow
