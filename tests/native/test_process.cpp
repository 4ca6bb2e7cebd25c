// The field `process` (process.hpp, core/THEORY.md §9): Haar sampling against its known moments,
// the tokens of each process against what W does to them (norms kept, blocks kept, x_{t+1} = W x_t
// for a W we gave), the noise against its law, and every bad W file refused with the field named.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "mesaflow/fields.hpp"
#include "mesaflow/budget.hpp"
#include "mesaflow/process.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {

Eigen::MatrixXcd unitary(int d, Rng& rng) {
  std::vector<double> re(d * d), im(d * d);
  haar_unitary(d, rng, re.data(), im.data());
  Eigen::MatrixXcd u(d, d);
  for (int j = 0; j < d; ++j)
    for (int k = 0; k < d; ++k) u(j, k) = {re[j * d + k], im[j * d + k]};
  return u;
}
Eigen::MatrixXd special_orthogonal(int d, Rng& rng) {
  std::vector<double> q(d * d);
  haar_special_orthogonal(d, rng, q.data());
  Eigen::MatrixXd m(d, d);
  for (int j = 0; j < d; ++j)
    for (int k = 0; k < d; ++k) m(j, k) = q[j * d + k];
  return m;
}

// Mean and standard error of n values added one at a time.
struct Mean {
  double s = 0, q = 0;
  long n = 0;
  void add(double v) { s += v, q += v * v, ++n; }
  double mean() const { return s / n; }
  double se() const { return std::sqrt(std::max(0.0, q / n - mean() * mean()) / n); }
};

// A .npy file written here from the format's description (magic, version 1.0, header, data).
std::string npy_bytes(const std::string& descr, const std::string& shape, const void* data, std::size_t bytes,
                      const std::string& order = "False") {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h += '\n';
  std::string b = "\x93NUMPY";
  b += '\x01';
  b += '\x00';
  b += static_cast<char>(h.size() & 0xff);
  b += static_cast<char>(h.size() >> 8);
  b += h;
  b.append(static_cast<const char*>(data), bytes);
  return b;
}

std::vector<double> tokens_of(const Dataset& ds, int s, std::vector<double>* im) {
  std::vector<double> re(static_cast<std::size_t>(ds.T) * ds.d);
  im->assign(re.size(), 0.0);
  ds.sequence(s, re.data(), im->data());
  return re;
}

}  // namespace

TEST(Haar, UnitaryHasTheMomentsOfHaarMeasure) {
  for (int d : {1, 2, 3, 5}) {
    SCOPED_TRACE(d);
    Rng rng(11, 0, static_cast<std::uint64_t>(d));
    const int n = 40000;
    Mean e00, e_last0, e0_last, tr_re, tr_im, tr2;
    for (int i = 0; i < n; ++i) {
      const Eigen::MatrixXcd u = unitary(d, rng);
      e00.add(std::norm(u(0, 0)));
      e_last0.add(std::norm(u(d - 1, 0)));
      e0_last.add(std::norm(u(0, d - 1)));
      const std::complex<double> tr = u.trace();
      tr_re.add(tr.real());
      tr_im.add(tr.imag());
      tr2.add(std::norm(tr));
    }
    // E|U_ij|^2 = 1/d, E tr U = 0, E|tr U|^2 = 1 (Diaconis-Shahshahani), each within 3 standard errors.
    for (const Mean* m : {&e00, &e_last0, &e0_last})
      if (d > 1) EXPECT_NEAR(m->mean(), 1.0 / d, 3 * m->se());
      else EXPECT_NEAR(m->mean(), 1.0, 1e-14);  // U(1): a phase
    EXPECT_NEAR(tr_re.mean(), 0.0, 3 * tr_re.se());
    EXPECT_NEAR(tr_im.mean(), 0.0, 3 * tr_im.se());
    if (d > 1) EXPECT_NEAR(tr2.mean(), 1.0, 3 * tr2.se());
    else EXPECT_NEAR(tr2.mean(), 1.0, 1e-14);
  }
}

TEST(Haar, UnitaryIsUnitaryToRounding) {
  for (int d : {1, 2, 5, 16, 32}) {
    Rng rng(12, 0, static_cast<std::uint64_t>(d));
    double worst = 0;
    for (int i = 0; i < 300; ++i) {
      const Eigen::MatrixXcd u = unitary(d, rng);
      worst = std::max(worst, (u.adjoint() * u - Eigen::MatrixXcd::Identity(d, d)).cwiseAbs().maxCoeff());
    }
    EXPECT_LT(worst, 1e-14) << "d = " << d;
  }
}

TEST(Haar, SpecialOrthogonalHasDeterminantOneAndHaarMoments) {
  for (int d : {1, 2, 3, 4, 6, 32}) {
    Rng rng(13, 0, static_cast<std::uint64_t>(d));
    double worst = 0, worst_det = 0;
    for (int i = 0; i < 300; ++i) {
      const Eigen::MatrixXd q = special_orthogonal(d, rng);
      worst = std::max(worst, (q.transpose() * q - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().maxCoeff());
      worst_det = std::max(worst_det, std::fabs(q.determinant() - 1));
    }
    EXPECT_LT(worst, 1e-14) << "d = " << d;
    EXPECT_LT(worst_det, 1e-14) << "d = " << d;
  }
  // E Q_ij^2 = 1/d; E tr Q = 0 and E (tr Q)^2 = 1 for d >= 3 (the standard representation of SO(d) is
  // irreducible and not trivial); SO(2): tr = 2 cos(theta), theta uniform, E tr^2 = 2.
  for (int d : {2, 3, 5}) {
    SCOPED_TRACE(d);
    Rng rng(14, 0, static_cast<std::uint64_t>(d));
    Mean e00, e10, tr, tr2;
    for (int i = 0; i < 40000; ++i) {
      const Eigen::MatrixXd q = special_orthogonal(d, rng);
      e00.add(q(0, 0) * q(0, 0));
      e10.add(q(d - 1, 0) * q(d - 1, 0));
      tr.add(q.trace());
      tr2.add(q.trace() * q.trace());
    }
    EXPECT_NEAR(e00.mean(), 1.0 / d, 3 * e00.se());
    EXPECT_NEAR(e10.mean(), 1.0 / d, 3 * e10.se());
    EXPECT_NEAR(tr.mean(), 0.0, 3 * tr.se());
    EXPECT_NEAR(tr2.mean(), d == 2 ? 2.0 : 1.0, 3 * tr2.se());
  }
}

TEST(Process, DefaultIsTheDiagonalProcessBitForBit) {
  Config c = small_config(4, 15, 20);
  c.x1 = X1Family::UnitPhase;
  const Dataset a = generate_dataset(c, c.m, kTrainStream);
  c.process = Process::Diagonal;
  c.radius = 1;
  c.noise = 0;
  const Dataset b = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
  EXPECT_EQ(b.tokens().re, a.re);
  EXPECT_EQ(b.tokens().im, a.im);
}

TEST(Process, NormPreservingProcessesKeepTheNormAndRadiusScalesIt) {
  for (Process p : {Process::Diagonal, Process::Unitary, Process::Orthogonal, Process::Rotation, Process::Fixed})
    for (double r : {1.0, 0.9}) {
      SCOPED_TRACE(std::string(to_string(p)) + " radius " + std::to_string(r));
      Config c = small_config(5, 30, 12);
      c.process = p;
      c.radius = r;
      const Dataset ds = generate_dataset(c, c.m, kTrainStream);
      EXPECT_FALSE(ds.regenerated && p != Process::Diagonal);
      for (int s = 0; s < ds.m; ++s) {
        std::vector<double> im;
        const std::vector<double> re = tokens_of(ds, s, &im);
        for (int t = 0; t + 1 < ds.T; ++t) {
          double n0 = 0, n1 = 0;
          for (int j = 0; j < ds.d; ++j) {
            n0 += re[t * ds.d + j] * re[t * ds.d + j] + im[t * ds.d + j] * im[t * ds.d + j];
            n1 += re[(t + 1) * ds.d + j] * re[(t + 1) * ds.d + j] + im[(t + 1) * ds.d + j] * im[(t + 1) * ds.d + j];
          }
          // the fixed W drawn from the seed is of the unitary law: its norm is kept too
          ASSERT_NEAR(std::sqrt(n1), r * std::sqrt(n0), 1e-12 * std::sqrt(n0)) << "s " << s << " t " << t;
        }
        if (p == Process::Orthogonal || p == Process::Rotation)
          for (double v : im) ASSERT_EQ(v, 0.0);  // a real W on a real first token: real tokens
        if (p == Process::Rotation) {  // odd d: the last coordinate is kept (W_dd = +1), scaled by r
          for (int t = 0; t + 1 < ds.T; ++t)
            ASSERT_NEAR(re[(t + 1) * ds.d + 4], r * re[t * ds.d + 4], 1e-15 * (1 + std::fabs(re[t * ds.d + 4])));
          for (int t = 0; t + 1 < ds.T; ++t) {  // and each 2x2 block keeps its own norm
            const double a0 = std::hypot(re[t * ds.d], re[t * ds.d + 1]), a1 = std::hypot(re[(t + 1) * ds.d], re[(t + 1) * ds.d + 1]);
            ASSERT_NEAR(a1, r * a0, 1e-12 * (1 + a0));
          }
        }
      }
    }
}

TEST(Process, FixedFollowsTheGivenWAndOneWServesEverySequence) {
  Config c = small_config(3, 10, 6);
  c.process = Process::Fixed;
  c.x1 = X1Family::UnitPhase;
  const double w[9] = {0.5, -0.2, 0.1, 0.3, 0.6, 0.0, -0.1, 0.2, 0.7};
  c.w_re.assign(w, w + 9);
  c.w_im = {0.1, 0, 0, 0, -0.1, 0.2, 0, 0, 0};
  c.w_file = "given";
  ASSERT_FALSE(check_process(c)) << text(check_process(c));
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  for (int s = 0; s < ds.m; ++s)
    for (int t = 0; t + 1 < ds.T; ++t)
      for (int j = 0; j < 3; ++j) {
        std::complex<double> want = 0;
        for (int k = 0; k < 3; ++k) want += std::complex<double>(c.w_re[j * 3 + k], c.w_im[j * 3 + k]) * ds.x(s, t, k);
        ASSERT_NEAR(std::abs(ds.x(s, t + 1, j) - want), 0.0, 1e-15 * (1 + std::abs(want)));
      }
  // Drawn from the seed: the same W in the training and the test set.
  Config f = small_config(3, 10, 6);
  f.process = Process::Fixed;
  f.x1 = X1Family::Sparse;  // x_1 = +-e_j: x_2 is a column of W
  const Dataset tr = generate_dataset(f, f.m, kTrainStream), te = generate_dataset(f, f.m, kTestStream);
  std::vector<double> wr, wi;
  process_fixed_w(f, &wr, &wi);
  for (const Dataset* ds : {&tr, &te})
    for (int s = 0; s < ds->m; ++s)
      for (int k = 0; k < 3; ++k) {
        if (ds->x(s, 0, k) == 0.0) continue;
        const double sign = ds->x(s, 0, k).real();
        for (int j = 0; j < 3; ++j) EXPECT_EQ(ds->x(s, 1, j), sign * std::complex<double>(wr[j * 3 + k], wi[j * 3 + k]));
      }
}

TEST(Process, NoiseHasItsLawRealForARealProcessComplexOtherwise) {
  // Fixed W = 0: x_{t+1} = sigma_eps eps_t exactly, so the tokens after the first are the noise.
  for (X1Family x1 : {X1Family::Gaussian, X1Family::UnitPhase}) {
    Config c = small_config(2, 50, 400);
    c.process = Process::Fixed;
    c.x1 = x1;
    c.w_re.assign(4, 0.0);
    c.w_im.assign(4, 0.0);
    c.noise = 0.3;
    const bool real = x1 == X1Family::Gaussian;
    EXPECT_EQ(real_noise(c), real);
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    Mean re, im, re2, im2;
    for (int s = 0; s < ds.m; ++s)
      for (int t = 1; t < ds.T; ++t)
        for (int j = 0; j < 2; ++j) {
          const std::complex<double> x = ds.x(s, t, j);
          re.add(x.real()), im.add(x.imag()), re2.add(x.real() * x.real()), im2.add(x.imag() * x.imag());
        }
    const double per_part = real ? 0.09 : 0.045;  // E|eps|^2 = 1 per coordinate either way
    EXPECT_NEAR(re.mean(), 0.0, 3 * re.se());
    EXPECT_NEAR(re2.mean(), per_part, 3 * re2.se());
    if (real) EXPECT_EQ(im2.mean(), 0.0);
    else EXPECT_NEAR(im2.mean(), per_part, 3 * im2.se());
    if (!real) EXPECT_NEAR(im.mean(), 0.0, 3 * im.se());
  }
}

TEST(Process, SinglePrecisionTokensAreFloats) {
  for (Process p : {Process::Unitary, Process::Orthogonal, Process::Rotation, Process::Fixed}) {
    Config c = small_config(3, 12, 9);
    c.process = p;
    c.noise = 0.1;
    c.radius = 0.95;
    c.precision = Precision::Single;
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    for (double v : ds.re) ASSERT_TRUE(is_float_value(v)) << to_string(p);
    for (double v : ds.im) ASSERT_TRUE(is_float_value(v)) << to_string(p);
  }
}

TEST(Process, TrainingIsTheSameAtAnyThreadCount) {
  for (Process p : {Process::Unitary, Process::Rotation}) {
    Config c = small_config(3, 14, 40);
    c.process = p;
    c.noise = 0.05;
    c.epochs = 5;
    c.lr = 0.01;
    c.threads = 1;
    Session one(c);
    one.run(c.epochs);
    c.threads = 3;
    Session three(c);
    three.run(c.epochs);
    EXPECT_EQ(one.history().train_loss, three.history().train_loss) << to_string(p);
    EXPECT_EQ(one.history().test_loss, three.history().test_loss) << to_string(p);
  }
}

TEST(ProcessFields, RangesAreRefusedWithTheFieldNamed) {
  Config c;
  EXPECT_EQ(set_field(c, "process", "spiral").field, "process");
  EXPECT_NE(text(set_field(c, "process", "spiral")).find("diagonal, unitary, orthogonal, rotation, fixed"), std::string::npos);
  EXPECT_EQ(set_field(c, "radius", "0").field, "radius");
  EXPECT_EQ(set_field(c, "radius", "1.5").field, "radius");
  EXPECT_FALSE(set_field(c, "radius", "1"));
  EXPECT_EQ(set_field(c, "noise", "-0.1").field, "noise");
  EXPECT_EQ(set_field(c, "ridge", "-1").field, "ridge");
  EXPECT_FALSE(set_field(c, "process", "orthogonal"));
  EXPECT_EQ(c.process, Process::Orthogonal);
}

TEST(ProcessFields, BadWFilesAreRefusedNamingWFile) {
  Config c = small_config(3, 12, 5);
  c.process = Process::Fixed;
  const double eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const auto parse = [&](const std::string& bytes) {
    Config k = c;
    return parse_w_npy(bytes, &k);
  };
  EXPECT_EQ(parse(npy_bytes("<f8", "(3, 3)", eye, sizeof eye)), "");
  const double wide[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  EXPECT_NE(parse(npy_bytes("<f8", "(3, 4)", wide, sizeof wide)).find("not square"), std::string::npos);
  EXPECT_NE(parse(npy_bytes("<f8", "(9,)", eye, sizeof eye)).find("expected 2 (d, d)"), std::string::npos);
  const long long ints[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_NE(parse(npy_bytes("<i8", "(3, 3)", ints, sizeof ints)).find("dtype"), std::string::npos);
  EXPECT_NE(parse(npy_bytes("<f8", "(3, 3)", eye, sizeof eye, "True")).find("Fortran"), std::string::npos);
  EXPECT_NE(parse(npy_bytes("<f8", "(3, 3)", eye, 40)).find("does not match"), std::string::npos);
  double bad[9] = {1, 0, 0, 0, NAN, 0, 0, 0, 1};
  EXPECT_NE(parse(npy_bytes("<f8", "(3, 3)", bad, sizeof bad)).find("non-finite entry (1, 1)"), std::string::npos);
  const float f32[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  Config k = c;
  EXPECT_EQ(parse_w_npy(npy_bytes("<f4", "(3, 3)", f32, sizeof f32), &k), "");
  EXPECT_EQ(k.w_re, std::vector<double>(eye, eye + 9));
  // complex128: interleaved real, imaginary
  const double cx[8] = {0, 1, 0, 0, 0, 0, 1, 0};  // (2, 2): [[i, 0], [0, 1]]
  EXPECT_EQ(parse_w_npy(npy_bytes("<c16", "(2, 2)", cx, sizeof cx), &k), "");
  EXPECT_EQ(k.w_im, (std::vector<double>{1, 0, 0, 0}));

  // The relations, through validate (the one check every front end calls).
  Config wrong_d = k;  // the (2, 2) W with d = 3
  Problem p = validate(wrong_d, kNativeMemoryBudget);
  EXPECT_EQ(p.field, "w-file");
  EXPECT_NE(p.message.find("expected shape (3, 3)"), std::string::npos) << p.message;
  Config grows = c;
  grows.w_re = {1.5, 0, 0, 0, 1, 0, 0, 0, 1};
  grows.T = 200;  // 1.5^199 = 1e35
  p = validate(grows, kNativeMemoryBudget);
  EXPECT_EQ(p.field, "w-file");
  EXPECT_NE(p.message.find("||radius W||_2 = 1.5"), std::string::npos) << p.message;
  grows.radius = 0.5;  // 0.75^199: contracting, allowed
  EXPECT_FALSE(validate(grows, kNativeMemoryBudget)) << text(validate(grows, kNativeMemoryBudget));
  grows.radius = 1;
  grows.T = 100;  // 1.5^99 = 2.6e17: fine in double, not in single
  EXPECT_FALSE(validate(grows, kNativeMemoryBudget));
  grows.precision = Precision::Single;
  EXPECT_EQ(validate(grows, kNativeMemoryBudget).field, "w-file");
  Config nonfinite = c;
  nonfinite.w_re = {1, 0, 0, 0, INFINITY, 0, 0, 0, 1};
  EXPECT_EQ(validate(nonfinite, kNativeMemoryBudget).field, "w-file");
  Config not_fixed = c;
  not_fixed.w_re.assign(eye, eye + 9);
  not_fixed.process = Process::Unitary;
  p = validate(not_fixed, kNativeMemoryBudget);
  EXPECT_EQ(p.field, "w-file");
  EXPECT_NE(p.message.find("process fixed only"), std::string::npos);
  // A file that is not there, and a directory.
  Config f = c;
  EXPECT_EQ(load_w_file("/nonexistent/w.npy", &f).field, "w-file");
  EXPECT_EQ(load_w_file("/tmp", &f).field, "w-file");
}
