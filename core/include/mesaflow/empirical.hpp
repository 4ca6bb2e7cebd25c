// What the theory needs, measured on a data set instead of taken from a closed form.
#pragma once
#include "mesaflow/dataset.hpp"
#include "mesaflow/families.hpp"

namespace mesaflow {

// Moments of x_1 measured on a data set's first tokens (for data read from a file), and
// Assumption 4.1's mixed moments into *mixed when given.
Moments sample_moments(const Dataset& ds, MixedMoments* mixed = nullptr);

// Empirical A and B of the diagonal family from a data set: with
//   g_t = (1/(t-1)) sum_{i=2}^{t} x_i x_{i-1}^H x_t   (the prediction at ab = 1),
//   A_emp = (1/m) sum_seq sum_t ||g_t||^2,  B_emp = (1/m) sum_seq sum_t Re<g_t, x_{t+1}>,
// and c_star_empirical = B_emp / A_emp minimises the training loss in the family.
void empirical_AB(const Dataset& ds, double* A, double* B);

}  // namespace mesaflow
