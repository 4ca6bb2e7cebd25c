#include "mesaflow/process.hpp"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include <Eigen/Dense>

#include "mesaflow/dataset.hpp"
#include "mesaflow/mesa.hpp"
#include "mesaflow/npy.hpp"

namespace mesaflow {

namespace {

// Gram-Schmidt, twice, on the columns of the (d, d) row-major matrix re + i im (im null: real), in
// place: the Q of the QR decomposition whose R has a positive real diagonal. Real arithmetic on
// separate arrays, in a fixed order (the same bits natively and in WebAssembly).
void orthonormalise_columns(int d, double* re, double* im) {
  for (int k = 0; k < d; ++k) {
    for (int pass = 0; pass < 2; ++pass)
      for (int i = 0; i < k; ++i) {
        double pr = 0, pi = 0;  // q_i^H v
        for (int j = 0; j < d; ++j) {
          const double qr = re[j * d + i], qi = im ? im[j * d + i] : 0, vr = re[j * d + k], vi = im ? im[j * d + k] : 0;
          pr += qr * vr + qi * vi;
          pi += qr * vi - qi * vr;
        }
        for (int j = 0; j < d; ++j) {  // v -= (q_i^H v) q_i
          const double qr = re[j * d + i], qi = im ? im[j * d + i] : 0;
          re[j * d + k] -= pr * qr - pi * qi;
          if (im) im[j * d + k] -= pr * qi + pi * qr;
        }
      }
    double n2 = 0;
    for (int j = 0; j < d; ++j) n2 += re[j * d + k] * re[j * d + k] + (im ? im[j * d + k] * im[j * d + k] : 0);
    const double n = std::sqrt(n2);  // R_kk > 0 (a Ginibre matrix is singular with probability 0)
    for (int j = 0; j < d; ++j) {
      re[j * d + k] /= n;
      if (im) im[j * d + k] /= n;
    }
  }
}

// The sign of the determinant of a real (d, d) row-major matrix (LU with partial pivoting on a copy).
int determinant_sign(int d, const double* q) {
  std::vector<double> a(q, q + static_cast<std::size_t>(d) * d);
  int sign = 1;
  for (int k = 0; k < d; ++k) {
    int p = k;
    for (int i = k + 1; i < d; ++i)
      if (std::fabs(a[i * d + k]) > std::fabs(a[p * d + k])) p = i;
    if (a[p * d + k] == 0) return 0;
    if (p != k) {
      for (int j = 0; j < d; ++j) std::swap(a[k * d + j], a[p * d + j]);
      sign = -sign;
    }
    if (a[k * d + k] < 0) sign = -sign;
    for (int i = k + 1; i < d; ++i) {
      const double f = a[i * d + k] / a[k * d + k];
      for (int j = k; j < d; ++j) a[i * d + j] -= f * a[k * d + j];
    }
  }
  return sign;
}

// The unitary law's W = U diag(lambda) U^H: U Haar (2 d^2 normals), then d phases.
void unitary_w(int d, Rng& rng, double* re, double* im) {
  std::vector<double> ur(static_cast<std::size_t>(d) * d), ui(ur.size()), lr(d), li(d);
  haar_unitary(d, rng, ur.data(), ui.data());
  for (int k = 0; k < d; ++k) rng.unit_phase(lr[k], li[k]);
  for (int j = 0; j < d; ++j)
    for (int l = 0; l < d; ++l) {
      double sr = 0, si = 0;  // sum_k U_jk lambda_k conj(U_lk)
      for (int k = 0; k < d; ++k) {
        const double ar = ur[j * d + k] * lr[k] - ui[j * d + k] * li[k];  // U_jk lambda_k
        const double ai = ur[j * d + k] * li[k] + ui[j * d + k] * lr[k];
        const double br = ur[l * d + k], bi = -ui[l * d + k];  // conj(U_lk)
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      re[j * d + l] = sr;
      im[j * d + l] = si;
    }
}

std::string dims_text(int d) { return "(" + std::to_string(d) + ", " + std::to_string(d) + ")"; }

}  // namespace

void haar_unitary(int d, Rng& rng, double* re, double* im) {
  const double s = std::sqrt(0.5);  // Z_jk = (N + i N) / sqrt 2: E|Z_jk|^2 = 1 (Q does not depend on it)
  for (int j = 0; j < d * d; ++j) {
    re[j] = s * rng.normal();
    im[j] = s * rng.normal();
  }
  orthonormalise_columns(d, re, im);
}

void haar_special_orthogonal(int d, Rng& rng, double* q) {
  for (int j = 0; j < d * d; ++j) q[j] = rng.normal();
  orthonormalise_columns(d, q, nullptr);
  if (determinant_sign(d, q) < 0)
    for (int j = 0; j < d; ++j) q[j * d] = -q[j * d];
}

void process_fixed_w(const Config& c, std::vector<double>* re, std::vector<double>* im) {
  const std::size_t n = static_cast<std::size_t>(c.d) * c.d;
  if (!c.w_re.empty()) {
    *re = c.w_re;
    *im = c.w_im.empty() ? std::vector<double>(n, 0.0) : c.w_im;
    return;
  }
  re->assign(n, 0.0);
  im->assign(n, 0.0);
  Rng rng(c.seed, kProcessStream, 0);
  unitary_w(c.d, rng, re->data(), im->data());
}

void draw_w(const Config& c, Rng& rng, double* re, double* im) {
  const int d = c.d;
  for (int j = 0; j < d * d; ++j) re[j] = im[j] = 0.0;
  switch (c.process) {
    case Process::Diagonal:
      for (int j = 0; j < d; ++j) rng.unit_phase(re[j * d + j], im[j * d + j]);
      break;
    case Process::Unitary: unitary_w(d, rng, re, im); break;
    case Process::Orthogonal: haar_special_orthogonal(d, rng, re); break;
    case Process::Rotation:
      for (int b = 0; 2 * b + 1 < d; ++b) {
        double cs, sn;
        rng.unit_phase(cs, sn);
        const int i = 2 * b;
        re[i * d + i] = cs;
        re[i * d + i + 1] = -sn;
        re[(i + 1) * d + i] = sn;
        re[(i + 1) * d + i + 1] = cs;
      }
      if (d % 2 == 1) re[(d - 1) * d + d - 1] = 1.0;
      break;
    case Process::Fixed: {
      std::vector<double> r, i;
      process_fixed_w(c, &r, &i);
      for (int j = 0; j < d * d; ++j) re[j] = r[j], im[j] = i[j];
      break;
    }
  }
}

bool real_w(const Config& c) {
  if (c.process == Process::Orthogonal || c.process == Process::Rotation) return true;
  if (c.process != Process::Fixed || c.w_re.empty()) return false;
  for (double v : c.w_im)
    if (v != 0) return false;
  return true;
}

bool real_noise(const Config& c) { return real_w(c) && c.x1 != X1Family::UnitPhase; }

bool regenerable(const Config& c) { return c.process == Process::Diagonal && c.noise == 0; }

double spectral_norm(int d, const double* re, const double* im) {
  Eigen::MatrixXcd w(d, d);
  for (int j = 0; j < d; ++j)
    for (int k = 0; k < d; ++k) w(j, k) = {re[j * d + k], im ? im[j * d + k] : 0.0};
  // The largest singular value: the square root of W^H W's largest eigenvalue (mesa.cpp's Jacobi;
  // Eigen's SVD would add a quarter to the page's download).
  return std::sqrt(std::max(0.0, hermitian_eigen(w.adjoint() * w).maxCoeff()));
}

Problem check_process(const Config& c) {
  const bool has_w = !c.w_re.empty() || !c.w_file.empty();
  if (has_w && c.process != Process::Fixed)
    return {"w-file", "a W file applies to process fixed only (the process is " + std::string(to_string(c.process)) + ")",
            {"process"}};
  if (c.w_re.empty()) return {};
  const std::size_t n = static_cast<std::size_t>(c.d) * c.d;
  if (c.w_re.size() != n || (!c.w_im.empty() && c.w_im.size() != n)) {
    const int file_d = static_cast<int>(std::lround(std::sqrt(static_cast<double>(c.w_re.size()))));
    return {"w-file", "W has shape " + dims_text(file_d) + "; the run has d = " + std::to_string(c.d) + ": expected shape " + dims_text(c.d),
            {"d"}};
  }
  for (std::size_t k = 0; k < n; ++k) {
    const double re = c.w_re[k], im = c.w_im.empty() ? 0.0 : c.w_im[k];
    const std::string at = "entry (" + std::to_string(k / c.d) + ", " + std::to_string(k % c.d) + ")";
    if (!std::isfinite(re) || !std::isfinite(im)) return {"w-file", "W has a non-finite " + at, {}};
    if (c.precision == Precision::Single && (!std::isfinite(nearest_float(re)) || !std::isfinite(nearest_float(im))))
      return {"w-file", "W has " + at + " beyond the float range (3.4e38); use precision double", {"precision"}};
  }
  const double norm = c.radius * spectral_norm(c.d, c.w_re.data(), c.w_im.empty() ? nullptr : c.w_im.data());
  const double most = c.precision == Precision::Single ? 3.0 : 30.0;  // log10 of the growth allowed
  const double growth = (c.T - 1) * std::log10(norm);
  if (!(growth <= most)) {
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "||radius W||_2 = %.6g: over T - 1 = %d steps the tokens can grow by 10^%.3g, more than 10^%.0f (%s; the "
                  "loss has degree 6 in the tokens and would overflow); scale W down, lower radius or T",
                  norm, c.T - 1, growth, most, c.precision == Precision::Single ? "single" : "double");
    return {"w-file", buf, {"radius", "T"}};
  }
  return {};
}

std::string parse_w_npy(const std::string& bytes, Config* c) {
  NpyMatrix mat;
  if (std::string e = parse_npy_matrix(bytes, &mat); !e.empty()) return e;
  if (mat.rows != mat.cols)
    return ".npy shape (" + std::to_string(mat.rows) + ", " + std::to_string(mat.cols) + ") is not square: W must be (d, d)";
  if (mat.rows < 1 || mat.rows > 32) return ".npy shape: d = " + std::to_string(mat.rows) + " out of range [1, 32]";
  for (std::size_t k = 0; k < mat.re.size(); ++k)
    if (!std::isfinite(mat.re[k]) || !std::isfinite(mat.im[k]))
      return ".npy W has a non-finite entry (" + std::to_string(k / mat.cols) + ", " + std::to_string(k % mat.cols) + ")";
  c->w_re = std::move(mat.re);
  c->w_im = std::move(mat.im);
  return "";
}

Problem load_w_file(const std::string& path, Config* c) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return {"w-file", "cannot open " + shown(path), {}};
  if (!S_ISREG(st.st_mode)) return {"w-file", shown(path) + " is not a regular file", {}};
  if (st.st_size > (1 << 20)) return {"w-file", shown(path) + " is larger than 1 MiB: a (d, d) W with d <= 32 is far smaller", {}};
  std::ifstream f(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  if (!f || !f.read(bytes.data(), st.st_size)) return {"w-file", "cannot read " + shown(path), {}};
  if (std::string e = parse_w_npy(bytes, c); !e.empty()) return {"w-file", shown(path) + ": " + e, {}};
  c->w_file = path;
  return {};
}

}  // namespace mesaflow
