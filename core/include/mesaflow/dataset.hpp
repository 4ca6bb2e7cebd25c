// A set of m sequences x_1..x_T in C^d, held in the layout the kernel reads:
// packs of kLanes sequences, lane index fastest, real and imaginary parts apart
// (structure of arrays, so one SIMD register holds the same entry of several sequences).
#pragma once
#include <complex>
#include <cstdint>
#include <vector>

#include "mesaflow/config.hpp"

namespace mesaflow {

constexpr int kLanes = 8;  // sequences per pack

struct Dataset {
  int m = 0, T = 0, d = 0;
  int packs = 0;           // ceil(m / kLanes); missing lanes of the last pack are zero
  std::vector<double> re;  // (packs, T, d, kLanes)
  std::vector<double> im;  // (packs, T, d, kLanes)

  Dataset() = default;
  Dataset(int m, int T, int d);
  std::size_t index(int s, int t, int j) const {  // s: sequence, t: 0-based token, j: coordinate
    return ((static_cast<std::size_t>(s / kLanes) * T + t) * d + j) * kLanes + s % kLanes;
  }
  std::complex<double> x(int s, int t, int j) const { return {re[index(s, t, j)], im[index(s, t, j)]}; }
  void set(int s, int t, int j, std::complex<double> v) {
    re[index(s, t, j)] = v.real();
    im[index(s, t, j)] = v.imag();
  }
};

// m sequences of the AR process x_{t+1} = W x_t, W = diag(e^{i theta}), x_1 ~ c.x1.
// Sequence i depends only on (c.seed, stream, i); streams: 0 training, 1 test.
Dataset generate_dataset(const Config& c, int m, std::uint64_t stream);

enum Stream : std::uint64_t { kTrainStream = 0, kTestStream = 1, kInitStream = 2 };

}  // namespace mesaflow
