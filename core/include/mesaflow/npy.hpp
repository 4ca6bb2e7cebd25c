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
// The same from an array already in memory (a NumPy array's buffer, read in place: the one copy is
// into the set's own layout): shape (m, d, T), element (s, j, t) at base + s * strides[0] +
// j * strides[1] + t * strides[2] bytes, each `item` bytes (16: complex128, 8: complex64). The
// same checks and words as parse_npy's, "array" in place of ".npy"; max_bytes bounds the set.
std::string array_to_dataset(const char* base, int item, const long long shape[3], const long long strides[3],
                             double max_bytes, Dataset* out, Precision precision = Precision::Double);

// A matrix (rows, cols) row-major from .npy bytes: float64, float32, complex128 or complex64, C
// order, 2 dimensions (the W of process fixed, process.hpp). "" or what is wrong.
struct NpyMatrix {
  int rows = 0, cols = 0;
  std::vector<double> re, im;
};
std::string parse_npy_matrix(const std::string& bytes, NpyMatrix* out);

}  // namespace mesaflow
