// Whether a data set's sequences follow the process the theory assumes (core/THEORY.md §1),
// x_{t+1} = W x_t with W diagonal and unitary in the given basis, checked from the data: the
// theory's predictions for data read from a file are given only where they pass (Session).
#pragma once
#include <string>

#include "mesaflow/dataset.hpp"

namespace mesaflow {

// Relative tolerance of the check, the same for both precisions: a token of a complex64 file (or
// of a single-precision run) carries a relative rounding of at most 2^-24 ~ 6e-8 per part, so a
// step's modulus ratio and its factor x_{t+1} / x_t, formed from two tokens, are off by at most
// ~4e-7 on exactly diagonal unitary data: 1e-4 leaves a margin of 250. A double run may train on a
// complex64 file (converted, its rounding kept), so double cannot be tighter. A W that mixes
// coordinates by an angle phi changes |x_tj| by O(phi) per step and fails for phi above ~1e-4; one
// closer to diagonal than that passes (its effect on the predictions is of that order too).
constexpr double kDiagonalTolerance = 1e-4;

struct DynamicsCheck {
  bool diagonal = true;  // every sequence passed
  long checked = 0;      // sequences checked (all of the set)
  std::string why;       // the first violation in words ("" when diagonal)
};

// Every coordinate j of every sequence keeps its modulus (| |x_{t+1,j}| / |x_{t,j}| - 1 | <= tol)
// and turns by the factor of its first step (|x_{t+1,j} / x_{t,j} - x_{2,j} / x_{1,j}| <= tol); a
// coordinate that starts at 0 (below 1e-9 of the set's largest modulus) stays 0. Non-finite
// tokens fail. O(m T d).
DynamicsCheck check_diagonal_dynamics(const Dataset& ds, double tol = kDiagonalTolerance);

}  // namespace mesaflow
