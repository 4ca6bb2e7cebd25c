// .npy bytes: parse_npy either throws NpyError or returns a Dataset that matches its header
// (shape in range, data length = m d T item size, every value finite and read from its place,
// the unused lanes of the last pack zero). Nothing else may escape.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_support.hpp"
#include "mesaflow/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mesaflow;
  const std::string b(reinterpret_cast<const char*>(data), size);
  Dataset ds;
  try {
    ds = parse_npy(b, 64.0 * 1024 * 1024);
  } catch (const NpyError&) {
    return 0;
  }
  fuzz::require(ds.m >= 1 && ds.m <= 10000000 && ds.d >= 1 && ds.d <= 32 && ds.T >= 3 && ds.T <= 100000,
                "shape out of range");
  fuzz::require(static_cast<double>(ds.m) * ds.d * ds.T * 16.0 <= 64.0 * 1024 * 1024, "over the byte budget");
  const int lanes = lanes_of(Precision::Double);
  const std::size_t n = static_cast<std::size_t>(ds.packs) * ds.T * ds.d * lanes;
  fuzz::require(ds.lanes == lanes && ds.packs == (ds.m + lanes - 1) / lanes && ds.re.size() == n && ds.im.size() == n,
                "buffer sizes");
  // The same bytes read in single: refused (a value beyond the float range) or the same shape with
  // every value the float nearest to the double one, in packs of 16.
  Dataset single;
  bool in_single = true;
  try {
    single = parse_npy(b, 64.0 * 1024 * 1024, Precision::Single);
  } catch (const NpyError&) {
    in_single = false;
  }
  if (in_single) {
    fuzz::require(single.m == ds.m && single.d == ds.d && single.T == ds.T && single.lanes == lanes_of(Precision::Single),
                  "single: another shape");
    for (int s = 0; s < ds.m; ++s)
      for (int t = 0; t < ds.T; ++t)
        for (int j = 0; j < ds.d; ++j) {
          const auto v = ds.x(s, t, j), f = single.x(s, t, j);
          fuzz::require(f.real() == static_cast<double>(static_cast<float>(v.real())) &&
                            f.imag() == static_cast<double>(static_cast<float>(v.imag())),
                        "single: not the nearest float");
        }
  }

  // Where the data starts, from the header length field (version 1: 2 bytes, 2 and 3: 4 bytes).
  const std::size_t hstart = data[6] == 1 ? 10 : 12;
  std::size_t hlen = 0;
  for (std::size_t i = 8; i < hstart; ++i) hlen |= static_cast<std::size_t>(data[i]) << (8 * (i - 8));
  const std::size_t count = static_cast<std::size_t>(ds.m) * ds.d * ds.T;
  const std::size_t payload = size - hstart - hlen;
  fuzz::require(payload == count * 16 || payload == count * 8, "data length does not match the shape");
  const std::size_t item = payload / count;

  // (m, d, T) C order: element (s, j, t) is at ((s d + j) T + t).
  const std::uint8_t* p = data + hstart + hlen;
  for (int s = 0; s < ds.m; ++s)
    for (int j = 0; j < ds.d; ++j)
      for (int t = 0; t < ds.T; ++t, p += item) {
        double re, im;
        if (item == 16) {
          std::memcpy(&re, p, 8);
          std::memcpy(&im, p + 8, 8);
        } else {
          float fr, fi;
          std::memcpy(&fr, p, 4);
          std::memcpy(&fi, p + 4, 4);
          re = fr;
          im = fi;
        }
        const auto v = ds.x(s, t, j);
        fuzz::require(std::isfinite(v.real()) && std::isfinite(v.imag()), "non-finite value accepted");
        fuzz::require(v.real() == re && v.imag() == im, "value not read from its place");
      }
  for (int s = ds.m; s < ds.packs * lanes; ++s)
    for (int t = 0; t < ds.T; ++t)
      for (int j = 0; j < ds.d; ++j)
        fuzz::require(ds.re[ds.index(s, t, j)] == 0 && ds.im[ds.index(s, t, j)] == 0, "padding lane not zero");
  return 0;
}
