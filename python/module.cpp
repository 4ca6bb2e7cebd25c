// The Python module's work, on the core alone: the field table reads every value, Session trains,
// report.hpp writes the documents, npy.cpp reads and writes the data, sweep.cpp runs grids.
// What it does beyond that mirrors `mesaflow train/theory/sweep` (core/cli/main.cpp) step by step.
#include "module.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "../core/cli/options.hpp"
#include "mesaflow/budget.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/npy.hpp"
#include "mesaflow/ode.hpp"
#include "mesaflow/report.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/sweep.hpp"
#include "mesaflow/version.hpp"

namespace mesaflow::python {

namespace {

[[noreturn]] void fail(const Problem& p) { throw InputError{p, cli_text(p)}; }

Config config_from(const Pairs& fields) {
  Config c;
  for (const auto& [key, text] : fields)
    if (Problem p = set_field(c, key, text)) fail(p);
  return c;
}

Dataset read_data(const std::string& field, const DataArg& a, Precision precision) {
  try {
    if (!a.file.empty()) return read_npy(a.file, kNativeMemoryBudget, precision);
    return parse_npy(a.bytes, kNativeMemoryBudget, precision);
  } catch (const NpyError& e) {
    fail({field, e.what(), {}});
  }
}

}  // namespace

std::string fields_json() { return mesaflow::fields_json().dump(); }

std::string train_json(const Pairs& fields, long mesa_seqs, double test_fraction, bool record_params, const DataArg& data,
                       const DataArg& test_data) {
  const Config c = config_from(fields);
  const auto t0 = std::chrono::steady_clock::now();
  // --data and --test-data, as main.cpp's load_data: the test set given, or held out of the data.
  Dataset all, train, test;
  if (data.given()) {
    all = read_data("data", data, c.precision);
    if (test_data.given()) {
      test = read_data("test-data", test_data, c.precision);
      if (test.d != all.d || test.T != all.T) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "has d = %d, T = %d; the training data has d = %d, T = %d", test.d, test.T, all.d, all.T);
        fail({"test-data", buf, {}});
      }
      train = std::move(all);
    } else {
      if (all.m < 2) fail({"data", "holds 1 sequence: a held-out test set needs at least 2 (or give --test-data)", {}});
      split_dataset(all, test_fraction, c.seed, &train, &test);
    }
  } else if (test_data.given()) {
    fail({"test-data", "goes with data: the training set it is the test set of", {}});
  }
  std::unique_ptr<Session> s;
  try {
    SessionOptions so;
    so.data = data.given() ? &train : nullptr;
    so.test_data = data.given() ? &test : nullptr;
    s = std::make_unique<Session>(c, so);
  } catch (const ConfigError& e) {
    fail(e.problem);
  }
  s->record_params(record_params);
  while (!s->done()) s->run(1);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Json doc = run_json(*s, wall, static_cast<int>(mesa_seqs), cli_setting);
  if (data.given()) {
    if (test_data.given())
      doc["test_set"] = test_data.file.empty() ? Json{{"source", "array"}, {"sequences", test.m}}
                                               : Json{{"source", "file"}, {"file", test_data.file}, {"sequences", test.m}};
    else
      doc["test_set"] = {{"source", "held out of --data, by sequence"}, {"fraction", test_fraction}, {"seed", c.seed},
                         {"sequences", test.m}};
  }
  return doc.dump();
}

std::string theory_json(const Pairs& fields) {
  const Config c = config_from(fields);
  if (Problem p = validate(c, std::numeric_limits<double>::infinity(), kGeneratedLayout, false, kNoTimeBudget)) fail(p);
  const Theory th = theory_for(c);
  bool want_ode = true;  // as main.cpp's theory_command: a0, b0, lr and epochs all given
  for (const char* f : {"a0", "b0", "lr", "epochs"})
    want_ode &= std::any_of(fields.begin(), fields.end(), [&](const auto& kv) { return find_field(kv.first) == find_field(f); });
  std::vector<double> epochs, ode;
  if (want_ode) {
    ode = ode_ab(c.a0, c.b0, th.A, th.B, c.d, c.lr, c.epochs);
    for (int e = 0; e <= c.epochs; e += c.eval_every) epochs.push_back(e);
    if (epochs.back() != c.epochs) epochs.push_back(c.epochs);
  }
  Json j = mesaflow::theory_json(th, want_ode ? &epochs : nullptr, want_ode ? &ode : nullptr);
  j["mesaflow"] = version();
  return j.dump();
}

std::string generate_npy(const Pairs& fields) {
  const Config c = config_from(fields);
  if (Problem p = validate(c, kNativeMemoryBudget)) fail(p);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  // write_npy writes a file; the bytes are what Python wants (numpy.load reads them).
  char name[] = "/tmp/mesaflow-generate-XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) throw std::runtime_error("generate: cannot create a temporary file");
  close(fd);
  write_npy(name, ds);
  std::ifstream f(name, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::remove(name);
  return bytes;
}

namespace {

struct Plan {
  std::vector<Config> configs;
  std::string grid_id;
};

// As main.cpp's sweep_command: the grid, threads = 1 unless given, every run validated first.
Plan plan(const Pairs& fields) {
  SweepGrid grid;
  bool threads_given = false;
  for (const auto& [key, text] : fields) {
    const FieldSpec* f = find_field(key);
    if (!f) fail({"", "unknown option '" + key + "'", {}});
    threads_given |= std::string(f->name) == "threads";
    if (Problem p = grid.add(f->name, text)) fail(p);
  }
  if (Problem p = grid.check_size()) fail(p);
  const long runs = static_cast<long>(grid.size());
  Plan out;
  for (long i = 0; i < runs; ++i) {
    Config c = grid.at(i);
    if (!threads_given) c.threads = 1;
    if (Problem p = validate(c, kNativeMemoryBudget, kGeneratedLayout, false)) {
      if (runs > 1) p.message += " (run " + std::to_string(i) + " of the grid)";
      fail(p);
    }
    out.configs.push_back(c);
  }
  out.grid_id = grid_identity(out.configs, "generated");
  return out;
}

}  // namespace

std::pair<long, std::string> sweep_plan(const Pairs& fields) {
  const Plan p = plan(fields);
  return {static_cast<long>(p.configs.size()), p.grid_id};
}

std::string sweep_run(const Pairs& fields, long i) {
  const Plan p = plan(fields);
  const long runs = static_cast<long>(p.configs.size());
  if (i < 0 || i >= runs) fail({"run", std::to_string(i) + " is not a run of this grid of " + std::to_string(runs), {}});
  std::string line;
  run_sweep({{i, p.configs[static_cast<std::size_t>(i)]}}, runs, nullptr, nullptr, 1, cli_setting,
            [&](long, const Json& j) { line = j.dump(); }, p.grid_id);
  return line;
}

std::vector<std::string> sweep_lines(const Pairs& fields, int jobs) {
  const Plan p = plan(fields);
  std::vector<GridRun> todo;
  for (std::size_t i = 0; i < p.configs.size(); ++i) todo.push_back({static_cast<long>(i), p.configs[i]});
  std::vector<std::string> lines;
  run_sweep(todo, static_cast<long>(todo.size()), nullptr, nullptr, jobs, cli_setting,
            [&](long, const Json& j) { lines.push_back(j.dump()); }, p.grid_id);
  return lines;
}

}  // namespace mesaflow::python
