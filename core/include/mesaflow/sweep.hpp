// A grid of configurations for `mesaflow sweep`: any field of the table (config.hpp) may take a
// list "0.5,1,2" or an inclusive range "start:stop:step" ("0.5:2:0.5" = 0.5, 1, 1.5, 2), or a mix
// "0.1,0.5:2:0.5". The grid is the cartesian product, the first option given varying slowest.
// Every value is checked by set_field() when it is added, so errors name the option and its
// allowed range before anything runs.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/problem.hpp"
#include "mesaflow/session.hpp"

namespace mesaflow {

constexpr long kMaxSweepRuns = 10000;

struct SweepAxis {
  std::string name;                 // the field's option name, e.g. "scale"
  std::vector<std::string> values;  // as text, each accepted by set_field
};

// The values of option `name` written as text (a value, a list, a range or a mix), or a problem
// naming the option: {"scale", "'0.5:2' is not a valid range; expected start:stop:step ..."}.
Problem expand_values(const std::string& name, const std::string& text, std::vector<std::string>& out);

struct SweepGrid {
  Config base;                  // fields given one value
  std::vector<SweepAxis> axes;  // fields given several, in the order given

  // Adds option `name` = text (one value goes into base), or a problem as above.
  Problem add(const std::string& name, const std::string& text);
  // Number of runs (a double, so a huge product does not overflow).
  double size() const;
  // Configuration of run i, 0 <= i < size(); the last axis varies fastest.
  Config at(long i) const;
  // A problem when the grid has more than kMaxSweepRuns runs, saying how many it has.
  Problem check_size() const;
};

// A run of a grid: its place in the grid and its configuration.
struct GridRun {
  long run;
  Config config;
};

// Runs every configuration (on data and test data when given, else on generated sets), `jobs` at a
// time with one thread each (results do not depend on the thread count), and calls report(k,
// line) on the calling thread for the k-th of runs, in their order, as soon as it and every earlier
// one have finished; the line is report.hpp's sweep_json of a grid of grid_runs runs. The
// configurations must be valid (validate them first).
// Every line carries grid_id when it is not empty (grid_identity). An exception in a run (e.g.
// std::bad_alloc) or in report stops the sweep: no new run starts, the running ones finish, and
// the exception is rethrown here on the calling thread.
void run_sweep(const std::vector<GridRun>& runs, long grid_runs, const Dataset* data, const Dataset* test_data, int jobs,
               SettingSyntax syntax, const std::function<void(long, const Json&)>& report, const std::string& grid_id = "");

// The identity of a grid: 16 hex digits of a 64-bit FNV-1a hash of the version, `extra` (what the
// configurations do not say, e.g. the data's source) and every run's configuration, field by field
// in the table's order (threads left out: results do not depend on it). Shards of one grid share it.
std::string grid_identity(const std::vector<Config>& configs, const std::string& extra);

// Merges sweep lines (texts of the JSON lines of `mesaflow sweep`, e.g. of several --shard parts)
// into grid order, into *merged (the lines as they were written, one per run). A problem names
// the file and line of a line that is not a sweep line, of a line without grid_id, of lines of
// different grids (grid_id or grid_runs differ), of a run given twice, or the runs missing.
struct SweepLine {
  std::string file;
  long line;
  std::string text;
};
Problem merge_sweep(const std::vector<SweepLine>& lines, std::vector<std::string>* merged);

}  // namespace mesaflow
