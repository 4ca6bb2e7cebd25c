// The fast path: forward and backward passes fused in one scan per sequence, one pack of
// sequences at a time (structure of arrays), S_t kept Hermitian (upper triangle only). Same
// mathematics as reference.hpp; tests hold the two equal to 1e-12 relative.
//
// Precision (the data set's): double, 8 sequences per pack; or single, 16 per pack, where the
// data, the parameters (rounded to float on the way in), S_t and every product of the scan are
// floats, and so are each sequence's own sums over its positions (its loss and its gradient
// terms, as a float32 network would form them); the sums over sequences, within and across
// shards, are doubles: m = 10,000 float terms in a float sum would lose about 4 digits.
//
// Work split: the packs are cut into kShards fixed shards; each shard's sums are formed in pack
// order and the shards are added in shard order, so the result is bit-identical for any number
// of threads (and natively and in WebAssembly, where there is one thread).
#pragma once
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/flops.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

constexpr int kShards = 32;

struct Evaluation {
  double loss = 0;      // 1/(2m) sum_seq sum_{t=2}^{T-1} ||y_hat_t - x_{t+1}||^2
  double ratio = 0;     // mean of Re(y_hat / x) at t = T-1 (target x_T) over non-zero coordinates
  double last_mse = 0;  // mean over sequences and coordinates of |y_hat - x|^2 at t = T-1
};

// What a pass over a data set computes. Gradient: the loss and its gradient (training).
// Forward: the loss alone, in the gradient pass's arithmetic (S_t carried), so that it equals
// that pass's loss bit for bit (the last epoch's training loss, the flow's step control).
// Test: a held-out set's loss, with W_PV S_t carried instead of S_t (flops.hpp: 18% fewer
// flops at d = 5); the same sums in another order, equal to Forward up to rounding.
enum class Pass { Gradient, Forward, Test };

// Forward pass over the whole set; with grad != nullptr also the gradient (see reference.hpp).
// = combine_shard_sums(shard_sums(all shards)): the one summation path.
Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads);
// A held-out set's pass (Pass::Test) = combine_shard_sums(shard_sums(all shards, Pass::Test)).
Evaluation evaluate_test(const Params& p, const Dataset& ds, int threads);

// The same computation split across processes (the browser's Web Workers): each computes the
// sums of some shards, one gathers all kShards records in shard order and combines them. The
// result equals evaluate() bit for bit, however the shards were split.
//
// One record per shard, shard_record_size(d, grad) doubles, D = 2d:
//   [loss, ratio, ratio_count, last, gk_re (D, D), gk_im (D, D), gp_re (d, D), gp_im (d, D)]
// (the four sums only, without grad): unscaled sums over the shard's sequences, formed in pack
// order; gk = sum z e^H, gp = sum (r / rho) v^H.
int shard_record_size(int d, bool grad);
// The register shape the scan runs in (kernel.cpp, ScanShape); the same bits in every shape.
// Build: this build's (natively 64-byte vectors, a row of a product per step; WebAssembly's
// below). Narrow: WebAssembly's (16-byte vectors, two rows per step), compiled natively too, for
// the generic kernel, so that the native tests and sanitizers run that code.
enum class Scan { Build, Narrow };
// The records of shards [first_shard, last_shard) into out (resized).
void shard_sums(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                std::vector<double>& out, Scan scan = Scan::Build);
// Adds kShards records (shard order) and scales them as evaluate() does; the gradient into
// *grad when grad != nullptr (then the records must carry gradients). m, d: of the data set.
Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Params* grad);

// Its floating-point operations are counted in flops.hpp.

}  // namespace mesaflow
