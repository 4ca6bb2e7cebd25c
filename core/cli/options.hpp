// Command-line parsing for mesaflow: long options named after the paper, checked by the
// core's field table before anything runs.
#pragma once
#include <string>

#include "mesaflow/config.hpp"
#include "mesaflow/sweep.hpp"

namespace mesaflow {

struct CliOptions {
  std::string command;  // train | theory | sweep | help
  Config config;
  SweepGrid grid;       // sweep: the options, each a value, a list or a range
  int jobs = 0;         // sweep: runs at the same time, 0 = one per core
  std::string out, data, save_data;
  int mesa_seqs = 1000;
  long mc = 0;          // theory: Monte Carlo draws of x_1 (0 = closed form only)
  bool quiet = false;
  bool record_params = false;  // W_KQ, W_PV at every evaluation into history.params
  bool ode_given[4] = {false, false, false, false};  // a0, b0, lr, epochs given explicitly
};

// Returns "" or an error message naming the option and the allowed range.
std::string parse_cli(int argc, char** argv, CliOptions& o);
std::string usage();

}  // namespace mesaflow
