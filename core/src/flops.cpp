#include "mesaflow/flops.hpp"

namespace mesaflow {

// Counted from the loops of pack_scan in kernel.cpp (see flops.hpp for the table). cmac: one
// complex multiply-add a += b c written out in real arithmetic, 4 multiplies + 4 adds = 8 flops.
namespace {
constexpr double kCmac = 8;
double state_flops(int d, int T) {  // S_t += e_t e_t^H on the upper triangle, t = 1..T-1
  const double D = 2.0 * d;
  return (T - 1) * D * (D + 1) / 2 * kCmac;
}
}  // namespace

double forward_flops(int d, int T, int m) {
  const double D = 2.0 * d;
  // A held-out set's pass (Pass::Test) carries A_t = W_PV S_t: p = W_PV e (dD) and A += p e^H (dD) at
  // t = 1..T-1; then u = W_KQ e (D^2), y = A u (dD) complex multiply-adds, and per coordinate
  // y / rho (2), y - x (2), |r|^2 (3), loss += (1).
  const double state = (T - 1) * 2.0 * d * D * kCmac;
  const double per_t = (D * D + d * D) * kCmac + 8.0 * d;
  return static_cast<double>(m) * (state + per_t * (T - 2));
}

double epoch_flops(int d, int T, int m) {
  const double D = 2.0 * d;
  // The forward products plus dW_PV += r v^H (dD), w = W_PV^H r (dD), z = S w (D^2),
  // dW_KQ += z e^H (D^2), and r / rho (2 per coordinate).
  const double per_t = (4 * D * D + 3 * d * D) * kCmac + 10.0 * d;
  return static_cast<double>(m) * (state_flops(d, T) + per_t * (T - 2));
}

}  // namespace mesaflow
