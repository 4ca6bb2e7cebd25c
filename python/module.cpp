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
#include "mesaflow/checkpoint_file.hpp"
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
    if (a.base) {  // in place: the one copy is into the set's own layout
      Dataset ds;
      if (std::string e = array_to_dataset(a.base, a.item, a.shape, a.strides, kNativeMemoryBudget, &ds, precision); !e.empty())
        throw NpyError(e);
      return ds;
    }
    return parse_npy(a.bytes, kNativeMemoryBudget, precision);
  } catch (const NpyError& e) {
    fail({field, e.what(), {}});
  }
}

}  // namespace

std::string fields_json() { return mesaflow::fields_json().dump(); }

namespace {

// --data and --test-data, as main.cpp's load_data: the test set given, or held out of the data
// by `seed`; none given: generated sets (given false).
struct Sets {
  Dataset train, test;
  bool given = false;
};

Sets load_sets(const Config& c, const DataArg& data, const DataArg& test_data, double test_fraction) {
  Sets out;
  if (data.given()) {
    out.given = true;
    Dataset all = read_data("data", data, c.precision);
    if (test_data.given()) {
      out.test = read_data("test-data", test_data, c.precision);
      if (out.test.d != all.d || out.test.T != all.T) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "has d = %d, T = %d; the training data has d = %d, T = %d", out.test.d, out.test.T, all.d, all.T);
        fail({"test-data", buf, {}});
      }
      out.train = std::move(all);
    } else {
      if (all.m < 2) fail({"data", "holds 1 sequence: a held-out test set needs at least 2 (or give --test-data)", {}});
      split_dataset(all, test_fraction, c.seed, &out.train, &out.test);
    }
  } else if (test_data.given()) {
    fail({"test-data", "goes with data: the training set it is the test set of", {}});
  }
  return out;
}

// The session takes the sets over (moved, not copied): they are read for it alone.
std::unique_ptr<Session> session_on(const Config& c, Sets&& sets) {
  try {
    SessionOptions so;
    so.own_data = sets.given ? &sets.train : nullptr;
    so.own_test_data = sets.given ? &sets.test : nullptr;
    return std::make_unique<Session>(c, so);
  } catch (const ConfigError& e) {
    fail(e.problem);
  }
}

}  // namespace

std::unique_ptr<Session> make_session(const Pairs& fields, const DataArg& data, const DataArg& test_data, double test_fraction) {
  const Config c = config_from(fields);
  return session_on(c, load_sets(c, data, test_data, test_fraction));
}

std::unique_ptr<Session> resume_session(const std::string& checkpoint, const Pairs& fields, const DataArg& data,
                                        const DataArg& test_data, double test_fraction) {
  SavedRun saved;
  if (Problem p = read_checkpoint(checkpoint, "checkpoint", saved)) fail(p);
  const Config given = config_from(fields);
  std::vector<std::string> names;
  for (const auto& kv : fields) names.push_back(kv.first);
  Config c;
  std::vector<std::pair<std::string, std::string>> live;
  if (Problem p = resumed_config(saved, given, names, c, &live)) fail(p);
  Sets sets = load_sets(c, data, test_data, test_fraction);
  if (Problem p = check_resumed_data(saved, sets.given ? &sets.train : nullptr, &sets.test, "checkpoint")) fail(p);
  std::unique_ptr<Session> s = session_on(c, std::move(sets));
  try {
    s->resume(saved.checkpoint);
  } catch (const ConfigError& e) {
    fail(as_part(e.problem, "checkpoint"));
  }
  for (const auto& [field, value] : live)
    if (Problem p = s->change(field, value)) fail(p);
  return s;
}

std::string checkpoint_text(const Session& s) {
  if (s.diverged()) fail({"checkpoint", "the run diverged: there is nothing to go on from (start a new run)", {}});
  return checkpoint_json(s).dump();
}

std::string train_json(const Pairs& fields, long mesa_seqs, double test_fraction, bool record_params, const DataArg& data,
                       const DataArg& test_data) {
  const Config c = config_from(fields);
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Session> s = session_on(c, load_sets(c, data, test_data, test_fraction));
  s->record_params(record_params);
  while (!s->done()) s->run(1);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Json doc = run_json(*s, wall, static_cast<int>(mesa_seqs), cli_setting);
  if (data.given()) {
    const int test_m = s->config().test_m;  // the given or held-out test set's
    if (test_data.given())
      doc["test_set"] = test_data.file.empty() ? Json{{"source", "array"}, {"sequences", test_m}}
                                               : Json{{"source", "file"}, {"file", test_data.file}, {"sequences", test_m}};
    else
      doc["test_set"] = {{"source", "held out of --data, by sequence"}, {"fraction", test_fraction}, {"seed", c.seed},
                         {"sequences", test_m}};
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
  Sets sets;  // --data and --test-data, read once for every run
};

// As main.cpp's sweep_command: the grid, threads = 1 unless given, a file's sizes in every run,
// every run validated first. The data are read in the grid's base precision and a held-out part
// drawn by the default seed, as the CLI does (a sweep's --seed is the grid's, not its base's).
Plan plan(const Pairs& fields, const DataArg& data, const DataArg& test_data, double test_fraction) {
  SweepGrid grid;
  bool threads_given = false;
  for (const auto& [key, text] : fields) {
    const FieldSpec* f = find_field(key);
    if (!f) fail({"", "unknown option '" + key + "'", {}});
    threads_given |= std::string(f->name) == "threads";
    if (Problem p = grid.add(f->name, text)) fail(p);
  }
  if (Problem p = grid.check_size()) fail(p);
  Plan out;
  Config reader;
  reader.precision = grid.base.precision;
  out.sets = load_sets(reader, data, test_data, test_fraction);
  const bool file = out.sets.given;
  const long runs = static_cast<long>(grid.size());
  for (long i = 0; i < runs; ++i) {
    Config c = grid.at(i);
    if (!threads_given) c.threads = 1;
    if (file) c.m = out.sets.train.m, c.d = out.sets.train.d, c.T = out.sets.train.T, c.test_m = out.sets.test.m;
    if (Problem p = validate(c, kNativeMemoryBudget, kGeneratedLayout, file)) {
      if (runs > 1) p.message += " (run " + std::to_string(i) + " of the grid)";
      fail(p);
    }
    out.configs.push_back(c);
  }
  out.grid_id = grid_identity(out.configs, !file ? "generated"
                                                 : "data m=" + std::to_string(out.sets.train.m) + " test_m=" +
                                                       std::to_string(out.sets.test.m) + (test_data.given() ? " file" : " held out"));
  return out;
}

const Dataset* train_of(const Plan& p) { return p.sets.given ? &p.sets.train : nullptr; }
const Dataset* test_of(const Plan& p) { return p.sets.given ? &p.sets.test : nullptr; }

}  // namespace

std::pair<long, std::string> sweep_plan(const Pairs& fields, const DataArg& data, const DataArg& test_data, double test_fraction) {
  const Plan p = plan(fields, data, test_data, test_fraction);
  return {static_cast<long>(p.configs.size()), p.grid_id};
}

std::string sweep_run(const Pairs& fields, long i, const DataArg& data, const DataArg& test_data, double test_fraction) {
  const Plan p = plan(fields, data, test_data, test_fraction);
  const long runs = static_cast<long>(p.configs.size());
  if (i < 0 || i >= runs) fail({"run", std::to_string(i) + " is not a run of this grid of " + std::to_string(runs), {}});
  std::string line;
  run_sweep({{i, p.configs[static_cast<std::size_t>(i)]}}, runs, train_of(p), test_of(p), 1, cli_setting,
            [&](long, const Json& j) { line = j.dump(); }, p.grid_id);
  return line;
}

std::vector<std::string> sweep_lines(const Pairs& fields, int jobs, const DataArg& data, const DataArg& test_data,
                                     double test_fraction) {
  const Plan p = plan(fields, data, test_data, test_fraction);
  std::vector<GridRun> todo;
  for (std::size_t i = 0; i < p.configs.size(); ++i) todo.push_back({static_cast<long>(i), p.configs[i]});
  std::vector<std::string> lines;
  run_sweep(todo, static_cast<long>(todo.size()), train_of(p), test_of(p), jobs, cli_setting,
            [&](long, const Json& j) { lines.push_back(j.dump()); }, p.grid_id);
  return lines;
}

}  // namespace mesaflow::python
