#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "mesaflow/number.hpp"
#include "mesaflow/process.hpp"
#include "mesaflow/theory.hpp"

namespace mesaflow {

const std::vector<CliOption>& cli_options() {
  using O = CliOptions;
  static const std::vector<CliOption> options = {
      {"data", "--data F.npy", "train on a .npy file: complex128 or complex64, shape (m, d, T), C order", kTrain | kSweep,
       &O::data},
      {"test-data", "--test-data G.npy", "with --data: test on this file instead of a held-out part of the data", kTrain | kSweep,
       &O::test_data},
      {"test-fraction", "--test-fraction F", "with --data: the share of its sequences held out for testing, by sequence "
       "(seeded by --seed), in (0, 0.9], default 0.1", kTrain | kSweep, nullptr, nullptr, nullptr, &O::test_fraction, 0, 0.9},
      {"w-file", "--w-file W.npy", "process fixed: the one W of every sequence, a (d, d) .npy (float64, float32, "
       "complex128 or complex64, C order); without it W is drawn once from the seed", kTrain | kTheory | kSweep, &O::w_file},
      {"save-data", "--save-data F.npy", "write the training set as .npy (complex128; complex64 with --precision single; shape (m, d, T))", kTrain,
       &O::save_data},
      {"checkpoint", "--checkpoint C.json", "train: write the run's checkpoint when it stops (not after a divergence), "
       "to go on with --from-checkpoint", kTrain, &O::checkpoint},
      {"from-checkpoint", "--from-checkpoint C.json", "train: continue the run saved in C.json, bit for bit as if never "
       "stopped; its configuration is the saved one: give more --epochs to go on, and --data/--test-data again if it had "
       "them; lr, eval-every, clip, method given are changes from its epoch on, other fields must be the saved ones", kTrain,
       &O::from_checkpoint},
      {"out", "--out F.json", "write the run (config, history, theory, final, mesa, diverged, wall_seconds)",
       kTrain | kTheory | kSweep | kMerge, &O::out},
      {"shard", "--shard K/N", "sweep: run only the K-th of N interleaved parts of the grid (runs i with i % N == K, "
       "0 <= K < N); mesaflow merge puts the parts together", kSweep, &O::shard},
      {"mesa-seqs", "--mesa-seqs N", "test sequences for the error-versus-position view, [0, 100000], default 1000",
       kTrain | kTheory, nullptr, &O::mesa_seqs, nullptr, nullptr, 0, 100000},
      {"mc", "--mc N", "theory: also estimate the moments by Monte Carlo from N draws, [0, 100000000]", kTrain | kTheory,
       nullptr, &O::mc, nullptr, nullptr, 0, 100000000},
      {"record-params", "--record-params", "keep W_KQ and W_PV at every evaluation (history.params in --out)",
       kTrain | kTheory, nullptr, nullptr, &O::record_params},
      {"resume", "--resume", "sweep: keep the lines already in --out (they must be of this grid; a torn last line is "
       "dropped) and run only the missing runs; without it --out is replaced", kSweep, nullptr, nullptr, &O::resume},
      {"no-time-limit", "--no-time-limit", "sweep: run even when the whole sweep is estimated to take more than 7 days "
       "(each run is still held to the budget)", kSweep, nullptr, nullptr, &O::no_time_limit},
      {"quiet", "--quiet", "no progress line", kTrain | kTheory | kSweep | kMerge, nullptr, nullptr, &O::quiet},
      {"jobs", "--jobs N", "sweep: runs at the same time, one thread each, [0, 256], default 0 = one per core", kSweep,
       nullptr, &O::jobs, nullptr, nullptr, 0, 256},
  };
  return options;
}

namespace {

const CliOption* find_option(const std::string& name) {
  for (const auto& o : cli_options())
    if (name == o.name) return &o;
  return nullptr;
}

std::string commands_text(unsigned commands) {
  std::string s;
  for (auto [bit, name] : {std::pair{kTrain, "train"}, {kTheory, "theory"}, {kSweep, "sweep"}, {kMerge, "merge"}})
    if (commands & bit) s += (s.empty() ? "'mesaflow " : " or 'mesaflow ") + std::string(name) + "'";
  return s;
}

unsigned command_bit(const std::string& command) {
  return command == "train" ? kTrain : command == "theory" ? kTheory : command == "merge" ? kMerge : kSweep;
}

// --shard K/N into o.shard_index, o.shard_count.
Problem parse_shard(CliOptions& o) {
  const std::string& s = o.shard;
  const std::size_t slash = s.find('/');
  for (char ch : s)  // digits and one slash: no sign, no blanks
    if (!(ch == '/' || (ch >= '0' && ch <= '9')) || s.size() > 12)
      return {"shard", shown(s) + " is not valid; expected K/N with 0 <= K < N <= " + std::to_string(kMaxSweepRuns) + ", e.g. 0/4", {}};
  char* end = nullptr;
  const long k = slash == std::string::npos ? -1 : std::strtol(s.c_str(), &end, 10);
  const bool k_ok = slash != std::string::npos && end == s.c_str() + slash && slash > 0;
  const long n = k_ok ? std::strtol(s.c_str() + slash + 1, &end, 10) : 0;
  if (!k_ok || *end != '\0' || slash + 1 == s.size() || !(n >= 1 && n <= kMaxSweepRuns) || !(k >= 0 && k < n))
    return {"shard", shown(s) + " is not valid; expected K/N with 0 <= K < N <= " + std::to_string(kMaxSweepRuns) + ", e.g. 0/4", {}};
  o.shard_index = k;
  o.shard_count = n;
  return {};
}

Problem parse_count(const CliOption& opt, const std::string& v, long& out) {
  double x = 0;
  if (!parse_decimal(v, x) || !(x >= opt.min && x <= opt.max) || x != static_cast<long>(x))
    return {opt.name, shown(v) + " is not valid; expected an integer in [" + std::to_string(static_cast<long>(opt.min)) + ", " +
                          std::to_string(static_cast<long>(opt.max)) + "]",
            {}};
  out = static_cast<long>(x);
  return {};
}

Problem parse_fraction(const CliOption& opt, const std::string& v, double& out) {
  double x = 0;
  if (!parse_decimal(v, x) || !(x > opt.min && x <= opt.max)) {
    char range[64];
    std::snprintf(range, sizeof range, "(%g, %g]", opt.min, opt.max);
    return {opt.name, shown(v) + " is not valid; expected a number in " + range, {}};
  }
  out = x;
  return {};
}

// theory --T LO:HI: the capability curve over log-spaced T; the theory object itself is at HI.
Problem capability_range(const std::string& value, CliOptions& o) {
  const std::size_t colon = value.find(':');
  Config lo = o.config, hi = o.config;
  if (value.find(':', colon + 1) != std::string::npos || set_field(lo, "T", value.substr(0, colon)) ||
      set_field(hi, "T", value.substr(colon + 1)) || lo.T > hi.T)
    return {"T", shown(value) + " is not a valid range; expected LO:HI, integers in [3, 100000] with LO <= HI, e.g. 10:100000 "
                 "(the capability curve at log-spaced T)", {}};
  o.config.T = hi.T;
  o.capability_T = log_spaced(lo.T, hi.T);
  return {};
}

// One option of the program (not a field) with its value.
Problem set_option(const CliOption& opt, const std::string& value, CliOptions& o) {
  if (!(opt.commands & command_bit(o.command)))  // the command line's own sentence
    return {"", std::string("--") + opt.name + " goes with " + commands_text(opt.commands) + ", not with " + o.command, {}};
  if (opt.flag) o.*opt.flag = true;
  else if (opt.count) return parse_count(opt, value, o.*opt.count);
  else if (opt.fraction) return parse_fraction(opt, value, o.*opt.fraction);
  else if (value.empty()) return {opt.name, "missing file name", {}};
  else o.*opt.file = value;
  return {};
}

}  // namespace

std::string cli_text(const Problem& p, const FieldTable& fields) {
  const bool option = find_field(p.field, fields) || find_option(p.field);
  return option ? "--" + describe(p) : describe(p);
}

std::string cli_setting(const std::string& field, const std::string& value) { return "--" + field + " " + value; }

std::string usage(const FieldTable& fields) {
  std::ostringstream u;
  u << "mesaflow: the one-layer linear attention model of arXiv 2405.16845, trained by gradient descent\n\n"
       "usage:\n"
       "  mesaflow train  [options]   train, evaluate and compare with the theory\n"
       "  mesaflow theory [options]   print the theory object (JSON); the ODE part with --a0 --b0 --lr --epochs\n"
       "  mesaflow sweep  [options]   train a grid: any option below may be a list 0.5,1,2 or an inclusive range\n"
       "                              start:stop:step (0.5:2:0.5); one JSON line per run (the cartesian product)\n"
       "  mesaflow merge PART...      the lines of sweep --shard parts in grid order (refuses gaps and duplicates)\n"
       "  mesaflow --help | --version\n\n"
       "options (defaults: the paper's gaussian sigma = 1 setting):\n";
  const auto line = [&](std::string left, const std::string& text, std::size_t width) {
    left = "  " + left;
    left.resize(std::max(width, left.size() + 1), ' ');
    u << left << text << "\n";
  };
  const Config def;
  for (const auto& f : fields) {
    const std::string range = f.kind == FieldKind::Flag ? "flag" : f.kind == FieldKind::Text ? "text" : range_text(f);
    line(std::string("--") + f.name, std::string(f.help) + "; " + range + "; default " + get_field(def, f), 16);
  }
  for (const auto& o : cli_options()) line(o.syntax, o.help, 18);
  u << "\nsweep: at most " << kMaxSweepRuns << " runs; --out F.jsonl (default: standard output) gets one line per run in grid\n"
       "order: run, config, data, epochs_done, ab, test_loss, ratio, last_mse, c_star_T, c_star_inf, c_star_empirical,\n"
       "ratio_pred, moment_ratio, recovery, applies, last_mse_pred, verdict, diverged, message, wall_seconds. A diverged\n"
       "run is reported, not fatal. theory --T LO:HI adds the capability curve at log-spaced T.\n\n"
       "numbers: decimal with an optional exponent (5, -0.5, .5, 1e-3); no hex, no '+', no blanks. A list of magnitude\n"
       "laws in a sweep is separated by ';': --magnitude 'const;values:1,2@0.5,0.5'.\n\n"
       "exit status: 0 ok, 2 bad options or input, or a file, standard output or memory that failed, 3 the run diverged (train)\n";
  return u.str();
}

Problem parse_cli(int argc, char** argv, CliOptions& o, const FieldTable& fields) {
  if (argc < 2) return {"", "missing command: train, theory or sweep", {}};
  o.command = argv[1];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") {
    o.command = "help";
    return {};
  }
  if (o.command == "--version" || o.command == "version") {
    o.command = "version";
    return {};
  }
  if (o.command != "train" && o.command != "theory" && o.command != "sweep" && o.command != "merge")
    return {"", "unknown command " + shown(o.command) + "; expected train, theory, sweep or merge", {}};
  const bool sweep = o.command == "sweep";
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.command = "help";
      return {};
    }
    if (arg.rfind("--", 0) != 0) {
      if (o.command != "merge") return {"", "unexpected argument " + shown(arg), {}};
      o.files.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FieldSpec* f = find_field(name, fields);
    if (f && std::string(f->name) != name) f = nullptr;  // the CLI name only: --sigma-w, not --sigma_w
    const CliOption* opt = find_option(name);
    if (!f && !opt) return {"", "unknown option " + shown("--" + name) + " (see mesaflow --help)", {}};
    const bool is_flag = (f && f->kind == FieldKind::Flag) || (opt && opt->flag);
    const bool next_is_value = i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0;
    if (!has_value && sweep && f && f->kind == FieldKind::Flag && next_is_value) {
      value = argv[++i];  // in a sweep a flag may take a list: --clip true,false
    } else if (!has_value && !is_flag) {
      if (!next_is_value) return {name, "missing value", {}};
      value = argv[++i];
    }
    if (opt) {
      if (Problem p = set_option(*opt, value, o)) return p;
      o.given.insert(name);
      continue;
    }
    if (o.command == "merge")
      return {"", "--" + name + " goes with 'mesaflow train', 'mesaflow theory' or 'mesaflow sweep', not with merge", {}};
    if (o.command == "theory" && name == "T" && value.find(':') != std::string::npos &&
        value.find_first_not_of("0123456789:") == std::string::npos) {
      if (Problem p = capability_range(value, o)) return p;
      o.given.insert(name);
      continue;
    }
    Problem p = sweep ? o.grid.add(name, value) : set_field(o.config, name, value, fields);
    if (p && !sweep && value.find_first_of(",:") != std::string::npos)
      p.message += o.command == "theory" && name == "T" ? " (lists and ranges go with 'mesaflow sweep'; theory takes --T LO:HI)"
                                                        : " (lists and ranges go with 'mesaflow sweep')";
    if (p) return p;
    o.given.insert(name);
  }
  for (const char* name : {"test-data", "test-fraction"})
    if (o.given.count(name) && o.data.empty()) return {"", std::string("--") + name + " goes with --data", {}};
  if (o.given.count("test-data") && o.given.count("test-fraction"))
    return {"", "--test-data and --test-fraction: give one of them (a test file, or the share of --data held out)", {}};
  if (!o.w_file.empty()) {  // the matrix goes into the run's configuration (checked with it: shape, norm)
    if (Problem p = load_w_file(o.w_file, &o.config)) return p;
    o.grid.base.w_re = o.config.w_re;
    o.grid.base.w_im = o.config.w_im;
    o.grid.base.w_file = o.config.w_file;
  }
  if (o.command == "merge" && o.files.empty()) return {"", "merge: expected the files of the parts, e.g. mesaflow merge part*.jsonl", {}};
  if (o.given.count("shard"))
    if (Problem p = parse_shard(o)) return p;
  if (sweep) return o.grid.check_size();
  return {};
}

}  // namespace mesaflow
