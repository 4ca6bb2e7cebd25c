// A grid of configurations for `mesaflow sweep`: any field of the table (config.hpp) may take a
// list "0.5,1,2" or an inclusive range "start:stop:step" ("0.5:2:0.5" = 0.5, 1, 1.5, 2), or a mix
// "0.1,0.5:2:0.5". The grid is the cartesian product, the first option given varying slowest.
// Every value is checked by set_field() when it is added, so errors name the option and its
// allowed range before anything runs.
#pragma once
#include <string>
#include <vector>

#include "mesaflow/config.hpp"

namespace mesaflow {

class Session;

constexpr long kMaxSweepRuns = 10000;

struct SweepAxis {
  std::string name;                 // the field's option name, e.g. "scale"
  std::vector<std::string> values;  // as text, each accepted by set_field
};

// The values of option `name` written as text (a value, a list, a range or a mix). Returns "" or an
// error naming the option, e.g. "scale: '0.5:2' is not a valid range; expected start:stop:step ...".
std::string expand_values(const std::string& name, const std::string& text, std::vector<std::string>& out);

struct SweepGrid {
  Config base;                  // fields given one value
  std::vector<SweepAxis> axes;  // fields given several, in the order given

  // Adds option `name` = text (one value goes into base). Returns "" or an error as above.
  std::string add(const std::string& name, const std::string& text);
  // Number of runs (a double, so a huge product does not overflow).
  double size() const;
  // Configuration of run i, 0 <= i < size(); the last axis varies fastest.
  Config at(long i) const;
  // "" if the grid has at most kMaxSweepRuns runs, otherwise an error saying how many it has.
  std::string check_size() const;
};

// One JSON line describing a finished run: {"run", "config", "data", "epochs_done", "ab",
// "test_loss", "ratio", "last_mse" (values at the last evaluation), "c_star_T", "c_star_inf",
// "c_star_empirical", "ratio_pred", "moment_ratio", "recovery", "diverged", "message",
// "wall_seconds"}.
std::string sweep_json(const Session& s, long run, double wall_seconds);

}  // namespace mesaflow
