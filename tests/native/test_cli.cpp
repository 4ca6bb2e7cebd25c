// The command-line program, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "mesaflow/fields.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/npy.hpp"

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
                        "--epochs", "--eval-every", "--test-m", "--clip", "--seed", "--data", "--save-data", "--out", "--jobs"})
    EXPECT_NE(r.out.find(std::string(o) + " "), std::string::npos) << o;
  EXPECT_NE(r.out.find("mesaflow sweep"), std::string::npos);
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
  // Trained on the file (all of it: the same file is given as the test set, so nothing is held
  // out), the run is the same: the training columns of the history agree to the bit.
  r = run("train" + common + " --data " + npy + " --test-data " + npy + " --record-params --out " + out2);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string j2 = slurp(out2);
  const auto column = [](const std::string& s, const std::string& key) {
    const std::size_t at = s.find("\"" + key + "\":[", s.find("\"history\":"));
    return s.substr(at, s.find(']', at) - at);
  };
  for (const char* key : {"epoch", "train_loss", "ab"}) EXPECT_EQ(column(j, key), column(j2, key)) << key;
  EXPECT_NE(j2.find("\"test_set\":{\"source\":\"file\""), std::string::npos);
  const std::string h2 = j2.substr(j2.find("\"history\":"), j2.find("\"theory\":") - j2.find("\"history\":"));
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

TEST(Cli, SweepWritesOneLinePerRunInGridOrder) {
  const std::string out = tmp("sweep.jsonl");
  std::remove(out.c_str());
  const std::string common = " --d 3 --T 12 --m 40 --test-m 16 --epochs 3 --lr 1e-3 --quiet";
  Result r = run("sweep" + common + " --scale 0.5,1 --a0 0.1:0.2:0.1 --jobs 2 --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string j = slurp(out);
  std::vector<std::string> lines;
  for (std::size_t p = 0, q; (q = j.find('\n', p)) != std::string::npos; p = q + 1) lines.push_back(j.substr(p, q - p));
  ASSERT_EQ(lines.size(), 4u) << j;
  // Numbers are written as the shortest text that reads back to the same double (0.1, not
  // 0.10000000000000001 as before the JSON writer became nlohmann-json's): a0 is 0.1 exactly.
  const char* expect[4][2] = {{"\"scale\":0.5", "\"a0\":0.1,"}, {"\"scale\":0.5", "\"a0\":0.2,"},
                              {"\"scale\":1,", "\"a0\":0.1,"}, {"\"scale\":1,", "\"a0\":0.2,"}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(lines[i].rfind("{\"run\":" + std::to_string(i) + ",", 0), 0u) << lines[i];
    EXPECT_NE(lines[i].find(expect[i][0]), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(expect[i][1]), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("\"diverged\":false"), std::string::npos) << lines[i];
  }
  // The same run alone through train gives the same final ab (one thread or several).
  r = run("train" + common + " --scale 1 --a0 0.2 --out " + tmp("one.json"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string one = slurp(tmp("one.json"));
  const std::string abs = one.substr(one.find("\"ab\":[") + 6);
  const std::string last_ab = abs.substr(abs.rfind(',', abs.find(']')) + 1, abs.find(']') - abs.rfind(',', abs.find(']')) - 1);
  EXPECT_NE(lines[3].find("\"ab\":" + last_ab + ","), std::string::npos) << last_ab << "\n" << lines[3];
  // Sequential (one job) gives the same lines apart from the wall time.
  r = run("sweep" + common + " --scale 0.5,1 --a0 0.1:0.2:0.1 --jobs 1");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto strip = [](const std::string& s) {
    std::string o;
    for (std::size_t p = 0, q; (q = s.find("\"wall_seconds\":", p)) != std::string::npos; p = s.find('}', q)) o += s.substr(p, q - p);
    return o;
  };
  EXPECT_EQ(strip(r.out), strip(j));
}

TEST(Cli, SweepBadValuesExitTwoAndWriteNothing) {
  const std::string out = tmp("bad.jsonl");
  std::remove(out.c_str());
  struct Case {
    const char* args;
    const char* expect;
  };
  for (const Case& c : {Case{"sweep --scale 0.5:2", "--scale: '0.5:2' is not a valid range; expected start:stop:step"},
                        Case{"sweep --scale 0.5,-1", "--scale: '-1' is not valid; expected a number in [0.001, 1000]"},
                        Case{"sweep --lr 2:1:0.5", "--lr: '2:1:0.5' is not a valid range"},
                        Case{"sweep --scale 1:100:1 --a0 1:100:1 --b0 1,2", "the grid has 20000 runs, more than the limit"},
                        Case{"sweep --m 10000000 --test-m 10000000 --d 16,32 --epochs 1", "reduce m"},
                        Case{"sweep --T 1000 --epochs 1000,1000000", "more than the budget of 7 days natively; reduce epochs, m, test-m or T (run 1 of the grid)"},
                        Case{"sweep --jobs -1", "--jobs"}, Case{"sweep --save-data x.npy", "not with sweep"},
                        Case{"train --scale 0.5,1", "lists and ranges go with 'mesaflow sweep'"},
                        Case{"train --jobs 2", "--jobs goes with 'mesaflow sweep'"}}) {
    const Result r = run(std::string(c.args) + " --out " + out);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_FALSE(exists(out)) << c.args;
  }
}

// A sweep that outgrows one machine (issue 13): the grid as 4 interleaved shards, each its own
// process, run by GNU parallel (Debian's `parallel`), merged back into grid order: the same lines as
// the one-process sweep, byte for byte apart from wall_seconds.
TEST(Cli, ShardsThroughGnuParallelMergeIntoTheOneProcessSweep) {
  if (std::system("parallel --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "GNU parallel is not installed";
  const std::string dir = tmp("shards"), whole = tmp("whole.jsonl"), merged = tmp("merged.jsonl");
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  const std::string grid = " --d 2 --T 8 --m 20 --test-m 8 --epochs 3 --lr 1e-3 --quiet --scale 0.5,1,1.5 --x1 gaussian,unit-phase --seed 1:2:1";
  Result r = run("sweep" + grid + " --out " + whole);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string cmd = "parallel --will-cite " + std::string(MESAFLOW_CLI) + " sweep" + grid + " --shard {}/4 --out " + dir +
                          "/part{}.jsonl ::: 0 1 2 3 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  r = run("merge " + dir + "/part0.jsonl " + dir + "/part1.jsonl " + dir + "/part2.jsonl " + dir + "/part3.jsonl --out " + merged);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto strip = [](const std::string& s) {
    std::string o;
    for (std::size_t p = 0, q; (q = s.find("\"wall_seconds\":", p)) != std::string::npos; p = s.find('}', q)) o += s.substr(p, q - p);
    return o;
  };
  const std::string a = slurp(whole), b = slurp(merged);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 12);
  EXPECT_EQ(strip(b), strip(a));
  // Each part holds the runs i with i % 4 == K, in grid order.
  const std::string part1 = slurp(dir + "/part1.jsonl");
  EXPECT_EQ(part1.rfind("{\"run\":1,\"grid_runs\":12,", 0), 0u) << part1;
  EXPECT_NE(part1.find("\n{\"run\":5,"), std::string::npos);
  EXPECT_NE(part1.find("\n{\"run\":9,"), std::string::npos);
}

TEST(Cli, BadShardsAndBrokenPartsAreRefusedWithAMessage) {
  const std::string grid = " --d 2 --T 8 --m 20 --test-m 8 --epochs 2 --quiet --scale 0.5,1";
  for (const char* bad : {"4/4", "-1/4", "1/0", "x/4", "1/", "/4", "1/4/2", "0/20000"}) {
    const Result r = run("sweep" + grid + " --shard " + bad);
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.out.find("--shard: '"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("expected K/N with 0 <= K < N"), std::string::npos) << r.out;
  }
  EXPECT_NE(run("train --shard 0/2").out.find("--shard goes with 'mesaflow sweep', not with train"), std::string::npos);
  const std::string p0 = tmp("p0.jsonl"), p1 = tmp("p1.jsonl"), junk = tmp("junk.jsonl"), other = tmp("other.jsonl");
  ASSERT_EQ(run("sweep" + grid + " --shard 0/2 --out " + p0).status, 0);
  ASSERT_EQ(run("sweep" + grid + " --shard 1/2 --out " + p1).status, 0);
  ASSERT_EQ(run("sweep" + grid + " --seed 1,2 --shard 1/2 --out " + other).status, 0);  // a grid of 4
  std::ofstream(junk) << "{\"run\": 0}\nnot json\n";
  struct Case {
    std::string args, expect;
  };
  for (const Case& c : {Case{"merge " + p0, "1 of the grid's 2 runs are missing: 1"},
                        Case{"merge " + p0 + " " + p0, "run 0 appears twice: " + p0 + " line 1 and " + p0 + " line 1"},
                        Case{"merge " + p0 + " " + junk, junk + " line 1: not a line of mesaflow sweep"},
                        Case{"merge " + p0 + " " + other, "a grid of 4 runs, but the lines before are of a grid of 2"},
                        Case{"merge", "merge: expected the files of the parts"},
                        Case{"merge /nonexistent.jsonl", "merge: cannot open '/nonexistent.jsonl'"},
                        Case{"merge " + p0 + " --lr 1", "--lr goes with 'mesaflow train', 'mesaflow theory' or 'mesaflow sweep'"}}) {
    const Result r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
  }
  EXPECT_EQ(run("merge " + p1 + " " + p0).status, 0);
}

// Issue 21: the kernel's instruction set in --version and in a run's document (isa.hpp), and a
// MESAFLOW_ISA that names no kernel of this build refused with the allowed values.
TEST(Cli, KernelInstructionSetIsReported) {
  const std::string isa = mesaflow::kernel_isa();
  EXPECT_NE(run("--version").out.find("\nkernel " + isa + " ("), std::string::npos) << run("--version").out;
  const std::string out = tmp("k.json");
  ASSERT_EQ(run("train --d 2 --T 6 --m 10 --test-m 8 --epochs 1 --quiet --out " + out).status, 0);
  EXPECT_NE(slurp(out).find("\"kernel\":\"" + isa + "\",\"mesaflow\":"), std::string::npos) << slurp(out);
  const char* before = std::getenv("MESAFLOW_ISA");
  const std::string saved = before ? before : "";
  setenv("MESAFLOW_ISA", "mmx", 1);  // the child's environment
  const Result r = run("train --d 2 --T 6 --m 10 --test-m 8 --epochs 1 --quiet");
  if (before) setenv("MESAFLOW_ISA", saved.c_str(), 1);
  else unsetenv("MESAFLOW_ISA");
  EXPECT_EQ(r.status, 2) << r.out;
  std::string allowed;
  for (const std::string& k : mesaflow::kernel_isas_built()) allowed += (allowed.empty() ? "" : ", ") + k;
  EXPECT_NE(r.out.find("mesaflow: MESAFLOW_ISA: 'mmx' is not a kernel of this build; allowed: " + allowed), std::string::npos) << r.out;
}

TEST(Cli, VersionIsPackageJsonsEverywhere) {
  const std::string pkg = slurp(MESAFLOW_PACKAGE_JSON);
  const std::size_t at = pkg.find("\"version\": \"") + 12;
  const std::string v = pkg.substr(at, pkg.find('"', at) - at);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(run("--version").out.rfind("mesaflow " + v + "\nkernel ", 0), 0u) << run("--version").out;
  EXPECT_NE(run("theory").out.find("\"mesaflow\":\"" + v + "\""), std::string::npos);
  const std::string out = tmp("v.json");
  ASSERT_EQ(run("train --d 2 --T 6 --m 10 --test-m 8 --epochs 1 --quiet --out " + out).status, 0);
  EXPECT_NE(slurp(out).find("\"mesaflow\":\"" + v + "\""), std::string::npos);
}

// The linear-map baseline (core/THEORY.md §9) through the command line: its document carries its
// one block A, null for the attention model's quantities, and the same numbers as a Session.
TEST(Cli, TrainsTheLinearMapModel) {
  const std::string out = tmp("linear_map.json");
  std::remove(out.c_str());
  const Result r = run("train --model linear-map --d 2 --T 10 --m 50 --test-m 30 --epochs 20 --lr 0.05 --seed 4 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["config"]["model"], "linear-map");
  ASSERT_TRUE(j["final"].contains("a_re") && j["final"].contains("a_im"));
  EXPECT_FALSE(j["final"].contains("wkq_re"));
  EXPECT_EQ(j["final"]["a_re"].size(), 2u);
  EXPECT_TRUE(j["mesa"].is_null());
  EXPECT_FALSE(j["theory"]["applies"].get<bool>());
  EXPECT_TRUE(j["theory"]["c_star_T"].is_null());
  for (const auto& v : j["history"]["ab"]) EXPECT_TRUE(v.is_null());
  const auto& loss = j["history"]["train_loss"];
  EXPECT_LT(loss.back().get<double>(), loss.front().get<double>());
  // The same run in this process: the same bits.
  mesaflow::Config c;
  for (auto [k, v] : {std::pair{"model", "linear-map"}, {"d", "2"}, {"T", "10"}, {"m", "50"}, {"test-m", "30"}, {"epochs", "20"},
                      {"lr", "0.05"}, {"seed", "4"}})
    ASSERT_FALSE(mesaflow::set_field(c, k, v));
  mesaflow::Session s(c);
  s.run(c.epochs);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(j["final"]["a_re"][i][k].get<double>(), s.params().blocks[0](i, k).real());
      EXPECT_EQ(j["final"]["a_im"][i][k].get<double>(), s.params().blocks[0](i, k).imag());
    }
  EXPECT_EQ(loss.back().get<double>(), s.history().train_loss.back());
  // A model that is not registered: the field and the choices.
  const Result bad = run("train --model softmax --out " + out + "x");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("--model: 'softmax' is not valid; expected one of attention, linear-map"), std::string::npos) << bad.out;
  // The summary in words names the model and says why there is no prediction.
  const Result words = run("train --model linear-map --d 2 --T 10 --m 50 --test-m 30 --epochs 3 --lr 0.05");
  EXPECT_EQ(words.status, 0);
  EXPECT_NE(words.out.find("model linear-map"), std::string::npos) << words.out;
  EXPECT_NE(words.out.find("no prediction"), std::string::npos) << words.out;
}

// Issue 19: trained on a file whose sequences follow a W that mixes coordinates (a real rotation),
// the run's theory gives no prediction and says why (dynamics.hpp); on the same file with a
// diagonal W the predictions are there.
TEST(Cli, TrainOnAFileWithANonDiagonalWSaysNoPredictionAndWhy) {
  const auto file = [](double phi) {  // x_{t+1} = R(phi) x_t in coordinates 1, 2; coordinate 3 turns
    mesaflow::Dataset ds(30, 10, 3);
    for (int s = 0; s < ds.m; ++s) {
      std::complex<double> x[3] = {{1.0 + 0.1 * s, 0.2}, {0.5, -0.3}, {0.0, 0.7}};
      for (int t = 0; t < ds.T; ++t) {
        for (int j = 0; j < 3; ++j) ds.set(s, t, j, x[j]);
        const std::complex<double> a = x[0], b = x[1];
        x[0] = std::cos(phi) * a - std::sin(phi) * b;
        x[1] = phi == 0 ? std::polar(1.0, 0.4) * b : std::sin(phi) * a + std::cos(phi) * b;
        x[2] *= std::polar(1.0, 0.9);
      }
    }
    return ds;
  };
  const std::string bad = tmp("rotated.npy"), good = tmp("diagonal.npy"), out = tmp("rotated.json");
  mesaflow::write_npy(bad, file(0.3));
  mesaflow::write_npy(good, file(0));
  // --clip: the theory applies to these first tokens whatever their mixed moments; the dynamics decide.
  Result r = run("train --data " + bad + " --clip --epochs 2 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(slurp(out));
  const nlohmann::json& th = j["theory"];
  EXPECT_EQ(th["applies"], false);
  for (const char* k : {"c_star_T", "c_star_inf", "ratio_pred", "recovery", "last_mse_pred", "verdict", "ode_ab"})
    EXPECT_TRUE(th[k].is_null()) << k;
  EXPECT_TRUE(th["c_star_empirical"].is_number());  // issue 22: measured on the training set, for every run
  const std::string why = th["reason"].get<std::string>();
  EXPECT_EQ(why.rfind("the file's sequences do not follow x_{t+1} = W x_t with W diagonal and unitary, which the theory assumes: "
                      "|x_{t+1}|/|x_t| = ", 0), 0u) << why;
  EXPECT_EQ(th["dynamics"]["diagonal"], false);
  EXPECT_EQ(th["dynamics"]["why"], why);
  r = run("train --data " + good + " --clip --epochs 2 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["theory"]["applies"], true) << j["theory"]["reason"];
  EXPECT_TRUE(j["theory"]["c_star_T"].is_number());
  EXPECT_EQ(j["theory"]["dynamics"]["source"], "checked on the file's 27 training sequences");  // 30, a tenth held out
}
