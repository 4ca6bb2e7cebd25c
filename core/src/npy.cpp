#include "mesaflow/npy.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "mesaflow/atomic_file.hpp"

namespace mesaflow {

namespace {

const char kMagic[] = "\x93NUMPY";

std::string header_dict(const Dataset& ds) {
  std::ostringstream h;
  h << "{'descr': '" << (ds.precision == Precision::Single ? "<c8" : "<c16") << "', 'fortran_order': False, 'shape': (" << ds.m << ", " << ds.d << ", " << ds.T << "), }";
  std::string s = h.str();
  // Pad with spaces so the data starts at a multiple of 64 bytes, then a newline.
  const std::size_t total = 10 + s.size() + 1;
  s.append((64 - total % 64) % 64, ' ');
  s += '\n';
  return s;
}

// Finds the value text after 'key': in the header dict, into *value; "" or what is wrong.
std::string dict_value(const std::string& h, const std::string& key, std::string* value) {
  const std::string k = "'" + key + "'";
  const std::size_t p = h.find(k);
  if (p == std::string::npos) return ".npy header: missing '" + key + "'";
  if (h.find(k, p + k.size()) != std::string::npos)  // NumPy would keep the last: ambiguous, refused
    return ".npy header: the key '" + key + "' is repeated";
  std::size_t q = h.find(':', p + k.size());
  if (q == std::string::npos) return ".npy header: malformed entry '" + key + "'";
  ++q;
  while (q < h.size() && h[q] == ' ') ++q;
  std::size_t end = q;
  if (q < h.size() && h[q] == '(') {
    end = h.find(')', q);
    if (end == std::string::npos) return ".npy header: unterminated shape";
    *value = h.substr(q, end - q + 1);
    return "";
  }
  while (end < h.size() && h[end] != ',' && h[end] != '}') ++end;
  *value = h.substr(q, end - q);
  return "";
}

}  // namespace

void write_npy(const std::string& path, const Dataset& ds) {
  AtomicFile f(path);  // the old file stays until every byte is written and synced
  if (!f.error().empty()) throw NpyError(f.error());
  const std::string h = header_dict(ds);
  f.write(kMagic, 6);
  const unsigned char ver[2] = {1, 0};
  f.write(ver, 2);
  const std::uint16_t len = static_cast<std::uint16_t>(h.size());
  const unsigned char lenb[2] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>(len >> 8)};
  f.write(lenb, 2);
  f.write(h);
  const bool single = ds.precision == Precision::Single;
  std::vector<double> row(2 * static_cast<std::size_t>(ds.T));
  std::vector<float> row32(row.size());
  std::vector<double> re(static_cast<std::size_t>(ds.T) * ds.d), im(re.size());  // (T, d) one sequence
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, re.data(), im.data());
    for (int j = 0; j < ds.d; ++j) {  // (m, d, T), C order: t fastest
      for (int t = 0; t < ds.T; ++t) {
        row[2 * t] = re[t * ds.d + j];
        row[2 * t + 1] = im[t * ds.d + j];
      }
      if (single) {  // the set's numbers are floats: complex64 holds them exactly
        for (std::size_t k = 0; k < row.size(); ++k) row32[k] = static_cast<float>(row[k]);
        f.write(row32.data(), row32.size() * 4);
      } else {
        f.write(row.data(), row.size() * 8);
      }
    }
  }
  if (!f.error().empty() || !f.commit()) throw NpyError(f.error());
}

namespace {

// The header dict of .npy bytes b into *h and where the data starts: "" or what is wrong.
std::string header_text(const std::string& b, std::string* h, std::size_t* data_start) {
  if (b.size() < 10 || std::memcmp(b.data(), kMagic, 6) != 0) return "not a .npy file (bad magic)";
  const int major = static_cast<unsigned char>(b[6]);
  std::size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(b[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(b[9])) << 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) return ".npy file truncated in its header";
    hlen = 0;
    for (int i = 0; i < 4; ++i) hlen |= static_cast<std::size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    hstart = 12;
  } else {
    return ".npy version " + std::to_string(major) + " is not supported (1, 2 or 3)";
  }
  if (hlen > 1 << 20 || hstart + hlen > b.size()) return ".npy file truncated in its header";
  *h = b.substr(hstart, hlen);
  *data_start = hstart + hlen;
  return "";
}

// C order and the shape of header dict h, into *dims (and its text into *shape): "" or what is wrong.
std::string shape_dims(const std::string& h, std::vector<long long>* dims_out, std::string* shape_out) {
  std::string fortran;
  std::string& shape = *shape_out;
  if (std::string e = dict_value(h, "fortran_order", &fortran); !e.empty()) return e;
  if (fortran != "False") return ".npy file is in Fortran order; expected C order";
  if (std::string e = dict_value(h, "shape", &shape); !e.empty()) return e;
  std::vector<long long>& dims = *dims_out;
  dims.clear();
  {
    std::size_t i = 1;
    while (i < shape.size()) {
      while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
      if (i >= shape.size() || shape[i] == ')') break;
      if (shape[i] < '0' || shape[i] > '9') return ".npy shape " + shape.substr(0, 40) + " is malformed";
      long long v = 0;
      while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9') {
        v = v * 10 + (shape[i] - '0');
        if (v > (1LL << 40)) return ".npy shape has a dimension that is too large";
        ++i;
      }
      dims.push_back(v);
    }
  }
  return "";
}

}  // namespace

namespace {

// (m, d, T) against the ranges a set may have; "" or what is wrong, after `what` (".npy", "array").
std::string check_shape(const char* what, long long m, long long d, long long T) {
  const std::string w = what;
  if (m < 1 || m > 10000000) return w + " shape: m = " + std::to_string(m) + " out of range [1, 10000000]";
  if (d < 1 || d > 32) return w + " shape: d = " + std::to_string(d) + " out of range [1, 32]";
  if (T < 3 || T > 100000) return w + " shape: T = " + std::to_string(T) + " out of range [3, 100000]";
  return "";
}

// The set's values into *out, element (s, j, t) at base + s * strides[0] + j * strides[1] +
// t * strides[2] bytes, `item` bytes each (16: complex128, 8: complex64); finite, and within the
// float range in single. The one decoding of a set's numbers: .npy bytes and arrays in place.
std::string decode_set(const char* what, const char* base, int item, long long m, long long d, long long T,
                       const long long strides[3], Dataset* out, Precision precision) {
  const std::string w = what;
  Dataset& ds = *out = Dataset(static_cast<int>(m), static_cast<int>(T), static_cast<int>(d), DataLayout::Tokens, precision);
  const bool single = precision == Precision::Single;
  for (long long s = 0; s < m; ++s)
    for (long long j = 0; j < d; ++j)
      for (long long t = 0; t < T; ++t) {
        const char* p = base + s * strides[0] + j * strides[1] + t * strides[2];
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
        if (!std::isfinite(re) || !std::isfinite(im))
          return w + " data has a non-finite value at sequence " + std::to_string(s) + ", coordinate " +
                 std::to_string(j) + ", position " + std::to_string(t);
        if (single) {
          re = nearest_float(re);
          im = nearest_float(im);
          if (!std::isfinite(re) || !std::isfinite(im))
            return w + " data has a value beyond the float range (3.4e38) at sequence " + std::to_string(s) +
                   ", coordinate " + std::to_string(j) + ", position " + std::to_string(t) + "; use precision double";
        }
        ds.set(static_cast<int>(s), static_cast<int>(t), static_cast<int>(j), {re, im});
      }
  return "";
}

std::string budget_problem(const char* what, double need, double max_bytes, const char* beside) {
  if (need <= max_bytes) return "";
  char buf[240];
  std::snprintf(buf, sizeof buf, "%s data needs about %.2f GiB decoded%s, more than the budget of %.2f GiB", what,
                need / 1073741824.0, beside, max_bytes / 1073741824.0);
  return buf;
}

}  // namespace

std::string parse_npy(const std::string& b, double max_bytes, Dataset* out, Precision precision) {
  std::string h, descr;
  std::size_t data_start = 0;
  if (std::string e = header_text(b, &h, &data_start); !e.empty()) return e;
  if (std::string e = dict_value(h, "descr", &descr); !e.empty()) return e;
  int item = 0;
  if (descr == "'<c16'" || descr == "'=c16'") item = 16;
  else if (descr == "'<c8'" || descr == "'=c8'") item = 8;
  else return ".npy dtype " + descr.substr(0, 20) + " is not supported: expected complex128 '<c16' or complex64 '<c8'";
  std::vector<long long> dims;
  std::string shape;
  if (std::string e = shape_dims(h, &dims, &shape); !e.empty()) return e;
  if (dims.size() != 3) return ".npy shape " + shape.substr(0, 40) + " must have 3 dimensions (m, d, T)";
  const long long m = dims[0], d = dims[1], T = dims[2];
  if (std::string e = check_shape(".npy", m, d, T); !e.empty()) return e;
  // The decoded set (16 bytes a number) held beside the file's bytes while it is decoded.
  const double need = static_cast<double>(m) * d * T * 16.0 + static_cast<double>(b.size());
  if (std::string e = budget_problem(".npy", need, max_bytes, " (with the file's bytes)"); !e.empty()) return e;
  const std::size_t count = static_cast<std::size_t>(m * d * T);
  if (b.size() - data_start != count * item)
    return ".npy data size " + std::to_string(b.size() - data_start) + " bytes does not match shape (expected " +
                   std::to_string(count * item) + ")";
  const long long strides[3] = {d * T * item, T * item, item};  // C order
  return decode_set(".npy", b.data() + data_start, item, m, d, T, strides, out, precision);
}

std::string array_to_dataset(const char* base, int item, const long long shape[3], const long long strides[3],
                             double max_bytes, Dataset* out, Precision precision) {
  if (item != 16 && item != 8) return "array items of " + std::to_string(item) + " bytes: expected complex128 or complex64";
  const long long m = shape[0], d = shape[1], T = shape[2];
  if (std::string e = check_shape("array", m, d, T); !e.empty()) return e;
  if (std::string e = budget_problem("array", static_cast<double>(m) * d * T * 16.0, max_bytes, ""); !e.empty()) return e;
  return decode_set("array", base, item, m, d, T, strides, out, precision);
}

std::string parse_npy_matrix(const std::string& b, NpyMatrix* out) {
  std::string h, descr;
  std::size_t data_start = 0;
  if (std::string e = header_text(b, &h, &data_start); !e.empty()) return e;
  if (std::string e = dict_value(h, "descr", &descr); !e.empty()) return e;
  int item = 0;
  bool complex = false;
  if (descr == "'<f8'" || descr == "'=f8'") item = 8;
  else if (descr == "'<f4'" || descr == "'=f4'") item = 4;
  else if (descr == "'<c16'" || descr == "'=c16'") item = 16, complex = true;
  else if (descr == "'<c8'" || descr == "'=c8'") item = 8, complex = true;
  else
    return ".npy dtype " + descr.substr(0, 20) +
           " is not supported: expected float64 '<f8', float32 '<f4', complex128 '<c16' or complex64 '<c8'";
  std::vector<long long> dims;
  std::string shape;
  if (std::string e = shape_dims(h, &dims, &shape); !e.empty()) return e;
  if (dims.size() != 2) return ".npy shape has " + std::to_string(dims.size()) + " dimensions; expected 2 (d, d)";
  if (dims[0] > 4096 || dims[1] > 4096) return ".npy shape is too large for a matrix W (d <= 32)";
  const std::size_t count = static_cast<std::size_t>(dims[0] * dims[1]);
  if (b.size() - data_start != count * item)
    return ".npy data size " + std::to_string(b.size() - data_start) + " bytes does not match shape (expected " +
           std::to_string(count * item) + ")";
  out->rows = static_cast<int>(dims[0]);
  out->cols = static_cast<int>(dims[1]);
  out->re.assign(count, 0.0);
  out->im.assign(count, 0.0);
  const char* p = b.data() + data_start;
  for (std::size_t k = 0; k < count; ++k, p += item) {
    if (item == 16 || (item == 8 && !complex)) {
      std::memcpy(&out->re[k], p, 8);
      if (complex) std::memcpy(&out->im[k], p + 8, 8);
    } else {
      float fr = 0, fi = 0;
      std::memcpy(&fr, p, 4);
      if (complex) std::memcpy(&fi, p + 4, 4);
      out->re[k] = fr;
      out->im[k] = fi;
    }
  }
  return "";
}

Dataset parse_npy(const std::string& bytes, double max_bytes, Precision precision) {
  Dataset ds;
  if (std::string e = parse_npy(bytes, max_bytes, &ds, precision); !e.empty()) throw NpyError(e);
  return ds;
}

Dataset read_npy(const std::string& path, double max_bytes, Precision precision) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw NpyError("cannot open '" + path + "'");
  if (!S_ISREG(st.st_mode)) throw NpyError("'" + path + "' is not a regular file (a directory or a device?)");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NpyError("cannot open '" + path + "'");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0) throw NpyError("cannot read '" + path + "'");
  if (static_cast<double>(size) > max_bytes + (1 << 20)) throw NpyError("'" + path + "' is larger than the memory budget");
  f.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  f.read(bytes.data(), size);
  if (!f) throw NpyError("cannot read '" + path + "'");
  return parse_npy(bytes, max_bytes, precision);
}

}  // namespace mesaflow
