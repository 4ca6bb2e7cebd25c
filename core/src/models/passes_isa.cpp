// The plain passes (layer_scan.hpp, softmax_scan.hpp) with this compilation's vectors:
// MESAFLOW_SCAN_BYTES of doubles, one sequence per lane (kernel_isa.hpp: 64 bytes for AVX-512, 32
// for AVX2, 16 for SSE2, NEON and wasm). Compiled once per instruction set with the kernel
// (core/CMakeLists.txt); the headers' code stays the build's baseline, the scans' between
// MESAFLOW_KERNEL_BEGIN and _END.
#include <algorithm>
#include <complex>
#include <limits>
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/models/attention.hpp"
#include "mesaflow/models/exp.hpp"
#include "mesaflow/models/model.hpp"
#include "passes_isa.hpp"
#include "shard_threads.hpp"
#include "../scalar_loops.hpp"
#include "../kernel_isa.hpp"  // after the headers whose names it must not rename

MESAFLOW_KERNEL_BEGIN
#include "layer_scan.hpp"
#include "softmax_scan.hpp"

namespace mesaflow {

void layers_shard_sums(const Weights& w, int L, const Dataset& ds, bool grad, int first_shard, int last_shard,
                       int threads, int rec, std::vector<double>& out) {
  scan_shards<SeqLanes<MESAFLOW_SCAN_BYTES>::V>(w, L, ds, grad, first_shard, last_shard, threads, rec, out);
}
void softmax_shard_sums(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                        int rec, std::vector<double>& out) {
  softmax_scan_shards<SeqLanes<MESAFLOW_SCAN_BYTES>::V>(p, ds, grad, first_shard, last_shard, threads, rec, out);
}
Eigen::MatrixXcd layers_predict_lanes(const Weights& w, int L, const Dataset& ds, int s) {
  LayerScan<SeqLanes<MESAFLOW_SCAN_BYTES>::V> sc(w, L, ds.d, ds.T);
  sc.load(ds, s, 1);
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(ds.d, ds.T);  // column-major: column t0 at t0 * d
  sc.run(false, y.data());
  return y;
}
Eigen::MatrixXcd softmax_predict_lanes(const Params& p, const Dataset& ds, int s) {
  SoftmaxScan<SeqLanes<MESAFLOW_SCAN_BYTES>::V> sc(ds.T, ds.d);
  sc.load(ds, s, 1);
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(ds.d, ds.T);  // column-major: column t at t * d
  sc.run(SoftmaxWeights(p), false, y.data());
  return y;
}

}  // namespace mesaflow
MESAFLOW_KERNEL_END
