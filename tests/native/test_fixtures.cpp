// The command-line program against outputs saved before the edges were redesigned (issue 11,
// tests/fixtures/README.md): the same exit status, the same messages character for character,
// and the same JSON documents (every key in the same order, every number the same double; only
// wall_seconds is not compared). Where an output changed on purpose, the change is listed in
// kChanges and applied to the saved text before comparing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

using Json = nlohmann::ordered_json;

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
bool exists(const std::string& p) { return std::ifstream(p).good(); }
std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

struct Case {
  std::string name, args;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  std::istringstream in(slurp(std::string(MESAFLOW_FIXTURES) + "/cli/cases.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto bar = line.find('|');
    out.push_back({trim(line.substr(0, bar)), trim(line.substr(bar + 1))});
  }
  return out;
}

// Outputs changed on purpose since the fixtures were written: in case `name`'s file `what`
// (err, stdout), the text `before` became `after`.
struct Change {
  const char *name, *what, *before, *after, *why;
};
const Change kChanges[] = {
    {"help", "stdout", "--save-data F.npy  write", "--save-data F.npy write",
     "the program's own options are laid out by their table: one space after the widest"},
    {"bad-jobs", "err", "--jobs goes with 'mesaflow sweep'", "--jobs goes with 'mesaflow sweep', not with train",
     "misplaced options are refused by the options table in one sentence"},
    {"bad-save", "err", "--save-data goes with 'mesaflow train' or 'mesaflow theory', not with sweep",
     "--save-data goes with 'mesaflow train', not with sweep", "theory never accepted --save-data; the message said it did"},
};

std::string expected(const std::string& name, const std::string& what) {
  std::string text = slurp(std::string(MESAFLOW_FIXTURES) + "/cli/" + name + "." + what);
  for (const Change& c : kChanges) {
    if (name != c.name || what != c.what) continue;
    const auto at = text.find(c.before);
    EXPECT_NE(at, std::string::npos) << name << "." << what << ": listed change not found: " << c.before;
    if (at != std::string::npos) text.replace(at, std::string(c.before).size(), c.after);
  }
  return text;
}

// Documents (one per line for a sweep) without wall_seconds, written the canonical way.
std::string canonical(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json j = Json::parse(line);
    j.erase("wall_seconds");
    out += j.dump() + "\n";
  }
  return out;
}

// The timing of the summary line: "  0.01 s, 5 gradient evaluations".
std::string without_times(const std::string& s) { return std::regex_replace(s, std::regex("[0-9]+\\.[0-9]+ s,"), "T s,"); }

}  // namespace

TEST(Fixtures, TheCommandLineGivesTheSavedOutputs) {
  const auto all = cases();
  ASSERT_GE(all.size(), 25u);
  for (const Case& c : all) {
    SCOPED_TRACE(c.name + ": mesaflow " + c.args);
    const std::string dir = ::testing::TempDir() + "mesaflow_fixture_" + c.name;
    std::remove((dir + ".out").c_str());
    std::string args = c.args;
    const bool to_file = args.find("{out}") != std::string::npos;
    if (to_file) args.replace(args.find("{out}"), 5, dir + ".out");
    // From a scratch directory: relative files (sweep --save-data x.npy) land there.
    const std::string cmd = "mkdir -p " + dir + " && cd " + dir + " && " + MESAFLOW_CLI + " " + args + " 2>" + dir + ".err";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int st = pclose(p);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, std::stoi(expected(c.name, "status")));
    EXPECT_EQ(slurp(dir + ".err"), expected(c.name, "err"));
    const std::string saved_out = expected(c.name, "stdout");
    if (!to_file && !saved_out.empty() && saved_out[0] == '{') EXPECT_EQ(canonical(out), canonical(saved_out));
    else EXPECT_EQ(without_times(out), without_times(saved_out));
    const std::string saved_doc = std::string(MESAFLOW_FIXTURES) + "/cli/" + c.name + ".json";
    EXPECT_EQ(exists(dir + ".out"), exists(saved_doc));
    if (exists(saved_doc) && exists(dir + ".out")) EXPECT_EQ(canonical(slurp(dir + ".out")), canonical(slurp(saved_doc)));
  }
}

TEST(Fixtures, EveryListedChangeIsUsed) {
  for (const Change& c : kChanges) {
    const std::string saved = slurp(std::string(MESAFLOW_FIXTURES) + "/cli/" + c.name + "." + c.what);
    EXPECT_NE(saved.find(c.before), std::string::npos) << c.name << ": " << c.why;
  }
}
