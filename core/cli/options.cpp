#include "options.hpp"

#include <cstdlib>
#include <sstream>

namespace mesaflow {

std::string usage() {
  std::ostringstream u;
  u << "mesaflow: the one-layer linear attention model of arXiv 2405.16845, trained by gradient descent\n\n"
       "usage:\n"
       "  mesaflow train  [options]   train, evaluate and compare with the theory\n"
       "  mesaflow theory [options]   print the theory object (JSON); the ODE part with --a0 --b0 --lr --epochs\n"
       "  mesaflow sweep  [options]   train a grid: any option below may be a list 0.5,1,2 or an inclusive range\n"
       "                              start:stop:step (0.5:2:0.5); one JSON line per run (the cartesian product)\n"
       "  mesaflow --help\n\n"
       "options (defaults: the paper's gaussian sigma = 1 setting):\n";
  for (const auto& f : config_fields()) {
    Config def;
    const std::string range = f.type == FieldType::Bool ? "flag" : range_text(f);
    std::string opt = std::string("  --") + f.name;
    opt.resize(16, ' ');
    u << opt << f.help << "; " << range << "; default " << get_field(def, f) << "\n";
  }
  u << "  --data F.npy    train on a .npy file: complex128 or complex64, shape (m, d, T), C order\n"
       "  --save-data F.npy  write the training set as .npy (complex128, shape (m, d, T))\n"
       "  --out F.json    write the run (config, history, theory, final, mesa, diverged, wall_seconds)\n"
       "  --mesa-seqs N   test sequences for the error-versus-position view, [0, 100000], default 1000\n"
       "  --mc N          theory: also estimate the moments by Monte Carlo from N draws, [0, 100000000]\n"
       "  --record-params keep W_KQ and W_PV at every evaluation (history.params in --out)\n"
       "  --quiet         no progress line\n"
       "  --jobs N        sweep: runs at the same time, one thread each, [0, 256], default 0 = one per core\n\n"
       "sweep: at most " << kMaxSweepRuns << " runs; --out F.jsonl (default: standard output) gets one line per run in grid\n"
       "order: run, config, data, epochs_done, ab, test_loss, ratio, last_mse, c_star_T, c_star_inf, c_star_empirical,\n"
       "ratio_pred, moment_ratio, recovery, diverged, message, wall_seconds. A diverged run is reported, not fatal.\n\n"
       "exit status: 0 ok, 2 bad options or input, 3 the run diverged (train)\n";
  return u.str();
}

static std::string parse_count(const std::string& name, const std::string& v, long lo, long hi, long& out) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x >= lo && x <= hi) || x != static_cast<long>(x))
    return name + ": '" + v.substr(0, 40) + "' is not valid; expected an integer in [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "]";
  out = static_cast<long>(x);
  return "";
}

std::string parse_cli(int argc, char** argv, CliOptions& o) {
  if (argc < 2) return "missing command: train, theory or sweep";
  o.command = argv[1];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") {
    o.command = "help";
    return "";
  }
  if (o.command != "train" && o.command != "theory" && o.command != "sweep")
    return "unknown command '" + o.command.substr(0, 40) + "'; expected train, theory or sweep";
  const bool sweep = o.command == "sweep";
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.command = "help";
      return "";
    }
    if (arg.rfind("--", 0) != 0) return "unexpected argument '" + arg.substr(0, 40) + "'";
    std::string name = arg.substr(2), value;
    bool has_value = false;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const bool is_flag = name == "clip" || name == "quiet" || name == "record-params";
    // In a sweep --clip may take a list: --clip true,false (or --clip=true,false).
    const bool next_is_value = i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0;
    if (!has_value && sweep && name == "clip" && next_is_value) {
      value = argv[++i];
    } else if (!has_value && !is_flag) {
      if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0) return "--" + name.substr(0, 40) + ": missing value";
      value = argv[++i];
    }
    if (sweep && (name == "save-data" || name == "record-params" || name == "mesa-seqs" || name == "mc"))
      return "--" + name + " goes with 'mesaflow train' or 'mesaflow theory', not with sweep";
    if (name == "quiet" || name == "record-params") {
      (name == "quiet" ? o.quiet : o.record_params) = true;
      continue;
    }
    if (name == "out" || name == "data" || name == "save-data") {
      if (value.empty()) return "--" + name + ": missing file name";
      (name == "out" ? o.out : name == "data" ? o.data : o.save_data) = value;
      continue;
    }
    if (name == "jobs") {
      if (!sweep) return "--jobs goes with 'mesaflow sweep'";
      long v;
      const std::string e = parse_count("--jobs", value, 0, 256, v);
      if (!e.empty()) return e;
      o.jobs = static_cast<int>(v);
      continue;
    }
    if (name == "mesa-seqs") {
      long v;
      const std::string e = parse_count("--mesa-seqs", value, 0, 100000, v);
      if (!e.empty()) return e;
      o.mesa_seqs = static_cast<int>(v);
      continue;
    }
    if (name == "mc") {
      const std::string e = parse_count("--mc", value, 0, 100000000, o.mc);
      if (!e.empty()) return e;
      continue;
    }
    if (!find_field(name) || std::string(find_field(name)->name) != name)
      return "unknown option '--" + name.substr(0, 40) + "' (see mesaflow --help)";
    const std::string e = sweep ? o.grid.add(name, value) : set_field(o.config, name, value);
    if (!e.empty() && !sweep && value.find_first_of(",:") != std::string::npos)
      return "--" + e + " (lists and ranges go with 'mesaflow sweep')";
    if (!e.empty()) return "--" + e;
    if (name == "a0") o.ode_given[0] = true;
    if (name == "b0") o.ode_given[1] = true;
    if (name == "lr") o.ode_given[2] = true;
    if (name == "epochs") o.ode_given[3] = true;
  }
  if (sweep) {
    const std::string e = o.grid.check_size();
    if (!e.empty()) return e;
  }
  if (o.command == "theory" && (!o.data.empty() || !o.save_data.empty()))
    return "--data and --save-data go with 'mesaflow train'";
  return "";
}

}  // namespace mesaflow
