// Grids for `mesaflow sweep`: lists, inclusive ranges, their errors and the run order.
#include <gtest/gtest.h>

#include "mesaflow/session.hpp"
#include <nlohmann/json.hpp>

#include "mesaflow/report.hpp"
#include "mesaflow/sweep.hpp"
#include "support.hpp"

using namespace mesaflow;

namespace {
std::vector<std::string> values(const std::string& name, const std::string& text) {
  std::vector<std::string> v;
  const std::string e = test::text(expand_values(name, text, v));
  EXPECT_EQ(e, "") << name << " " << text;
  return v;
}
std::string error(const std::string& name, const std::string& text) {
  std::vector<std::string> v;
  return test::text(expand_values(name, text, v));
}
using Strings = std::vector<std::string>;
}  // namespace

TEST(Sweep, ListsAndInclusiveRanges) {
  EXPECT_EQ(values("scale", "2"), Strings({"2"}));
  EXPECT_EQ(values("scale", "0.5,1,2"), Strings({"0.5", "1", "2"}));
  EXPECT_EQ(values("scale", "0.5:2:0.5"), Strings({"0.5", "1", "1.5", "2"}));
  EXPECT_EQ(values("lr", "0.1:0.3:0.1"), Strings({"0.1", "0.2", "0.3"}));  // not 0.30000000000000004
  EXPECT_EQ(values("a0", "2:1:-0.5"), Strings({"2", "1.5", "1"}));
  EXPECT_EQ(values("a0", "0:1:0.4"), Strings({"0", "0.4", "0.8"}));  // stops before passing stop
  EXPECT_EQ(values("T", "10:30:10,100"), Strings({"10", "20", "30", "100"}));
  EXPECT_EQ(values("x1", "gaussian,sparse"), Strings({"gaussian", "sparse"}));
  EXPECT_EQ(values("clip", "true,false"), Strings({"true", "false"}));
}

TEST(Sweep, BadValuesNameTheOptionAndTheRange) {
  EXPECT_EQ(error("scale", "0.5,-1"), "scale: '-1' is not valid; expected a number in [0.001, 1000]");
  EXPECT_NE(error("scale", "0.5:2").find("scale: '0.5:2' is not a valid range; expected start:stop:step"),
            std::string::npos);
  EXPECT_NE(error("scale", "2:1:0.5").find("not a valid range"), std::string::npos);
  EXPECT_NE(error("scale", "1:2:0").find("not a valid range"), std::string::npos);
  EXPECT_NE(error("scale", "a:2:1").find("not a valid range"), std::string::npos);
  EXPECT_NE(error("d", "1:40:1").find("d: '33' is not valid; expected an integer in [1, 32]"), std::string::npos);
  EXPECT_NE(error("T", "3:10:0.5").find("T: '3.5' is not valid"), std::string::npos);
  EXPECT_NE(error("x1", "gaussian:sparse:1").find("list the values instead"), std::string::npos);
  EXPECT_NE(error("scale", "0.001:1000:0.001").find("more than the limit of 10000"), std::string::npos);
  EXPECT_NE(error("scale", "1,,2").find("scale: ''"), std::string::npos);
  EXPECT_EQ(error("bogus", "1"), "unknown option 'bogus'");
}

TEST(Sweep, CartesianProductFirstOptionSlowest) {
  SweepGrid g;
  ASSERT_EQ(test::text(g.add("d", "3")), "");
  ASSERT_EQ(test::text(g.add("scale", "0.5,1")), "");
  ASSERT_EQ(test::text(g.add("x1", "gaussian,sparse,full-one")), "");
  EXPECT_EQ(g.size(), 6);
  EXPECT_EQ(test::text(g.check_size()), "");
  const Config c0 = g.at(0), c1 = g.at(1), c3 = g.at(3), c5 = g.at(5);
  EXPECT_EQ(c0.d, 3);
  EXPECT_EQ(c5.d, 3);
  EXPECT_EQ(c0.scale, 0.5);
  EXPECT_EQ(c0.x1, X1Family::Gaussian);
  EXPECT_EQ(c1.scale, 0.5);
  EXPECT_EQ(c1.x1, X1Family::Sparse);
  EXPECT_EQ(c3.scale, 1.0);
  EXPECT_EQ(c3.x1, X1Family::Gaussian);
  EXPECT_EQ(c5.x1, X1Family::FullOne);
  ASSERT_EQ(test::text(g.add("scale", "2")), "");  // given again: the last one wins
  EXPECT_EQ(g.size(), 3);
  EXPECT_EQ(g.at(2).scale, 2.0);
}

TEST(Sweep, GridSizeIsLimited) {
  SweepGrid g;
  ASSERT_EQ(test::text(g.add("scale", "1:100:1")), "");
  ASSERT_EQ(test::text(g.add("a0", "1:100:1")), "");
  EXPECT_EQ(test::text(g.check_size()), "");  // exactly 10,000
  ASSERT_EQ(test::text(g.add("b0", "1,2")), "");
  EXPECT_EQ(test::text(g.check_size()), "sweep: the grid has 20000 runs, more than the limit of 10000; shorten the lists or ranges");
}

TEST(Sweep, JsonLineOfARun) {
  Config c = test::small_config(2, 10, 16);
  c.epochs = 3;
  Session s(c);
  s.run(c.epochs);
  const std::string j = sweep_json(s, 7, 0.25, [](const std::string& f, const std::string& v) { return "--" + f + " " + v; }).dump();
  EXPECT_EQ(j.rfind("{\"run\":7,\"config\":{\"d\":2,", 0), 0u) << j;
  for (const char* k : {"\"data\":\"generated\"", "\"epochs_done\":3", "\"ab\":", "\"test_loss\":", "\"ratio\":",
                        "\"last_mse\":", "\"c_star_T\":", "\"c_star_empirical\":", "\"ratio_pred\":", "\"recovery\":false",
                        "\"diverged\":false", "\"wall_seconds\":0.25}"})
    EXPECT_NE(j.find(k), std::string::npos) << k << "\n" << j;
  EXPECT_EQ(j.find('\n'), std::string::npos);
}

// Found by tests/fuzz (fuzz_cli): a range whose (stop - start) / step overflowed to infinity was
// cast to an integer for the message (undefined behaviour).
TEST(Sweep, HugeAndInfiniteRangesAreRefusedWithAMessage) {
  std::vector<std::string> v;
  EXPECT_EQ(test::text(expand_values("a0", "-1e308:1e308:1e-300", v)),
            "a0: '-1e308:1e308:1e-300' has too many values, more than the limit of 10000 runs");
  EXPECT_EQ(test::text(expand_values("a0", "0:1e30:1", v)), "a0: '0:1e30:1' has too many values, more than the limit of 10000 runs");
  EXPECT_EQ(test::text(expand_values("a0", "0:20000:1", v)), "a0: '0:20000:1' has 20001 values, more than the limit of 10000 runs");
  EXPECT_TRUE(v.empty());
}
