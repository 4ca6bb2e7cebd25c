// The command-line program, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string& args) {
  const std::string cmd = std::string(MESAFLOW_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

bool exists(const std::string& p) { return std::ifstream(p).good(); }
std::string slurp(const std::string& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
std::string tmp(const std::string& n) { return ::testing::TempDir() + "mesaflow_cli_" + n; }

}  // namespace

TEST(Cli, HelpListsEveryOption) {
  const Result r = run("--help");
  EXPECT_EQ(r.status, 0);
  for (const char* o : {"--d", "--T", "--m", "--x1", "--scale", "--init", "--a0", "--b0", "--sigma-w", "--method", "--lr",
                        "--epochs", "--eval-every", "--test-m", "--clip", "--seed", "--data", "--save-data", "--out"})
    EXPECT_NE(r.out.find(std::string(o) + " "), std::string::npos) << o;
}

TEST(Cli, BadOptionsExitTwoNameTheOptionAndWriteNothing) {
  const std::string out = tmp("bad.json");
  std::remove(out.c_str());
  struct Case {
    const char* args;
    const char* expect;
  };
  for (const Case& c : {Case{"train --lr 50", "--lr: '50' is not valid; expected a number in (0, 10]"},
                        Case{"train --d 0", "--d: '0'"}, Case{"train --x1 cauchy", "one of gaussian"},
                        Case{"train --epochs", "missing value"}, Case{"train --bogus 1", "unknown option '--bogus'"},
                        Case{"train --m 1e9", "[1, 10000000]"}, Case{"fly", "unknown command"},
                        Case{"train --data /nonexistent.npy", "--data: cannot open"},
                        Case{"train --m 10000000 --test-m 10000000 --d 32", "reduce m"}, Case{"theory --scale -1", "--scale"},
                        Case{"train --mesa-seqs -3", "--mesa-seqs"}}) {
    const Result r = run(std::string(c.args) + " --out " + out);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_FALSE(exists(out)) << c.args;
  }
  const Result r = run("train --out /nonexistent-dir/x.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--out"), std::string::npos);
}

TEST(Cli, TheoryPrintsThePaperValues) {
  const Result r = run("theory");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("\"c_star_T\":0.1919"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"recovery\":false"), std::string::npos);
  const Result o = run("theory --a0 0.1 --b0 0.1 --lr 1e-4 --epochs 10 --mc 10000");
  EXPECT_NE(o.out.find("\"ode_ab\":[0.01"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"monte_carlo\":{\"draws\":10000"), std::string::npos) << o.out;
}

TEST(Cli, TrainWritesTheDocumentedJsonAndDataRoundTrips) {
  const std::string out = tmp("run.json"), npy = tmp("data.npy"), out2 = tmp("run2.json");
  const std::string common = " --d 3 --T 12 --m 40 --test-m 16 --epochs 4 --lr 1e-3 --quiet";
  Result r = run("train" + common + " --save-data " + npy + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string j = slurp(out);
  for (const char* k : {"\"config\":", "\"history\":", "\"epoch\":[0,1,2,3,4]", "\"train_loss\":", "\"test_loss\":",
                        "\"ab\":", "\"ratio\":", "\"last_mse\":", "\"theory\":", "\"M4\":", "\"M6\":", "\"M24\":",
                        "\"c_star_T\":", "\"c_star_inf\":", "\"c_star_empirical\":", "\"ratio_pred\":",
                        "\"recovery\":", "\"ode_ab\":[", "\"final\":", "\"wkq_re\":[[", "\"wkq_im\":", "\"wpv_re\":",
                        "\"wpv_im\":", "\"mesa\":{", "\"gd1\":", "\"ls\":", "\"true_w\":", "\"gap\":",
                        "\"diverged\":false", "\"wall_seconds\":"})
    EXPECT_NE(j.find(k), std::string::npos) << k;
  EXPECT_EQ(j.find("\"params\":"), std::string::npos);  // only on request
  r = run("train" + common + " --data " + npy + " --record-params --out " + out2);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string j2 = slurp(out2);
  const auto hist = [](const std::string& s) { return s.substr(s.find("\"history\":"), s.find("\"theory\":") - s.find("\"history\":")); };
  const std::string h2 = hist(j2);
  EXPECT_EQ(hist(j), h2.substr(0, h2.find(",\"params\":")) + "},");  // same data from the file, same run
  std::size_t n = 0;
  for (std::size_t p = h2.find("\"wkq_re\""); p != std::string::npos; p = h2.find("\"wkq_re\"", p + 1)) ++n;
  EXPECT_EQ(n, 5u);  // the parameters at each of the 5 evaluations
}

TEST(Cli, DivergingRunExitsThreeWithAMessage) {
  const std::string out = tmp("div.json");
  const Result r = run("train --d 3 --T 20 --m 50 --test-m 10 --lr 5 --a0 2 --b0 2 --epochs 50 --quiet --out " + out);
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("diverged at epoch"), std::string::npos) << r.out;
  EXPECT_NE(slurp(out).find("\"diverged\":true"), std::string::npos);
  EXPECT_EQ(slurp(out).find("nan"), std::string::npos);
}
