// The fast path: forward and backward passes fused in one scan per sequence, kLanes sequences
// at a time (structure of arrays), S_t kept Hermitian (upper triangle only). Same mathematics
// as reference.hpp; tests hold the two equal to 1e-12 relative.
//
// Work split: the packs are cut into kShards fixed shards; each shard's sums are formed in pack
// order and the shards are added in shard order, so the result is bit-identical for any number
// of threads (and natively and in WebAssembly, where there is one thread).
#pragma once
#include <vector>

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
// = combine_shard_sums(shard_sums(all shards)): the one summation path.
Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads);

// The same computation split across processes (the browser's Web Workers): each computes the
// sums of some shards, one gathers all kShards records in shard order and combines them. The
// result equals evaluate() bit for bit, however the shards were split.
//
// One record per shard, shard_record_size(d, grad) doubles, D = 2d:
//   [loss, ratio, ratio_count, last, gk_re (D, D), gk_im (D, D), gp_re (d, D), gp_im (d, D)]
// (the four sums only, without grad): unscaled sums over the shard's sequences, formed in pack
// order; gk = sum z e^H, gp = sum (r / rho) v^H.
int shard_record_size(int d, bool grad);
// The records of shards [first_shard, last_shard) into out (resized).
void shard_sums(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                std::vector<double>& out);
// Adds kShards records (shard order) and scales them as evaluate() does; the gradient into
// *grad when grad != nullptr (then the records must carry gradients). m, d: of the data set.
Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Params* grad);

// Floating-point operations of one evaluate() call at (d, T, m), counted from the loops in
// kernel.cpp; padding lanes excluded. D = 2d. A complex multiply-add (cmac) a += b c, written out
// in real arithmetic, is 4 multiplies + 4 adds = 8 flops. Per sequence:
//   state   S_t += e_t e_t^H, upper triangle     D(D+1)/2 cmac   for each t = 1..T-1
//   forward u = W_KQ e_t                         D^2 cmac        for each t = 2..T-1
//           v = S_t u                            D^2 cmac
//           y = W_PV v                           dD cmac
//           r = y / rho - x_{t+1}, |r|^2, sum    8d flops
//   backward dW_PV += (r / rho) v^H              dD cmac
//           w = W_PV^H (r / rho)                 dD cmac
//           z = S_t w                            D^2 cmac
//           dW_KQ += z e_t^H                     D^2 cmac
//           r / rho                              2d flops
// epoch_flops = m [8 (T-1) D(D+1)/2 + (T-2) (8 (4D^2 + 3dD) + 10d)]
//             = 4.797e9 at the paper's d = 5, T = 100, m = 10,000 (479,660 per sequence).
// forward_flops (grad == nullptr) = m [8 (T-1) D(D+1)/2 + (T-2) (8 (2D^2 + dD) + 8d)] = 2.435e9.
// Not counted (< 1%): one division 1/rho per position, the last-position ratio, the lane and
// shard sums, and, for regenerated data, x_{t+1} = lambda x_t (6d flops per position).
double epoch_flops(int d, int T, int m);
double forward_flops(int d, int T, int m);

}  // namespace mesaflow
