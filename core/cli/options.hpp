// Command-line parsing for mesaflow. The options that set a field of the run are the core's
// field table (fields.hpp); the others (files, counts, flags of the program itself) are the
// second table here, kCliOptions. Both are checked before anything runs.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/problem.hpp"
#include "mesaflow/sweep.hpp"

namespace mesaflow {

struct CliOptions {
  std::string command;  // train | theory | sweep | merge | help | version
  Config config;
  SweepGrid grid;              // sweep: the options, each a value, a list or a range
  std::set<std::string> given; // options given on the command line, by name
  long jobs = 0;               // sweep: runs at the same time, 0 = one per core
  std::string out, data, save_data, test_data;
  std::string checkpoint, from_checkpoint;  // train: write the checkpoint at the end; continue from one
  std::string w_file;          // --w-file: the W of process fixed (loaded into config and grid.base)
  double test_fraction = 0.1;  // --data without --test-data: the held-out share of the file
  long mesa_seqs = 1000;
  long mc = 0;                 // theory: Monte Carlo draws of x_1 (0 = closed form only)
  std::vector<int> capability_T;  // theory --T LO:HI: the log-spaced T of the capability curve
  std::string shard;           // sweep --shard K/N: the runs i with i % N == K
  long shard_index = 0, shard_count = 1;
  std::vector<std::string> files;  // merge: the parts
  bool quiet = false;
  bool resume = false;         // sweep --resume: keep the lines already in --out, run the missing ones
  bool no_time_limit = false;  // sweep --no-time-limit: no limit on the whole sweep's estimated time
  bool record_params = false;  // W_KQ, W_PV at every evaluation into history.params
};

enum Command : unsigned { kTrain = 1, kTheory = 2, kSweep = 4, kMerge = 8 };

// An option of the program that is not a field of the run.
struct CliOption {
  const char* name;      // without "--"
  const char* syntax;    // as --help shows it: "--out F.json"
  const char* help;
  unsigned commands;     // where it is accepted: kTrain | kTheory | kSweep
  std::string CliOptions::*file = nullptr;  // a file name ...
  long CliOptions::*count = nullptr;        // ... or a count in [min, max] ...
  bool CliOptions::*flag = nullptr;         // ... or a flag ...
  double CliOptions::*fraction = nullptr;   // ... or a number in (min, max)
  double min = 0, max = 0;
};

const std::vector<CliOption>& cli_options();

// Parses argv into o, or returns the problem (its field the option's name, without "--").
Problem parse_cli(int argc, char** argv, CliOptions& o, const FieldTable& fields = config_fields());
// A problem as the command line shows it: "--lr: 'abc' is not valid; ...", "--m, test-m, T, d: ...".
std::string cli_text(const Problem& p, const FieldTable& fields = config_fields());
// How the command line writes a setting: "--lr 0.5".
std::string cli_setting(const std::string& field, const std::string& value);
// --help: the commands, every field of the table with its range and default, then kCliOptions.
std::string usage(const FieldTable& fields = config_fields());

}  // namespace mesaflow
