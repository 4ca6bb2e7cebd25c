// Private to the core: what the vector scans of the plain passes (layer_scan.hpp, softmax_scan.hpp)
// share: the sequences of a shard, and a sequence's sums added into its shard's record. In an
// anonymous namespace, as the scans are: each instruction set's compilation keeps its own copy.
#pragma once
#include <algorithm>
#include <utility>

#include "mesaflow/dataset.hpp"
#include "mesaflow/kernel.hpp"  // kShards
#include "../scalar_loops.hpp"  // lane

namespace mesaflow {
namespace {

// The sequences [first, end) of shard s: those of its packs (kernel.hpp's split), in order.
inline std::pair<int, int> shard_sequences(const Dataset& ds, int s) {
  const int first = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards) * ds.lanes;
  const int end = std::min(ds.m, static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards) * ds.lanes);
  return {first, end};
}

// Lane k's loss, last-position error and ratio terms (Re(y_hat conj(x)) / |x|^2 over the d
// coordinates with |x|^2 > 0, only where the sequence has a last position) into the record
// o = [loss, ratio, ratio_count, last, ...], as one sequence's scan adds them.
template <class V, class Vs>
void add_sequence_sums(double* o, int k, bool has_last, int d, const V& loss, const V& last_sq, const Vs& ratio_term,
                       const Vs& ratio_xx) {
  if (has_last) {
    for (int i = 0; i < d; ++i)
      if (scalar::lane(ratio_xx[i], k) > 0.0) {
        o[1] += scalar::lane(ratio_term[i], k);
        o[2] += 1;
      }
    o[3] += scalar::lane(last_sq, k);
  }
  o[0] += scalar::lane(loss, k);
}

}  // namespace
}  // namespace mesaflow
