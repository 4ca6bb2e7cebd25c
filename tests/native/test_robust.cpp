// Issue 20, run as a hostile user would: every write checked and atomic, sweeps that resume after
// kill -9, merges that know their grid, strict numbers, no NaN, no bad_alloc abort.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

struct Result {
  int status;
  std::string out;
};

// Runs `sh -c "<prefix> mesaflow <args>"`, standard error with standard output.
Result run(const std::string& args, const std::string& prefix = "", const std::string& suffix = "") {
  const std::string cmd = prefix + std::string(MESAFLOW_CLI) + " " + args + " 2>&1" + suffix;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1, out};
}
std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
std::string dir_for(const std::string& n) {
  const std::string d = ::testing::TempDir() + "mesaflow_robust_" + n;
  std::string rm = "rm -rf '" + d + "'";
  EXPECT_EQ(std::system(rm.c_str()), 0);
  mkdir(d.c_str(), 0755);
  return d;
}
// Names in a directory (temporaries left behind would show here).
std::vector<std::string> listing(const std::string& d) {
  std::vector<std::string> names;
  if (DIR* dir = opendir(d.c_str())) {
    while (dirent* e = readdir(dir))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
    closedir(dir);
  }
  return names;
}
std::string without_wall_seconds(const std::string& s) {
  return std::regex_replace(s, std::regex("\"wall_seconds\":[-+.eE0-9]+"), "\"wall_seconds\":_");
}

const std::string kTiny = "--d 2 --T 5 --m 10 --test-m 10 --epochs 2 --quiet";

}  // namespace

// Every command's file and standard output: a full device, a directory, /proc: a message naming
// the file, status 2, never 0.
TEST(Robust, WritesThatFailSayWhichFileAndWhyAndExitTwo) {
  const std::string d = dir_for("fail");
  ASSERT_EQ(run("sweep " + kTiny + " --lr 0.01,0.02 --out " + d + "/p.jsonl").status, 0);
  struct Case {
    std::string args, expect;
  };
  for (const std::string& target : {std::string("/dev/full"), d, d + "/", std::string("/proc/version")})
    for (const Case& c : {Case{"theory --d 2 --T 5 --out " + target, ""}, Case{"train " + kTiny + " --out " + target, ""},
                          Case{"train " + kTiny + " --save-data " + target, ""}, Case{"merge " + d + "/p.jsonl --out " + target, ""}}) {
      const Result r = run(c.args);
      EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
      EXPECT_NE(r.out.find(target == d + "/" ? d : target), std::string::npos) << c.args << "\n" << r.out;
    }
  for (const std::string& args : {std::string("theory --d 2 --T 5"), std::string("train ") + kTiny, "sweep " + kTiny + " --lr 0.01,0.02",
                                  "merge " + d + "/p.jsonl", std::string("--help"), std::string("--version")}) {
    const Result r = run(args, "", " >/dev/full");
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("could not write to standard output"), std::string::npos) << args << r.out;  // (errno is lost once stdio has failed in an earlier flush: "write error")
  }
  // A closed pipe is not an error (mesaflow sweep | head), with SIGPIPE ignored too.
  const std::string piped = "{ (trap '' PIPE; " + std::string(MESAFLOW_CLI) + " sweep " + kTiny +
                            " --seed 1:12:1 --jobs 1; echo \"status=$?\" >&3) | head -c 1 >/dev/null; } 3>&1";
  FILE* p = popen(piped.c_str(), "r");
  std::string got;
  char buf[256];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) got.append(buf, n);
  pclose(p);
  EXPECT_NE(got.find("status=0"), std::string::npos) << got;
  EXPECT_EQ(listing(d), std::vector<std::string>{"p.jsonl"});  // no temporary left
}

// The old file survives a write that fails half-way: a full small tmpfs and a read-only one.
TEST(Robust, AFailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  const std::string d = dir_for("tmpfs");
  if (mount("mesaflow", d.c_str(), "tmpfs", 0, "size=64k") != 0) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  const std::string old = d + "/run.json", p = d + "/p.jsonl";
  ASSERT_EQ(run("sweep " + kTiny + " --lr 0.01,0.02 --out " + p).status, 0);
  spit(old, "the old file\n");
  // Fill what is left, then try every writer: each fails, names the file, keeps the old one.
  spit(d + "/filler", std::string(64 * 1024, 'x'));
  for (const std::string& args : {"theory --d 2 --T 5 --out " + old, "train " + kTiny + " --out " + old,
                                  "train " + kTiny + " --save-data " + old, "merge " + p + " --out " + old}) {
    const Result r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("'" + old + "'"), std::string::npos) << r.out;
    EXPECT_EQ(slurp(old), "the old file\n") << args;
  }
  EXPECT_EQ(listing(d).size(), 3u);  // run.json, p.jsonl, filler: no temporary
  std::remove((d + "/filler").c_str());
  ASSERT_EQ(mount(nullptr, d.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0);
  for (const std::string& args : {"theory --d 2 --T 5 --out " + old, "train " + kTiny + " --out " + old}) {
    const Result r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_EQ(slurp(old), "the old file\n") << args;
  }
  umount(d.c_str());
}

// The same without a mount: a target whose directory is a file, and a write that succeeds
// replaces the file whole.
TEST(Robust, ASuccessfulWriteReplacesTheFileWhole) {
  const std::string d = dir_for("replace");
  spit(d + "/run.json", std::string(100000, '#'));
  ASSERT_EQ(run("theory --d 2 --T 5 --out " + d + "/run.json").status, 0);
  const std::string now = slurp(d + "/run.json");
  EXPECT_EQ(now.find('#'), std::string::npos);
  EXPECT_EQ(now.rfind("{\"M2\"", 0), 0u) << now.substr(0, 40);
  EXPECT_EQ(listing(d), std::vector<std::string>{"run.json"});
  const Result r = run("theory --d 2 --T 5 --out " + d + "/run.json/x");
  EXPECT_EQ(r.status, 2);
}

// kill -9 at random points, then --resume until done: the same lines as an uninterrupted sweep,
// byte for byte apart from wall_seconds. A torn last line is dropped with a note.
TEST(Robust, ASweepKilledAtRandomPointsResumesToTheUninterruptedResult) {
  const std::string d = dir_for("resume");
  const std::string grid = "sweep --d 3 --T 20 --m 100 --test-m 20 --epochs 200 --lr 0.001,0.002,0.003 --seed 1:4:1 --quiet --jobs 2";
  const std::string whole = d + "/whole.jsonl", part = d + "/part.jsonl";
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run(grid + " --out " + whole).status, 0);
  const int whole_ms = static_cast<int>(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  const std::string expect = without_wall_seconds(slurp(whole));
  ASSERT_EQ(std::count(expect.begin(), expect.end(), '\n'), 12);
  std::mt19937 rng(20);
  int kills = 0, rounds = 0;
  for (bool first = true, again = false;; first = again, again = false) {
    ASSERT_LT(++rounds, 40) << "the sweep does not finish";
    std::vector<std::string> argv = {"/bin/sh", "-c", "exec " + std::string(MESAFLOW_CLI) + " " + grid + " --out " + part +
                                                          (first ? "" : " --resume") + " 2>/dev/null"};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, cargv.data(), environ), 0);
    int st = 0;
    if (kills >= 6) {  // enough kills: let this one finish
      waitpid(pid, &st, 0);
      ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
      break;
    }
    // A random point: up to about the time of the whole sweep (measured above).
    const int ms = std::uniform_int_distribution<int>(10, std::max(50, whole_ms))(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (waitpid(pid, &st, WNOHANG) == pid) {
      ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
      if (kills > 0) break;
      // Finished before any kill (a quiet machine runs it faster than the timed sweep did): the
      // test is about kills, so start again from nothing.
      std::remove(part.c_str());
      again = true;
      continue;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    if (WIFEXITED(st)) {
      ASSERT_EQ(WEXITSTATUS(st), 0);
      break;
    }
    ++kills;
    if (kills == 2) {  // a line torn as by a kill in the middle of a write
      std::ofstream(part, std::ios::app) << "{\"run\":7,\"grid_runs\":12,\"grid_id\":\"0";
    }
  }
  EXPECT_GE(kills, 1);
  EXPECT_EQ(without_wall_seconds(slurp(part)), expect) << kills << " kills";
  // The note, and a resume of a finished sweep runs nothing.
  std::ofstream(part, std::ios::app) << "{\"torn";
  const Result r = run(grid + " --out " + part + " --resume --quiet");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("ends in a torn line (6 bytes, no newline): dropped"), std::string::npos) << r.out;
  EXPECT_EQ(without_wall_seconds(slurp(part)), expect);
  // Another grid's file is refused, not appended to.
  const Result other = run("sweep --d 3 --T 20 --m 200 --test-m 50 --epochs 300 --lr 0.005 --quiet --resume --out " + part);
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.out.find("is of another grid"), std::string::npos) << other.out;
  EXPECT_EQ(without_wall_seconds(slurp(part)), expect);
}

// Merge refuses a part of another grid of the same size, and lines without a grid identity,
// naming both files.
TEST(Robust, MergeRefusesPartsOfAnotherGridOfTheSameSize) {
  const std::string d = dir_for("merge");
  const std::string g = "sweep " + kTiny + " --seed 1:4:1 ";
  for (int k = 0; k < 4; ++k)
    ASSERT_EQ(run(g + "--lr 0.01 --shard " + std::to_string(k) + "/4 --out " + d + "/p" + std::to_string(k)).status, 0);
  ASSERT_EQ(run(g + "--lr 0.02 --shard 1/4 --out " + d + "/other1").status, 0);
  ASSERT_EQ(run("merge " + d + "/p0 " + d + "/p1 " + d + "/p2 " + d + "/p3").status, 0);
  Result r = run("merge " + d + "/p0 " + d + "/other1 " + d + "/p2 " + d + "/p3");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(d + "/other1 line 1 is of grid '"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(d + "/p0 line 1 is of grid '"), std::string::npos) << r.out;
  spit(d + "/f", "{\"run\":0,\"grid_runs\":1}\n");
  r = run("merge " + d + "/f");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(d + "/f line 1: a sweep line without grid_id"), std::string::npos) << r.out;
  // The grid identity is the grid's, not the shard's: every line of the four parts carries one.
  const std::string p0 = slurp(d + "/p0"), p3 = slurp(d + "/p3");
  const auto id = [](const std::string& s) { return s.substr(s.find("\"grid_id\":"), 30); };
  EXPECT_EQ(id(p0), id(p3));
  EXPECT_NE(id(p0), id(slurp(d + "/other1")));
}

// One number grammar: decimal with an optional exponent; no hex, no '+', no blanks, no inf/nan.
TEST(Robust, NumbersFollowOneGrammarEverywhere) {
  for (const char* bad : {"--d 0x10", "--seed 0x1F", "--lr 0x1p-10", "--d +5", "--d ' 5'", "--d '5 '", "--lr inf", "--lr nan",
                          "--lr 1e", "--lr .", "--lr -.e1", "--magnitude values:0x10@1", "--magnitude 'values:+1@1'",
                          "--magnitude 'uniform: 1:2'", "--mesa-seqs 0x10", "--mesa-seqs +5"}) {
    const Result r = run(std::string("train ") + bad + " --epochs 0 --quiet");
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.out;
    EXPECT_NE(r.out.find("is not valid"), std::string::npos) << bad << "\n" << r.out;
  }
  for (const char* bad : {"--lr 0x1:0x3:0x1", "--lr '+0.1:0.3:0.1'", "--shard +0/2", "--shard ' 0/2'"}) {
    const Result r = run(std::string("sweep ") + kTiny + " " + bad);
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.out;
  }
  for (const char* good : {"--d 5.", "--d 1e1", "--lr .5e-2", "--lr 5E-3", "--scale 1.0", "--lr 0.001"}) {
    const Result r = run(std::string("theory ") + good);
    EXPECT_EQ(r.status, 0) << good << "\n" << r.out;
  }
}

// Magnitude laws in a sweep: a list separated by ';'.
TEST(Robust, MagnitudeLawsFormAListInASweep) {
  const Result r = run("sweep --x1 sparse " + kTiny + " --magnitude 'const;values:1,2@0.5,0.5;uniform:0.5:1.5'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"grid_runs\":3"), std::string::npos) << r.out;
  for (const char* law : {"\"magnitude\":\"const\"", "\"magnitude\":\"values:1,2@0.5,0.5\"", "\"magnitude\":\"uniform:0.5:1.5\""})
    EXPECT_NE(r.out.find(law), std::string::npos) << law;
  EXPECT_EQ(run("sweep --x1 sparse " + kTiny + " --magnitude 'const;values:1@2'").status, 2);
}

// Tiny moduli: the scale-free ratio is exact, the verdict agrees with holds; below the range a
// refusal naming the field. Moments computed independently: a constant modulus r has
// M4^2 / (M2 M6) = r^8 / (r^2 r^6) = 1 whatever r; values {a, 2a} with p = 1/2 has
// ((1 + 16)/2)^2 / ((1 + 4)/2 (1 + 64)/2) = 289/325.
TEST(Robust, TinyOrHugeModuliGiveTheExactVerdictNotNaN) {
  for (const char* law : {"values:1e-100@1", "values:1e-40@1", "uniform:1e-100:1e-100"}) {
    const Result r = run(std::string("theory --x1 sparse --scale 0.001 --magnitude ") + law);
    EXPECT_EQ(r.status, 0) << law << r.out;
    EXPECT_NE(r.out.find("\"moment_ratio\":1,"), std::string::npos) << law << "\n" << r.out;
    EXPECT_NE(r.out.find("\"assumption_4_2\":{\"holds\":true"), std::string::npos) << law << "\n" << r.out;
    EXPECT_EQ(r.out.find("\"c_star_T\":null"), std::string::npos) << law;
    EXPECT_NE(r.out.find("\"verdict\":\"recovers at this T\""), std::string::npos) << law;
  }
  const Result two = run("theory --x1 sparse --scale 0.001 --magnitude values:1e-100,2e-100@0.5,0.5");
  EXPECT_NE(two.out.find("\"moment_ratio\":" + std::string("0.88923076923076")), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("\"verdict\":\"does not recover"), std::string::npos) << two.out;
  for (const char* law : {"values:1e-300@1", "uniform:1e-320:1e-310"}) {
    const Result r = run(std::string("theory --x1 sparse --scale 0.001 --magnitude ") + law);
    EXPECT_EQ(r.status, 2) << law;
    EXPECT_NE(r.out.find("--magnitude, scale: "), std::string::npos) << r.out;
  }
  const Result t = run("train --x1 sparse --scale 0.001 --magnitude values:1e-100@1 " + kTiny);
  EXPECT_EQ(t.status, 0) << t.out;
  EXPECT_EQ(t.out.find("nan"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("c*(T) 1e+206"), std::string::npos) << t.out;  // 1/(1e-103)^2, printed as a number
}

// Divergence: a non-finite loss at epoch 0 is the data's overflow, not a step size; a suggested
// step is always a valid value and flow is not suggested to a run of flow.
TEST(Robust, DivergenceMessagesAreTrueAndTheirSuggestionsValid) {
  const std::string d = dir_for("diverge");
  // A .npy of 1e300 everywhere: complex128, shape (20, 2, 10), written here byte by byte.
  std::string h = "{'descr': '<c16', 'fortran_order': False, 'shape': (20, 2, 10), }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h;
  for (int i = 0; i < 20 * 2 * 10 * 2; ++i) {
    const double v = 1e300;
    bytes.append(reinterpret_cast<const char*>(&v), 8);
  }
  spit(d + "/big.npy", bytes);
  Result r = run("train --data " + d + "/big.npy --epochs 5 --quiet");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("the data overflow: values up to 1e+300"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("try a smaller step"), std::string::npos) << r.out;
  r = run("train --method flow --lr 4.9e-324 " + kTiny);
  EXPECT_EQ(r.out.find("the data overflow"), std::string::npos) << r.out;  // a collapsed step, not the data
  if (r.status == 3) {
    EXPECT_EQ(r.out.find("--method flow"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("--lr 0 "), std::string::npos) << r.out;
  }
  r = run("train --lr 10 --scale 30 " + kTiny);
  EXPECT_EQ(r.status, 3) << r.out;
  const std::smatch none;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("--lr ([^ )]+)"))) {
    const double lr = std::strtod(m[1].str().c_str(), nullptr);
    EXPECT_GT(lr, 0) << r.out;
    EXPECT_LT(lr, 10) << r.out;
  }
}

// Allocation failures under ulimit -v are the usual problem, status 2, never an abort.
TEST(Robust, NoBadAllocAbortUnderUlimit) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space for its shadow memory at start, so a
  // program under `ulimit -v` cannot start at all; the release build's run of this test holds it.
  GTEST_SKIP() << "not under AddressSanitizer (its shadow memory does not fit ulimit -v)";
#endif
  const std::string d = dir_for("ulimit");
  spit(d + "/x.json", "old\n");
  for (const std::string& args : {"train --m 10000000 --test-m 10 --d 32 --T 3 --epochs 0 --quiet --out " + d + "/x.json",
                                  "sweep --m 1000000 --test-m 1000000 --T 3 --d 5 --epochs 0 --seed 1:16:1 --jobs 16 --quiet --out " +
                                      d + "/y.jsonl"}) {
    const Result r = run(args, "ulimit -v 1000000; ");
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("could not allocate"), std::string::npos) << r.out;
  }
}

// Budgets: a sweep's memory counts its --jobs, its total time is bounded unless asked, the mesa
// view is in the estimate, a file is counted decoded, and the units are GiB.
TEST(Robust, BudgetsBoundTheWholeCommand) {
  Result r = run("sweep --m 1000000 --test-m 1000000 --T 3 --d 32 --epochs 0 --seed 1:16:1 --jobs 16 --quiet");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--jobs: 16 runs at a time need about"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GiB"), std::string::npos) << r.out;
  r = run("sweep --epochs 800000 --seed 1:10000:1 --quiet");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("more than the limit of 7 days"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--no-time-limit"), std::string::npos) << r.out;
  r = run("train --m 10000000 --test-m 10000000 --d 32 --quiet");
  EXPECT_NE(r.out.find("more than the budget of 16.00 GiB"), std::string::npos) << r.out;
  r = run("train --x1 full-one --d 32 --T 100000 --m 1 --test-m 100000 --epochs 0 --mesa-seqs 100000 --quiet");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--mesa-seqs: the run and its mesa view"), std::string::npos) << r.out;
  // --mesa-seqs 0 is obeyed by the summary: this finishes at once (the view would take seconds).
  const auto t0 = std::chrono::steady_clock::now();
  r = run("train --x1 full-one --d 32 --T 100 --m 16 --test-m 16 --epochs 0 --mesa-seqs 0 --quiet");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_EQ(r.out.find("no vanilla one-step GD makes"), std::string::npos) << r.out;
  r = run("train --data . --quiet");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("'.' is not a regular file"), std::string::npos) << r.out;
}

// A repeated key of a .npy header is refused (NumPy would keep the last one).
TEST(Robust, RepeatedNpyHeaderKeyIsRefused) {
  const std::string d = dir_for("npy");
  std::string h = "{'descr': '<c16', 'fortran_order': False, 'fortran_order': True, 'shape': (4, 2, 5), }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h +
                      std::string(4 * 2 * 5 * 16, '\0');
  spit(d + "/rep.npy", bytes);
  const Result r = run("train --data " + d + "/rep.npy --quiet");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("the key 'fortran_order' is repeated"), std::string::npos) << r.out;
}
