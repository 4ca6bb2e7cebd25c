// Precision single (issue 12): float data, weights and products, against independent truths —
// the double-precision reference (reference.hpp) on the same float numbers, the float recurrence
// written out here, the double-precision run of the same setting — and the same bits for any
// thread count, either data representation and through a complex64 file.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iterator>

#include "mesaflow/npy.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

using test::random_params;
using test::rel_diff;
using test::small_config;

Config single_config(int d, int T, int m) {
  Config c = small_config(d, T, m);
  c.precision = Precision::Single;
  return c;
}

bool is_float(double v) { return is_float_value(v); }
bool all_float(const Eigen::MatrixXcd& m) {
  for (Eigen::Index i = 0; i < m.size(); ++i)
    if (!is_float(m(i).real()) || !is_float(m(i).imag())) return false;
  return true;
}

double max_rel(const std::vector<double>& a, const std::vector<double>& b) {
  double r = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) r = std::max(r, std::fabs(a[i] - b[i]) / std::fabs(b[i]));
  return r;
}

std::string tmp_path(const std::string& name) { return ::testing::TempDir() + "mesaflow_precision_" + name; }

// Rounding to float, and recognising a float from its bits (not by rounding: GCC 12 can fold a
// double -> float -> double pair away, dataset.hpp).
TEST(Precision, NearestFloatAndFloatValues) {
  EXPECT_EQ(nearest_float(0.1), 0.100000001490116119384765625);  // the float 0x3dcccccd
  EXPECT_EQ(nearest_float(1.0 + 0x1p-24), 1.0);                  // a tie: to even
  EXPECT_EQ(nearest_float(1.0 + 0x1p-23 + 0x1p-24), 1.0 + 0x1p-22);
  EXPECT_TRUE(is_float_value(0.100000001490116119384765625));
  EXPECT_FALSE(is_float_value(0.1));
  EXPECT_TRUE(is_float_value(0x1p-149));  // the smallest subnormal float
  EXPECT_FALSE(is_float_value(0x1p-150));
  EXPECT_FALSE(is_float_value(0x1.8p-149));
  EXPECT_TRUE(is_float_value(3.4028234663852886e38));  // the largest float
  EXPECT_FALSE(is_float_value(1e39));
  EXPECT_TRUE(is_float_value(-1.5));
  EXPECT_FALSE(is_float_value(1.0 + 0x1p-24));
}

// The tokens of a single-precision set: x_1 and lambda are the double draws rounded to float, and
// x_{t+1} = lambda x_t is computed in float (written out here with std::complex<float>, whose
// product with -ffp-contract=off is (ac - bd, ad + bc)).
TEST(Precision, GeneratedTokensFollowTheFloatRecurrence) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::UnitPhase}) {
    Config c = single_config(3, 40, 21);
    c.x1 = f;
    Config cd = c;
    cd.precision = Precision::Double;
    const Dataset s = generate_dataset(c, c.m, kTrainStream), dbl = generate_dataset(cd, cd.m, kTrainStream);
    EXPECT_EQ(s.lanes, kLanesSingle);
    EXPECT_EQ(s.packs, (c.m + 15) / 16);
    for (int q = 0; q < c.m; ++q)
      for (int j = 0; j < c.d; ++j) {
        const std::complex<double> x1 = dbl.x(q, 0, j);
        const std::complex<double> want(nearest_float(x1.real()), nearest_float(x1.imag()));
        EXPECT_EQ(s.x(q, 0, j), want) << std::setprecision(17) << s.x(q, 0, j) << " " << want;
        for (int t = 0; t < c.T; ++t) {
          const std::complex<double> v = s.x(q, t, j);
          ASSERT_TRUE(is_float(v.real()) && is_float(v.imag())) << "sequence " << q << " t " << t;
        }
      }
    // The recurrence: with lambda recovered from the regenerated representation.
    const Dataset r = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
    for (int q = 0; q < c.m; ++q)
      for (int j = 0; j < c.d; ++j) {
        const std::size_t k = r.index1(q, j);
        const std::complex<float> lam(static_cast<float>(r.lam_re[k]), static_cast<float>(r.lam_im[k]));
        EXPECT_EQ(static_cast<double>(lam.real()), r.lam_re[k]);  // lambda is a float
        std::complex<float> x(static_cast<float>(r.x1_re[k]), static_cast<float>(r.x1_im[k]));
        for (int t = 0; t < c.T; ++t) {
          EXPECT_EQ(s.x(q, t, j), std::complex<double>(x.real(), x.imag())) << to_string(f) << " t " << t;
          x = std::complex<float>(lam.real() * x.real() - lam.imag() * x.imag(), lam.real() * x.imag() + lam.imag() * x.real());
        }
      }
  }
}

// The float scan against the double reference on the same (float) data and weights: the
// difference is float rounding only. Measured: loss within 1.1e-7, gradients within 1.6e-7 (relative).
TEST(Precision, KernelAgreesWithTheDoubleReferenceToFloatRounding) {
  for (int d : {1, 2, 5, 9}) {
    const Config c = single_config(d, 41, 37);  // 37 sequences: the last pack of 16 is partly padding
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    Params p = random_params(d, 70 + d);
    round_to(p, Precision::Single);
    ASSERT_TRUE(all_float(p.wkq) && all_float(p.wpv));
    Params g_ref, g_single;
    const double l_ref = reference_loss_grad(p, ds, &g_ref);
    const Evaluation ev = evaluate(p, ds, &g_single, 1);
    EXPECT_NEAR(ev.loss, l_ref, 1e-6 * l_ref) << "d = " << d;
    EXPECT_LT(rel_diff(g_single.wkq, g_ref.wkq), 2e-6) << "d = " << d;
    EXPECT_LT(rel_diff(g_single.wpv, g_ref.wpv), 2e-6) << "d = " << d;
    // and it is not the double computation in disguise
    const Dataset dd = ds.in_precision(Precision::Double);
    Params g_double;
    evaluate(p, dd, &g_double, 1);
    EXPECT_NE(rel_diff(g_single.wkq, g_double.wkq), 0.0) << "d = " << d;
  }
}

TEST(Precision, ThreadCountAndRepresentationDoNotChangeOneBit) {
  for (int d : {2, 5, 9}) {
    const Config c = single_config(d, 30, 700);
    const Dataset stored = generate_dataset(c, c.m, kTrainStream);
    const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
    const Params p = random_params(d, 9 + d);
    Params g1;
    const Evaluation e1 = evaluate(p, stored, &g1, 1);
    // A held-out set's pass carries W_PV S_t: the training pass's loss up to float rounding.
    const Evaluation t1 = evaluate_test(p, stored, 1);
    EXPECT_NEAR(t1.loss, e1.loss, 1e-5 * e1.loss) << "d = " << d;
    for (const Dataset* ds : {&stored, &regen})
      for (int threads : {1, 2, 7}) {
        Params g;
        const Evaluation e = evaluate(p, *ds, &g, threads);
        EXPECT_EQ(e.loss, e1.loss) << "d = " << d << ", threads " << threads;
        EXPECT_EQ(e.ratio, e1.ratio);
        EXPECT_EQ(e.last_mse, e1.last_mse);
        EXPECT_TRUE(g.wkq == g1.wkq && g.wpv == g1.wpv) << "d = " << d << ", threads " << threads;
        const Evaluation f = evaluate(p, *ds, nullptr, threads);
        EXPECT_EQ(f.loss, e1.loss) << "forward-only = forward of the gradient pass";
        const Evaluation t = evaluate_test(p, *ds, threads);
        EXPECT_EQ(t.loss, t1.loss) << "held-out pass, d = " << d << ", threads " << threads;
        EXPECT_EQ(t.ratio, t1.ratio);
        EXPECT_EQ(t.last_mse, t1.last_mse);
      }
  }
}

// Training in single follows training in double on small settings: every family, both methods,
// clip. The weights of a single run are floats after every step.
TEST(Precision, TrainingAgreesWithDoubleOnSmallSettings) {
  struct Case {
    X1Family x1;
    double scale, lr;
    Method method;
    bool clip;
    Init init;
  };
  const Case cases[] = {
      {X1Family::Gaussian, 1, 1e-3, Method::GD, false, Init::Diagonal},
      {X1Family::Sparse, 1, 2e-2, Method::GD, false, Init::Diagonal},
      {X1Family::FullOne, 1, 2e-3, Method::GD, true, Init::Diagonal},
      {X1Family::Rademacher, 0.9, 2e-3, Method::Flow, true, Init::Diagonal},
      {X1Family::UnitPhase, 1, 2e-3, Method::GD, false, Init::Gaussian},
      {X1Family::Gaussian, 0.5, 1e-2, Method::Flow, false, Init::Diagonal},
  };
  for (const Case& k : cases) {
    Config c = small_config(4, 17, 40);
    c.x1 = k.x1, c.scale = k.scale, c.lr = k.lr, c.method = k.method, c.clip = k.clip, c.init = k.init;
    c.epochs = 20;
    c.seed = 5;
    Session dbl(c);
    c.precision = Precision::Single;
    Session sgl(c);
    sgl.record_params(true);
    dbl.run(c.epochs);
    sgl.run(c.epochs);
    SCOPED_TRACE(std::string(to_string(k.x1)) + " " + to_string(k.method) + (k.clip ? " clip" : ""));
    ASSERT_FALSE(dbl.diverged() || sgl.diverged());
    EXPECT_LT(max_rel(sgl.history().ab, dbl.history().ab), 1e-3);
    EXPECT_LT(max_rel(sgl.history().test_loss, dbl.history().test_loss), 1e-3);
    EXPECT_LT(max_rel(sgl.history().train_loss, dbl.history().train_loss), 1e-3);
    EXPECT_NE(sgl.history().train_loss, dbl.history().train_loss);
    for (const Weights& w : sgl.history().params) EXPECT_TRUE(all_float(w.blocks[0]) && all_float(w.blocks[1]));
  }
}

// A single-precision set written with --save-data is complex64 and reads back bit for bit; a run
// on the two files is the generated run, bit for bit. A complex128 file read in single is rounded,
// and a number past the float range is refused.
TEST(Precision, Complex64FilesRoundTripAndTrainAsGenerated) {
  Config c = single_config(3, 15, 29);
  c.test_m = 11;
  c.epochs = 6;
  c.lr = 1e-3;
  Session generated(c);
  const std::string train = tmp_path("train.npy"), testf = tmp_path("test.npy");
  write_npy(train, generated.train());
  write_npy(testf, generated.test());
  std::ifstream in(train, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("'descr': '<c8'"), std::string::npos);
  EXPECT_EQ(bytes.size() - bytes.find('\n') - 1, static_cast<std::size_t>(c.m) * c.d * c.T * 8);  // 8 bytes a number
  const Dataset back = read_npy(train, 1e9, Precision::Single), back_test = read_npy(testf, 1e9, Precision::Single);
  EXPECT_EQ(back.lanes, kLanesSingle);
  for (int q = 0; q < c.m; ++q)
    for (int t = 0; t < c.T; ++t)
      for (int j = 0; j < c.d; ++j) ASSERT_EQ(back.x(q, t, j), generated.train().x(q, t, j));
  Session from_file(c, test::file_options(&back, &back_test));
  generated.run(c.epochs);
  from_file.run(c.epochs);
  EXPECT_EQ(from_file.history().train_loss, generated.history().train_loss);
  EXPECT_EQ(from_file.history().test_loss, generated.history().test_loss);
  EXPECT_EQ(from_file.history().ab, generated.history().ab);

  // complex128 in single: rounded to float on reading
  Config cd = c;
  cd.precision = Precision::Double;
  Session dbl(cd);
  const std::string wide = tmp_path("wide.npy");
  write_npy(wide, dbl.train());
  const Dataset rounded = read_npy(wide, 1e9, Precision::Single);
  for (int q = 0; q < c.m; ++q)
    for (int t = 0; t < c.T; ++t)
      for (int j = 0; j < c.d; ++j) {
        const std::complex<double> v = dbl.train().x(q, t, j);
        ASSERT_EQ(rounded.x(q, t, j), std::complex<double>(nearest_float(v.real()), nearest_float(v.imag())));
      }
  // a session given double data in single converts it the same way
  Session converted(c, test::file_options(&dbl.train(), &dbl.test()));
  EXPECT_EQ(converted.train().precision, Precision::Single);
  EXPECT_EQ(converted.train().x(3, 7, 1), rounded.x(3, 7, 1));

  // beyond the float range
  Dataset huge(2, 3, 1);
  huge.set(1, 2, 0, {1e39, 0});
  const std::string hp = tmp_path("huge.npy");
  write_npy(hp, huge);
  try {
    read_npy(hp, 1e9, Precision::Single);
    ADD_FAILURE() << "a value past the float range was read in single";
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("beyond the float range"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sequence 1, coordinate 0, position 2"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(read_npy(hp, 1e9, Precision::Double));
  for (const std::string& f : {train, testf, wide, hp}) std::remove(f.c_str());
}

}  // namespace
}  // namespace mesaflow
