// exp computed by the project (models/exp.cpp), not by the platform's libm: glibc natively and
// Emscripten's musl (or the JS engine) may round exp differently in the last bit, and the softmax
// model must give the same bits natively and in WebAssembly. Plain double arithmetic, no FMA
// (contraction is off in core/), one operation order: identical on every IEEE-754 target.
#pragma once

namespace mesaflow {

// e^x for any double x: relative error below 1e-15 against std::exp where the result is normal
// (tests/native/test_softmax.cpp), 0 below the subnormal range, +inf above 709.78, NaN for NaN.
double portable_exp(double x);

}  // namespace mesaflow
