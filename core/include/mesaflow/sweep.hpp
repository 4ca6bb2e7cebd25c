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

// Runs every configuration (on data and test data when given, else on generated sets), `jobs` at a time with
// one thread each (results do not depend on the thread count), and calls report(i, line) on the
// calling thread in grid order, as soon as run i and every earlier run have finished; the line
// is report.hpp's sweep_json. The configurations must be valid (validate them first).
void run_sweep(const std::vector<Config>& configs, const Dataset* data, const Dataset* test_data, int jobs, SettingSyntax syntax,
               const std::function<void(long, const Json&)>& report);

}  // namespace mesaflow
