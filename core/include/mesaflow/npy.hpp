// Training sets as NumPy .npy files: complex128 (complex64 for a set in single precision), shape
// (m, d, T), C order (the layout of the authors' code). Reading accepts both, into a set of the
// given precision: in single, complex64 numbers as they are and complex128 ones rounded to float. Every malformed or mismatched file gets an
// error naming what is wrong (thrown as NpyError).
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "mesaflow/dataset.hpp"

namespace mesaflow {

struct NpyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void write_npy(const std::string& path, const Dataset& ds);
// max_bytes: refuse files whose data would exceed it (before allocating).
Dataset read_npy(const std::string& path, double max_bytes, Precision precision = Precision::Double);
// The same from bytes in memory (used by the file reader and by the fuzz target).
Dataset parse_npy(const std::string& bytes, double max_bytes, Precision precision = Precision::Double);
// Without exceptions (the WebAssembly build has none): into *out, and "" or what is wrong, the
// same words as NpyError's.
std::string parse_npy(const std::string& bytes, double max_bytes, Dataset* out, Precision precision = Precision::Double);

// A matrix (rows, cols) row-major from .npy bytes: float64, float32, complex128 or complex64, C
// order, 2 dimensions (the W of process fixed, process.hpp). "" or what is wrong.
struct NpyMatrix {
  int rows = 0, cols = 0;
  std::vector<double> re, im;
};
std::string parse_npy_matrix(const std::string& bytes, NpyMatrix* out);

}  // namespace mesaflow
