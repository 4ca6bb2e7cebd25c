// mesaflow command-line program: `mesaflow train`, `mesaflow theory` and `mesaflow sweep`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "mesaflow/isa.hpp"
#include "mesaflow/npy.hpp"
#include "mesaflow/report.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/version.hpp"
#include "options.hpp"

using namespace mesaflow;

namespace {

int bad_input(const Problem& p) {
  std::cerr << "mesaflow: " << cli_text(p) << "\nrun 'mesaflow --help' for the options and their ranges\n";
  return 2;
}

// A file named by option `field` must be creatable before we spend time training.
Problem check_writable(const std::string& field, const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (access(dir.c_str(), W_OK) != 0) return {field, "directory '" + dir + "' does not exist or is not writable", {}};
  return {};
}

// --data, when given: the training set, and the test set from --test-data or held out of it.
// In `precision` (a sweep over both reads in its base's; each run converts as it needs).
Problem load_data(const CliOptions& o, Precision precision, Dataset& train, Dataset& test) {
  if (o.data.empty()) return {};
  const auto read = [precision](const std::string& field, const std::string& path, Dataset& out) -> Problem {
    try {
      out = read_npy(path, kNativeMemoryBudget, precision);
    } catch (const NpyError& e) {
      return {field, e.what(), {}};
    }
    return {};
  };
  Dataset all;
  if (Problem p = read("data", o.data, all)) return p;
  if (!o.test_data.empty()) {
    if (Problem p = read("test-data", o.test_data, test)) return p;
    if (test.d != all.d || test.T != all.T) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "has d = %d, T = %d; the training data has d = %d, T = %d", test.d, test.T, all.d, all.T);
      return {"test-data", buf, {}};
    }
    train = std::move(all);
    return {};
  }
  if (all.m < 2) return {"data", "holds 1 sequence: a held-out test set needs at least 2 (or give --test-data)", {}};
  split_dataset(all, o.test_fraction, o.config.seed, &train, &test);
  return {};
}

// Where the test set of a --data run came from, for the JSON document.
Json test_set_json(const CliOptions& o, const Dataset& test) {
  if (!o.test_data.empty()) return {{"source", "file"}, {"file", o.test_data}, {"sequences", test.m}};
  return {{"source", "held out of --data, by sequence"}, {"fraction", o.test_fraction}, {"seed", o.config.seed},
          {"sequences", test.m}};
}

std::string text(const Json& j) { return j.dump(); }

// The last evaluation against the theory, where it applies.
void print_summary(const Session& s, double wall) {
  const History& h = s.history();
  const Theory& th = s.theory();
  const int epoch = static_cast<int>(h.epoch.back());
  if (th.applies()) {
    std::printf("epoch %d: ab %.5f (c*(T) %.5f, empirical optimum %.5f, c*(inf) %.5f)\n", epoch, h.ab.back(), th.c_star_T,
                th.c_star_empirical, th.c_star_inf);
    std::printf("  test loss %.6g  ratio %.5f (predicted %.5f)  last-position MSE %.6g (predicted %.6g)\n", h.test_loss.back(),
                h.ratio.back(), th.ratio_pred, h.last_mse.back(), th.last_mse_pred);
    std::printf("  Assumption 4.1 %s; Assumption 4.2 %s (M4^2/(M2 M6) = %.4f): %s\n",
                th.assumption_4_1() ? "holds" : "fails, but clip keeps the red blocks diagonal",
                th.recovery ? "holds" : "fails", th.moment_ratio, th.verdict().c_str());
  } else {
    std::printf("epoch %d: ab %.5f\n", epoch, h.ab.back());
    std::printf("  test loss %.6g  ratio %.5f  last-position MSE %.6g (best vanilla one-step GD: %.6g)\n", h.test_loss.back(),
                h.ratio.back(), h.last_mse.back(), s.vanilla_gd().last_mse);
    std::printf("  off-diagonal mass of the red blocks: W_KQ %.4g, W_PV %.4g; outside them %.4g\n", h.offdiag_kq.back(),
                h.offdiag_pv.back(), h.outside.back());
    if (!s.diverged())
      std::printf("  share of the last-position predictions no vanilla one-step GD makes: %.3g\n", s.mesa(1000).not_gd.back());
    std::printf("  no prediction: %s\n", th.reason().c_str());
  }
  std::printf("  %.2f s, %ld gradient evaluations\n", wall, s.gradient_evaluations());
}

int theory_command(const CliOptions& o) {
  const Config& c = o.config;
  // No data and no training here: the fields are checked, not the memory or time budgets.
  if (Problem p = validate(c, std::numeric_limits<double>::infinity(), kGeneratedLayout, false, kNoTimeBudget))
    return bad_input(p);
  const Theory th = theory_for(c);
  std::vector<double> epochs, ode;
  const bool want_ode = o.given.count("a0") && o.given.count("b0") && o.given.count("lr") && o.given.count("epochs");
  if (want_ode) {
    ode = ode_ab(c.a0, c.b0, th.A, th.B, c.d, c.lr, c.epochs);
    for (int e = 0; e <= c.epochs; e += c.eval_every) epochs.push_back(e);
    if (epochs.back() != c.epochs) epochs.push_back(c.epochs);
  }
  Json j = theory_json(th, want_ode ? &epochs : nullptr, want_ode ? &ode : nullptr);
  if (!o.capability_T.empty())
    j["capability"] = th.applies() ? Json(capability(th.moments, c.d, o.capability_T)) : Json(nullptr);
  if (o.mc > 0) {
    Moments se;
    MixedMoments mixed;
    const Moments mo = monte_carlo_moments(c.x1, c.scale, c.d, o.mc, c.seed, &se, c.magnitude, &mixed);
    const Theory mth = theory_from_moments(mo, mixed, c.d, c.T, c.clip);
    j["monte_carlo"] = {{"draws", o.mc},
                        {"M2", number(mo.M2)},
                        {"M4", number(mo.M4)},
                        {"M6", number(mo.M6)},
                        {"M24", number(mo.M24)},
                        {"M2_stderr", number(se.M2)},
                        {"M4_stderr", number(se.M4)},
                        {"M6_stderr", number(se.M6)},
                        {"M24_stderr", number(se.M24)},
                        {"c_star_T", number(mth.c_star_T)},
                        {"c_star_inf", number(mth.c_star_inf)},
                        {"moment_ratio", number(mth.moment_ratio)},
                        {"mixed_moment_ratio", number(mixed.ratio)},
                        {"largest_standard_errors", number(mixed.zscore)},
                        {"assumption_4_1", mixed.vanish()}};
  }
  j["mesaflow"] = version();
  if (!o.out.empty()) {
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
    std::ofstream(o.out) << text(j) << "\n";
  }
  std::cout << text(j) << "\n";
  return 0;
}

// The parts of a sharded sweep, in grid order: the lines as they were written.
int merge_command(const CliOptions& o) {
  std::vector<SweepLine> lines;
  for (const std::string& file : o.files) {
    std::ifstream f(file);
    if (!f) return bad_input({"", "merge: cannot open " + shown(file), {}});
    long n = 0;
    for (std::string line; std::getline(f, line);)
      if (++n, !line.empty()) lines.push_back({file, n, line});
  }
  std::vector<std::string> merged;
  if (Problem p = merge_sweep(lines, &merged)) {
    p.message = "merge: " + p.message;
    return bad_input(p);
  }
  if (!o.out.empty())
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
  std::ofstream file;
  if (!o.out.empty()) file.open(o.out);
  std::ostream& out = o.out.empty() ? std::cout : file;
  for (const std::string& l : merged) out << l << "\n";
  if (!o.quiet) std::fprintf(stderr, "merge: %zu runs from %zu files\n", merged.size(), o.files.size());
  return out ? 0 : bad_input({"out", "could not write '" + o.out + "'", {}});
}

int train_command(const CliOptions& o) {
  if (!o.out.empty())
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
  if (!o.save_data.empty())
    if (Problem p = check_writable("save-data", o.save_data)) return bad_input(p);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  Dataset file_data, file_test;
  if (Problem p = load_data(o, o.config.precision, file_data, file_test)) return bad_input(p);
  const bool file = !o.data.empty();
  std::unique_ptr<Session> s;
  try {
    s = std::make_unique<Session>(o.config, kNativeMemoryBudget, file ? &file_data : nullptr, kGeneratedLayout, false,
                                  file ? &file_test : nullptr);
  } catch (const ConfigError& e) {
    return bad_input(e.problem);
  }
  if (!o.save_data.empty()) {
    try {
      write_npy(o.save_data, s->train());
    } catch (const NpyError& e) {
      return bad_input({"save-data", e.what(), {}});
    }
  }
  s->record_params(o.record_params);
  const Config& c = s->config();
  const bool tty = isatty(2);
  double next_progress = 1.5;
  while (!s->done()) {
    s->run(1);
    if (!o.quiet && elapsed() >= next_progress && !s->done()) {
      const auto& h = s->history();
      std::fprintf(stderr, "%sepoch %d/%d  ab %.5f  train loss %.6g  (%.1f s)%s", tty ? "\r" : "", s->epoch(), c.epochs,
                   h.ab.empty() ? 0.0 : h.ab.back(), h.train_loss.empty() ? 0.0 : h.train_loss.back(), elapsed(),
                   tty ? "   " : "\n");
      next_progress = elapsed() + 1.0;
    }
  }
  if (!o.quiet && tty && next_progress > 1.5) std::fprintf(stderr, "\n");
  const double wall = elapsed();
  if (s->diverged()) std::cerr << "mesaflow: " << describe(s->divergence(), cli_setting) << "\n";
  if (!s->history().epoch.empty()) print_summary(*s, wall);
  if (!o.out.empty()) {
    std::ofstream f(o.out);
    Json doc = run_json(*s, wall, static_cast<int>(o.mesa_seqs), cli_setting);
    if (file) doc["test_set"] = test_set_json(o, file_test);
    f << text(doc) << "\n";
    if (!f) return bad_input({"out", "could not write '" + o.out + "'", {}});
  }
  return s->diverged() ? 3 : 0;
}

// Every run of the grid is checked before any starts; lines are written in grid order.
int sweep_command(const CliOptions& o) {
  if (!o.out.empty())
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
  Dataset file_data, file_test;
  if (Problem p = load_data(o, o.grid.base.precision, file_data, file_test)) return bad_input(p);
  const long runs = static_cast<long>(o.grid.size());
  bool threads_given = o.grid.base.threads != Config{}.threads;
  for (const auto& a : o.grid.axes) threads_given |= a.name == "threads";
  std::vector<GridRun> mine;  // this shard's runs: i % N == K
  for (long i = 0; i < runs; ++i) {
    Config c = o.grid.at(i);
    if (!threads_given) c.threads = 1;
    if (!o.data.empty()) {
      c.m = file_data.m;
      c.d = file_data.d;
      c.T = file_data.T;
      c.test_m = file_test.m;
    }
    if (Problem p = validate(c, kNativeMemoryBudget, kGeneratedLayout, !o.data.empty())) {
      if (runs > 1) p.message += " (run " + std::to_string(i) + " of the grid)";
      return bad_input(p);
    }
    if (i % o.shard_count == o.shard_index) mine.push_back({i, c});
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out);
    if (!file) return bad_input({"out", "could not write '" + o.out + "'", {}});
  }
  std::ostream& out = o.out.empty() ? std::cout : file;
  const auto t0 = std::chrono::steady_clock::now();
  const long count = static_cast<long>(mine.size());
  run_sweep(mine, runs, o.data.empty() ? nullptr : &file_data, o.data.empty() ? nullptr : &file_test,
            o.jobs > 0 ? static_cast<int>(o.jobs) : cores, cli_setting, [&](long k, const Json& line) {
              out << text(line) << "\n" << std::flush;
              if (!o.quiet)
                std::fprintf(stderr, "sweep: run %ld/%ld done (%.1f s)\n", k + 1, count,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            });
  if (!o.out.empty() && !file) return bad_input({"out", "could not write '" + o.out + "'", {}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions o;
  if (Problem p = parse_cli(argc, argv, o)) return bad_input(p);
  if (o.command == "help") {
    std::cout << usage();
    return 0;
  }
  if (o.command == "version") {  // the version, then the kernel's instruction set (isa.hpp)
    std::cout << "mesaflow " << version() << "\n" << kernel_description() << "\n";
    return 0;
  }
  try {  // an environment variable MESAFLOW_ISA naming a kernel this build or CPU lacks
    kernel_isa();
  } catch (const std::invalid_argument& e) {
    std::cerr << "mesaflow: " << e.what() << "\n";
    return 2;
  }
  if (o.command == "merge") return merge_command(o);
  if (o.command == "sweep") return sweep_command(o);
  return o.command == "theory" ? theory_command(o) : train_command(o);
}
