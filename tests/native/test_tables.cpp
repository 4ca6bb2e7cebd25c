// The core's tables the page is generated from (site/core-tables.mjs): each list is what the code
// does, found by trying every field rather than by reading the list. Session::live_fields are
// exactly the fields Session::change takes on a running session; data_fields are exactly the
// fields whose value changes the training or test sequences a session draws; Session::state is
// the checkpoint without its rows, and resumes as the checkpoint does.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {
bool listed(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Another allowed value of f than c's, as text.
std::string other_value(const Config& c, const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::Choice: return f.choices[(static_cast<std::size_t>(f.get(c)) + 1) % f.choices.size()];
    case FieldKind::Flag: return f.get(c) != 0 ? "false" : "true";
    case FieldKind::Text: return "uniform:0.5:1";
    case FieldKind::Integer: {
      const double v = f.get(c);
      return std::to_string(static_cast<long long>(v + 1 <= f.max ? v + 1 : v - 1));
    }
    case FieldKind::Number: {
      char buf[40];
      const double v = f.get(c), up = (v + f.max) / 2;  // a default at the top of its range (radius 1): halfway down
      std::snprintf(buf, sizeof buf, "%.17g", up != v ? up : (v + f.min) / 2);
      return buf;
    }
  }
  return "";
}

// A small configuration in which every field can take another value (sparse: a magnitude law applies).
Config base() {
  Config c = small_config(3, 12, 11);
  c.x1 = X1Family::Sparse;
  return c;
}

bool same_data(const Dataset& a, const Dataset& b) {
  const Dataset x = a.tokens(), y = b.tokens();
  return x.m == y.m && x.T == y.T && x.d == y.d && x.re == y.re && x.im == y.im;
}
}  // namespace

TEST(Tables, LiveFieldsAreExactlyTheFieldsARunningSessionChanges) {
  int live = 0;
  for (const FieldSpec& f : config_fields()) {
    SCOPED_TRACE(f.name);
    Session s(base());
    s.run(2);
    const std::string text = other_value(s.config(), f);
    const Problem p = s.change(f.name, text);
    EXPECT_EQ(!p, listed(Session::live_fields(), f.name)) << text << ": " << describe(p);
    if (!p) ++live;
  }
  EXPECT_EQ(live, static_cast<int>(Session::live_fields().size()));
}

TEST(Tables, DataFieldsAreExactlyTheFieldsThatChangeTheSequences) {
  const Config c = base();
  Session ref(c);
  int data = 0;
  for (const FieldSpec& f : config_fields()) {
    SCOPED_TRACE(f.name);
    Config next = c;
    const std::string text = other_value(c, f);
    ASSERT_FALSE(set_field(next, f.name, text)) << text;
    Session s(next);
    const bool same = same_data(s.train(), ref.train()) && same_data(s.test(), ref.test());
    EXPECT_EQ(!same, listed(data_fields(), f.name)) << text;
    if (!same) ++data;
  }
  EXPECT_EQ(data, static_cast<int>(data_fields().size()));
  // A file's fields are data fields; precision and seed still apply to a file's run.
  for (const std::string& n : file_fields()) EXPECT_TRUE(listed(data_fields(), n.c_str())) << n;
  EXPECT_FALSE(listed(file_fields(), "precision"));
  EXPECT_FALSE(listed(file_fields(), "seed"));
}

TEST(Tables, StateIsTheCheckpointWithoutItsRowsAndResumesTheSame) {
  const Config c = moving_config(Method::GD, 23, 1);
  Session whole(c);
  whole.run(c.epochs);
  Session first(c);
  first.run(9);
  const Checkpoint cp = first.checkpoint(), st = first.state();
  EXPECT_EQ(st.history.rows(), 0u);
  EXPECT_EQ(cp.history.rows(), 10u);
  EXPECT_EQ(st.epoch, cp.epoch);
  EXPECT_EQ(st.first_loss, cp.first_loss);
  EXPECT_EQ(st.flow_step, cp.flow_step);
  EXPECT_EQ(st.gradient_evaluations, cp.gradient_evaluations);
  expect_same_params(st.params, cp.params);
  // The state with the rows the caller kept is the checkpoint: it resumes the uninterrupted run.
  Checkpoint kept = st;
  kept.history = first.history();
  Session second(c);
  second.resume(kept);
  second.run(c.epochs);
  expect_same_history(second.history(), whole.history());
  expect_same_params(second.params(), whole.params());
}

TEST(Tables, TheMemoryRefusalIsMemoryProblemsWords) {
  Config c = base();
  c.m = 1000000;  // about 0.1 GB of sequences (x_1 and lambda each), over a budget of 0.05 GB
  const Problem p = validate(c, 5e7);
  ASSERT_TRUE(p);
  const Problem words = memory_problem("{need}", "{budget}");
  EXPECT_EQ(p.field, words.field);
  EXPECT_EQ(p.fields(), words.fields());
  EXPECT_EQ(words.fields(), (std::vector<std::string>{"m", "test-m", "T", "d"}));
  // The refusal is the template with two amounts in it, whatever their unit: the words between
  // and around the placeholders are the same.
  const std::string& t = words.message;
  const std::size_t need = t.find("{need}"), budget = t.find("{budget}");
  ASSERT_TRUE(need != std::string::npos && budget != std::string::npos && need < budget);
  const std::string before = t.substr(0, need), between = t.substr(need + 6, budget - need - 6), after = t.substr(budget + 8);
  EXPECT_EQ(p.message.substr(0, before.size()), before) << p.message;
  const std::size_t mid = p.message.find(between, before.size());
  ASSERT_NE(mid, std::string::npos) << p.message;
  EXPECT_GT(mid, before.size());
  ASSERT_GE(p.message.size(), after.size() + mid + between.size());
  EXPECT_EQ(p.message.substr(p.message.size() - after.size()), after) << p.message;
  EXPECT_GT(p.message.size() - after.size(), mid + between.size());
}

// The memory estimate as data (budget.hpp MemoryTerms, generated into the page's core-tables.js):
// estimate_bytes() adds up memory_terms() to exactly the bytes of the formula it had before the
// terms were tables (written out here as it was: 16-byte tokens, 2 d complex numbers per compact
// sequence, per-thread scratch of 64 complex D x D matrices per lane for attention, D = 2d, and 64
// d x d ones for the linear map, 1 MiB), for both models, precisions and layouts and a file's sets.
TEST(Tables, MemoryTermsGiveTheEstimateOfItsFormula) {
  for (const char* model : {"attention", "linear-map"})
    for (Precision p : {Precision::Double, Precision::Single})
      for (DataLayout layout : {DataLayout::Tokens, DataLayout::Regenerated})
        for (bool file : {false, true})
          for (const auto& [m, tm, T, d] : std::vector<std::array<int, 4>>{{1, 1, 3, 1}, {100, 30, 20, 6}, {10000000, 17, 100000, 32}}) {
            Config c;
            ASSERT_FALSE(set_field(c, "model", model));
            c.precision = p;
            c.m = m, c.test_m = tm, c.T = T, c.d = d;
            const double lanes = p == Precision::Single ? 16 : 8, D = 2.0 * d;
            const double pad_m = std::ceil(m / lanes) * lanes, pad_tm = std::ceil(tm / lanes) * lanes;
            const double tokens = T * d * 16.0, compact = 2 * d * 16.0;
            const double per = file || layout == DataLayout::Tokens ? tokens : compact;
            const double scratch = std::string(model) == "attention" ? 64.0 * D * D * lanes * 16.0 : 64.0 * d * d * 16.0;
            EXPECT_EQ(estimate_bytes(c, layout, file), pad_m * per + pad_tm * per + scratch + (1 << 20))
                << model << " " << to_string(p) << " m " << m << " d " << d << (file ? " file" : "");
          }
}
