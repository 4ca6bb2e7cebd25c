// mesaflow command-line program: `mesaflow train`, `mesaflow theory` and `mesaflow sweep`.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <new>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "mesaflow/atomic_file.hpp"
#include "mesaflow/budget.hpp"
#include "mesaflow/checkpoint_file.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/npy.hpp"
#include "mesaflow/process_theory.hpp"
#include "mesaflow/report.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/version.hpp"
#include "options.hpp"

using namespace mesaflow;

namespace {

// The memory the command is about to need (estimate_bytes), for the message of an allocation that
// fails anyway: the budget is this program's, the machine may have less (ulimit -v, a container).
double g_need_bytes = 0;
// Standard output's reader is gone (EPIPE with SIGPIPE ignored): not an error.
bool g_stdout_closed = false;

// A file that could not be written: its name and the reason, status 2, the old file intact.
int write_failed(const std::string& field, const std::string& error) {
  std::cerr << "mesaflow: --" << field << ": " << error << "\n";
  return 2;
}

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
// In `precision` (a sweep over both reads in its base's; each run converts as it needs); the
// held-out part drawn by `seed` (the run's: a resumed run's is the checkpoint's).
Problem load_data(const CliOptions& o, Precision precision, std::uint64_t seed, Dataset& train, Dataset& test) {
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
  split_dataset(all, o.test_fraction, seed, &train, &test);
  return {};
}

// Where the test set of a --data run came from, for the JSON document.
Json test_set_json(const CliOptions& o, std::uint64_t seed, const Dataset& test) {
  if (!o.test_data.empty()) return {{"source", "file"}, {"file", o.test_data}, {"sequences", test.m}};
  return {{"source", "held out of --data, by sequence"}, {"fraction", o.test_fraction}, {"seed", seed},
          {"sequences", test.m}};
}

std::string text(const Json& j) { return j.dump(); }

// The last evaluation against the theory, where it applies; view: the mesa view on --mesa-seqs
// sequences (nullptr when there is none: diverged, no view for the model, --mesa-seqs 0).
void print_summary(const Session& s, double wall, const MesaView* view) {
  const History& h = s.history();
  const Theory& th = s.theory();
  const int epoch = static_cast<int>(h.epoch.back());
  if (th.applies()) {
    // %.5f as always; a huge optimum (tiny moduli: c* ~ 1/|x|^2) in %.6g; one that is not a number
    // (the data's sums underflow) says so.
    const auto num = [](double v) {
      char buf[64];
      if (!std::isfinite(v)) return std::string("not computable (the data's moments underflow)");
      std::snprintf(buf, sizeof buf, std::fabs(v) < 1e6 ? "%.5f" : "%.6g", v);
      return std::string(buf);
    };
    std::printf("epoch %d: ab %.5f (c*(T) %s, empirical optimum %s, c*(inf) %s)\n", epoch, h.ab.back(), num(th.c_star_T).c_str(),
                num(th.c_star_empirical).c_str(), num(th.c_star_inf).c_str());
    std::printf("  test loss %.6g  ratio %.5f (predicted %.5f)  last-position MSE %.6g (predicted %.6g)\n", h.test_loss.back(),
                h.ratio.back(), th.ratio_pred, h.last_mse.back(), th.last_mse_pred);
    std::printf("  Assumption 4.1 %s; Assumption 4.2 %s (M4^2/(M2 M6) = %.4f): %s\n",
                th.assumption_4_1() ? "holds" : "fails, but clip keeps the red blocks diagonal",
                th.recovery ? "holds" : "fails", th.moment_ratio, th.verdict().c_str());
  } else if (!s.has_mesa()) {  // a model without the mesa view (linear-map: nor ab; softmax attention has ab)
    if (std::isfinite(h.ab.back())) std::printf("epoch %d: model %s, ab %.5f\n", epoch, s.model().name(), h.ab.back());
    else std::printf("epoch %d: model %s\n", epoch, s.model().name());
    std::printf("  test loss %.6g  ratio %.5f  last-position MSE %.6g (best vanilla one-step GD: %.6g)\n", h.test_loss.back(),
                h.ratio.back(), h.last_mse.back(), s.vanilla_gd().last_mse);
    std::printf("  no prediction: %s\n", th.reason().c_str());
  } else {
    std::printf("epoch %d: ab %.5f (empirical optimum of the diagonal family on the training set %.5g)\n", epoch, h.ab.back(),
                th.c_star_empirical);
    std::printf("  test loss %.6g  ratio %.5f  last-position MSE %.6g (best vanilla one-step GD: %.6g)\n", h.test_loss.back(),
                h.ratio.back(), h.last_mse.back(), s.vanilla_gd().last_mse);
    std::printf("  off-diagonal mass of the red blocks: W_KQ %.4g, W_PV %.4g; outside them %.4g\n", h.offdiag_kq.back(),
                h.offdiag_pv.back(), h.outside.back());
    if (view && view->ab_curves)  // --mesa-seqs sequences, as the estimate counted them
      std::printf("  share of the last-position predictions no vanilla one-step GD makes: %.3g\n", view->not_gd.back());
    if (view && !view->ab_curves) {  // layers > 1, softmax: no ab makes them one GD step; the K-step comparators
      if (std::isfinite(view->gd_worth))
        std::printf("  worth %.3g steps of gradient descent from W = 0 at the last position (core/THEORY.md §13)\n", view->gd_worth);
      else
        std::printf("  steps of gradient descent: %s\n", view->gd_worth_reason.c_str());
    }
    std::printf("  no prediction: %s\n", th.reason().c_str());
  }
  if (view) {  // the baselines at the last position, per coordinate
    const MesaView& v = *view;
    const double d = s.config().d;
    std::printf("  last position, per coordinate, on %d test sequences: model %.6g, least squares %.6g, ridge (lambda %g) %.6g, "
                "true W %.6g, noise floor %.6g\n",
                v.nseq, v.model.back() / d, v.ls.back() / d, s.config().ridge, v.ridge.back() / d, v.true_w.back() / d,
                v.noise_floor.back() / d);
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
    // process unitary: the moments of y_1 = U^H x_1 (U drawn too); its mixed moments vanish (THEORY.md §10)
    const Moments mo = c.process == Process::Unitary ? monte_carlo_rotated_moments(c.x1, c.scale, c.d, o.mc, c.seed, &se, c.magnitude)
                                                      : monte_carlo_moments(c.x1, c.scale, c.d, o.mc, c.seed, &se, c.magnitude, &mixed);
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
    if (std::string e = write_file_atomic(o.out, text(j) + "\n"); !e.empty()) return write_failed("out", e);
  }
  std::cout << text(j) << "\n";
  return 0;
}

// The parts of a sharded sweep, in grid order: the lines as they were written.
int merge_command(const CliOptions& o) {
  std::vector<SweepLine> lines;
  for (const std::string& file : o.files) {
    std::ifstream f(file);
    if (!f || access(file.c_str(), R_OK) != 0) return bad_input({"", "merge: cannot open " + shown(file), {}});
    long n = 0;
    for (std::string line; std::getline(f, line);)
      if (++n, !line.empty()) lines.push_back({file, n, line});
  }
  std::vector<std::string> merged;
  if (Problem p = merge_sweep(lines, &merged)) {
    p.message = "merge: " + p.message;
    return bad_input(p);
  }
  if (!o.out.empty()) {
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
    std::string all;
    for (const std::string& l : merged) all += l + "\n";
    if (std::string e = write_file_atomic(o.out, all); !e.empty()) return write_failed("out", e);
  } else {
    for (const std::string& l : merged) std::cout << l << "\n";
  }
  if (!o.quiet) std::fprintf(stderr, "merge: %zu runs from %zu files\n", merged.size(), o.files.size());
  return 0;
}

int train_command(const CliOptions& o) {
  if (!o.out.empty())
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
  if (!o.save_data.empty())
    if (Problem p = check_writable("save-data", o.save_data)) return bad_input(p);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (!o.checkpoint.empty())
    if (Problem p = check_writable("checkpoint", o.checkpoint)) return bad_input(p);
  // --from-checkpoint: the saved run's configuration (resumed_config: more epochs, live changes).
  SavedRun saved;
  Config run_config = o.config;
  std::vector<std::pair<std::string, std::string>> live_changes;
  const bool resuming = !o.from_checkpoint.empty();
  if (resuming) {
    if (o.record_params) return bad_input({"record-params", "goes not with --from-checkpoint (a checkpoint holds no earlier weights)", {}});
    if (!o.w_file.empty()) return bad_input({"w-file", "goes not with --from-checkpoint (the checkpoint holds its W)", {}});
    std::ifstream in(o.from_checkpoint, std::ios::binary);
    if (!in) return bad_input({"from-checkpoint", "cannot read " + shown(o.from_checkpoint), {}});
    const std::string cp_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (Problem p = read_checkpoint(cp_text, "from-checkpoint", saved)) return bad_input(p);
    std::vector<std::string> given;
    for (const std::string& name : o.given)
      if (find_field(name)) given.push_back(name);
    if (Problem p = resumed_config(saved, o.config, given, run_config, &live_changes)) return bad_input(p);
  }
  Dataset file_data, file_test;
  if (Problem p = load_data(o, run_config.precision, run_config.seed, file_data, file_test)) return bad_input(p);
  const bool file = !o.data.empty();
  if (resuming)
    if (Problem p = check_resumed_data(saved, file ? &file_data : nullptr, &file_test, "from-checkpoint")) return bad_input(p);
  {
    Config c = run_config;  // the run as the Session will see it, for the estimates
    if (file) c.m = file_data.m, c.d = file_data.d, c.T = file_data.T, c.test_m = file_test.m;
    g_need_bytes = estimate_bytes(c, kGeneratedLayout, file);
    // The mesa view (--out, and the summary's share) costs a pseudo-inverse per position and
    // sequence: counted with the run in the time budget.
    const double nseq = std::min<double>(static_cast<double>(o.mesa_seqs), c.test_m);
    const double mesa = estimate_mesa_flops(c, nseq), all = estimate_flops(c) + mesa;
    // (after the run's own checks, whose messages come first)
    if (!validate(c, kNativeMemoryBudget, kGeneratedLayout, file) && all / kNativeTimeBudget.flops_per_second > kNativeTimeBudget.seconds) {
      char buf[300];
      std::snprintf(buf, sizeof buf,
                    "the run and its mesa view (%.0f test sequences) need about %.2g floating-point operations (%.2g for the "
                    "view), %.0f days at 10 GFLOP/s, more than the budget of 7 days natively; lower --mesa-seqs or reduce "
                    "epochs, m, test-m or T",
                    nseq, all, mesa, all / kNativeTimeBudget.flops_per_second / 86400);
      return bad_input({"mesa-seqs", buf, {}});
    }
  }
  std::unique_ptr<Session> s;
  try {
    SessionOptions so;
    so.data = file ? &file_data : nullptr;
    so.test_data = file ? &file_test : nullptr;
    s = std::make_unique<Session>(run_config, so);
    if (resuming) s->resume(saved.checkpoint);
  } catch (const ConfigError& e) {
    return bad_input(as_part(e.problem, "from-checkpoint"));
  }
  for (const auto& [field, value] : live_changes)
    if (Problem p = s->change(field, value)) return bad_input(p);
  if (!o.save_data.empty()) {
    try {
      write_npy(o.save_data, s->train());
    } catch (const NpyError& e) {
      return write_failed("save-data", e.what());
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
      char ab[40] = "";  // ab is the attention model's (NaN for others)
      if (!h.ab.empty() && std::isfinite(h.ab.back())) std::snprintf(ab, sizeof ab, "  ab %.5f", h.ab.back());
      std::fprintf(stderr, "%sepoch %d/%d%s  train loss %.6g  (%.1f s)%s", tty ? "\r" : "", s->epoch(), c.epochs, ab,
                   h.train_loss.empty() ? 0.0 : h.train_loss.back(), elapsed(), tty ? "   " : "\n");
      next_progress = elapsed() + 1.0;
    }
  }
  if (!o.quiet && tty && next_progress > 1.5) std::fprintf(stderr, "\n");
  const double wall = elapsed();
  if (s->diverged()) std::cerr << "mesaflow: " << describe(s->divergence(), cli_setting) << "\n";
  // The mesa view once, for the summary and the document (a pseudo-inverse per position and sequence).
  const int mesa_seqs = static_cast<int>(o.mesa_seqs);
  const bool has_view = s->has_mesa() && !s->diverged() && mesa_seqs > 0;
  const MesaView view = has_view ? s->mesa(mesa_seqs) : MesaView{};
  if (!s->history().epoch.empty()) print_summary(*s, wall, has_view ? &view : nullptr);
  if (!o.out.empty()) {
    Json doc = run_json(*s, wall, mesa_seqs, cli_setting, has_view ? &view : nullptr);
    if (file) doc["test_set"] = test_set_json(o, run_config.seed, file_test);
    if (std::string e = write_file_atomic(o.out, text(doc) + "\n"); !e.empty()) return write_failed("out", e);
  }
  if (!o.checkpoint.empty()) {
    if (s->diverged()) std::cerr << "mesaflow: no --checkpoint written: the run diverged\n";
    else if (std::string e = write_file_atomic(o.checkpoint, text(checkpoint_json(*s)) + "\n"); !e.empty())
      return write_failed("checkpoint", e);
  }
  return s->diverged() ? 3 : 0;
}

// The lines already in a sweep's --out (--resume): those of this grid and shard, by run; a torn
// last line (no newline: the process was killed while writing it) is cut off with a note.
Problem read_done(const CliOptions& o, long grid_runs, const std::string& grid_id, std::map<long, std::string>& done) {
  std::ifstream f(o.out, std::ios::binary);
  if (!f) return {};  // nothing yet: the sweep starts from the beginning
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::size_t keep = all.rfind('\n') == std::string::npos ? 0 : all.rfind('\n') + 1;
  if (keep < all.size()) {
    std::fprintf(stderr, "sweep: %s ends in a torn line (%zu bytes, no newline): dropped, its run is run again\n",
                 shown(o.out).c_str(), all.size() - keep);
    if (truncate(o.out.c_str(), static_cast<off_t>(keep)) != 0)
      return {"out", "could not cut the torn last line of " + shown(o.out) + ": " + std::strerror(errno), {}};
    all.resize(keep);
  }
  long n = 0;
  for (std::size_t from = 0; from < all.size();) {
    const std::size_t end = all.find('\n', from);
    const std::string line = all.substr(from, end - from);
    from = end + 1;
    ++n;
    const std::string where = shown(o.out) + " line " + std::to_string(n);
    const Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("run") || !j["run"].is_number_integer())
      return {"resume", where + " is not a line of mesaflow sweep; resume needs the file this sweep wrote", {}};
    if (!j.contains("grid_id") || j["grid_id"] != grid_id || !j.contains("grid_runs") || j["grid_runs"] != grid_runs)
      return {"resume", where + " is of another grid (grid_id " +
                            (j.contains("grid_id") && j["grid_id"].is_string() ? shown(j["grid_id"].get<std::string>()) : "missing") +
                            ", this sweep's is " + shown(grid_id) + "): give the same options, or another --out", {}};
    const long run = j["run"].get<long>();
    if (run < 0 || run >= grid_runs || run % o.shard_count != o.shard_index)
      return {"resume", where + ": run " + std::to_string(run) + " is not a run of this shard", {}};
    if (done.count(run)) return {"resume", where + ": run " + std::to_string(run) + " appears twice", {}};
    done[run] = line;
  }
  return {};
}

// Every run of the grid is checked before any starts; lines are written in grid order, each
// appended whole and synced as soon as it and the runs before it have finished.
int sweep_command(const CliOptions& o) {
  if (o.resume && o.out.empty()) return bad_input({"resume", "goes with --out: the file whose lines are kept", {}});
  if (!o.out.empty())
    if (Problem p = check_writable("out", o.out)) return bad_input(p);
  Dataset file_data, file_test;
  if (Problem p = load_data(o, o.grid.base.precision, o.config.seed, file_data, file_test)) return bad_input(p);
  const long runs = static_cast<long>(o.grid.size());
  bool threads_given = o.grid.base.threads != Config{}.threads;
  for (const auto& a : o.grid.axes) threads_given |= a.name == "threads";
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = o.jobs > 0 ? static_cast<int>(o.jobs) : cores;
  std::vector<Config> all;
  std::vector<GridRun> mine;  // this shard's runs: i % N == K
  double most_bytes = 0, flops = 0;
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
    all.push_back(c);
    if (i % o.shard_count == o.shard_index) {
      mine.push_back({i, c});
      most_bytes = std::max(most_bytes, estimate_bytes(c, kGeneratedLayout, !o.data.empty()));
      flops += estimate_flops(c);
    }
  }
  // The whole sweep: `jobs` runs held at once, and its time on min(jobs, cores) cores.
  const double at_once = std::min<double>(jobs, static_cast<double>(mine.size()));
  if (most_bytes * at_once > kNativeMemoryBudget) {
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "%.0f runs at a time need about %.2f GiB (%.2f GiB each), more than the budget of %.2f GiB; lower --jobs "
                  "or reduce m, test-m or T",
                  at_once, most_bytes * at_once / 1073741824.0, most_bytes / 1073741824.0, kNativeMemoryBudget / 1073741824.0);
    return bad_input({"jobs", buf, {}});
  }
  const double seconds = flops / (kNativeTimeBudget.flops_per_second * std::max(1.0, std::min<double>(at_once, cores)));
  if (seconds > kNativeTimeBudget.seconds && !o.no_time_limit) {
    char buf[300];
    std::snprintf(buf, sizeof buf,
                  "the sweep's %zu runs need about %.2g floating-point operations, %.0f days on %d cores at %.0f GFLOP/s each, "
                  "more than the limit of 7 days; reduce the grid or the epochs, or give --no-time-limit",
                  mine.size(), flops, seconds / 86400, static_cast<int>(std::min<double>(at_once, cores)),
                  kNativeTimeBudget.flops_per_second / 1e9);
    return bad_input({"epochs", buf, {}});
  }
  g_need_bytes = most_bytes * at_once;
  const std::string grid_id =
      grid_identity(all, o.data.empty() ? "generated" : "data m=" + std::to_string(file_data.m) + " test_m=" +
                                                            std::to_string(file_test.m) + (o.test_data.empty() ? " held out" : " file"));
  std::map<long, std::string> done;
  if (o.resume)
    if (Problem p = read_done(o, runs, grid_id, done)) return bad_input(p);
  std::vector<GridRun> todo;
  for (const GridRun& g : mine)
    if (!done.count(g.run)) todo.push_back(g);
  if (o.resume && !o.quiet)
    std::fprintf(stderr, "sweep: %s holds %zu of this sweep's %zu runs; running the other %zu\n", shown(o.out).c_str(),
                 done.size(), mine.size(), todo.size());
  int fd = -1;
  if (!o.out.empty()) {
    fd = open(o.out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (o.resume ? 0 : O_TRUNC), 0644);
    if (fd < 0) return write_failed("out", "cannot open '" + o.out + "' for writing: " + std::strerror(errno));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const long count = static_cast<long>(todo.size());
  struct WriteError {
    std::string what;
  };
  try {
    run_sweep(todo, runs, o.data.empty() ? nullptr : &file_data, o.data.empty() ? nullptr : &file_test, jobs, cli_setting,
              [&](long k, const Json& line) {
                if (fd >= 0) {
                  if (std::string e = append_line(fd, o.out, text(line)); !e.empty()) throw WriteError{e};
                } else {
                  errno = 0;
                  std::cout << text(line) << "\n" << std::flush;
                  if (!std::cout) {
                    if (errno == EPIPE) {
                      g_stdout_closed = true;
                      throw WriteError{""};
                    }  // the reader is gone (| head): stop, no error
                    throw WriteError{std::string("could not write to standard output: ") + std::strerror(errno)};
                  }
                }
                if (!o.quiet)
                  std::fprintf(stderr, "sweep: run %ld/%ld done (%.1f s)\n", k + 1, count,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
              },
              grid_id);
  } catch (const WriteError& e) {
    if (fd >= 0) close(fd);
    if (e.what.empty()) return 0;
    return write_failed("out", e.what + " (the lines before it are kept: --resume goes on)");
  }
  if (fd >= 0 && close(fd) != 0) return write_failed("out", "could not write '" + o.out + "': " + std::strerror(errno));
  return 0;
}

// Standard output, flushed: an error (a full disk, /dev/full) is the command's failure; a closed
// pipe (EPIPE: `mesaflow sweep | head`) is not.
int finish_stdout(int status) {
  errno = 0;
  std::cout.flush();
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
  if (failed && errno != EPIPE && !g_stdout_closed) {
    std::fprintf(stderr, "mesaflow: could not write to standard output: %s\n", errno ? std::strerror(errno) : "write error");
    return status == 0 ? 2 : status;
  }
  return status;
}

int run_command(const CliOptions& o) {
  if (o.command == "merge") return merge_command(o);
  if (o.command == "sweep") return sweep_command(o);
  return o.command == "theory" ? theory_command(o) : train_command(o);
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions o;
  if (Problem p = parse_cli(argc, argv, o)) return bad_input(p);
  if (o.command == "help") {
    std::cout << usage();
    return finish_stdout(0);
  }
  if (o.command == "version") {  // the version, then the kernel's instruction set (isa.hpp)
    std::cout << "mesaflow " << version() << "\n" << kernel_description() << "\n";
    return finish_stdout(0);
  }
  try {  // an environment variable MESAFLOW_ISA naming a kernel this build or CPU lacks
    kernel_isa();
  } catch (const std::invalid_argument& e) {
    std::cerr << "mesaflow: " << e.what() << "\n";
    return 2;
  }
  try {
    return finish_stdout(run_command(o));
  } catch (const std::bad_alloc&) {
    // Within the budget, but more than this machine (or its ulimit) gives: the usual problem.
    char buf[200];
    if (g_need_bytes > 0)
      std::snprintf(buf, sizeof buf, "this setting needs about %.2f GiB; this machine could not allocate it; reduce m, test-m or T",
                    g_need_bytes / 1073741824.0);
    else
      std::snprintf(buf, sizeof buf, "this machine could not allocate the memory this command needs; reduce m, test-m or T");
    return bad_input({"m", buf, {"test-m", "T", "d"}});
  }
}
