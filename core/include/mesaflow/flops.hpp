// The work of the kernel (kernel.hpp) in floating-point operations: what the benchmarks divide
// by, what the time budget (budget.hpp) estimates from. Depends on nothing, so both can use it.
#pragma once

namespace mesaflow {

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
// forward_flops: a held-out set's pass (Pass::Test) carries A_t = W_PV S_t instead of S_t,
// A_t = A_{t-1} + (W_PV e_t) e_t^H (2dD cmac per position), and y = A_t (W_KQ e_t) (D^2 + dD):
//   m [8 (T-1) 2dD + (T-2) (8 (D^2 + dD) + 8d)] = 2.007e9 (the S_t form: 2.435e9).
// Not counted (< 1%): one division 1/rho per position, the last-position ratio, the lane and
// shard sums, and, for regenerated data, x_{t+1} = lambda x_t (6d flops per position).
double epoch_flops(int d, int T, int m);
double forward_flops(int d, int T, int m);

}  // namespace mesaflow
