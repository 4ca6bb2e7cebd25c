// mesaflow command-line program: `mesaflow train`, `mesaflow theory` and `mesaflow sweep`.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "mesaflow/json.hpp"
#include "mesaflow/npy.hpp"
#include "mesaflow/session.hpp"
#include "options.hpp"

using namespace mesaflow;

namespace {

int bad_input(const std::string& msg) {
  std::cerr << "mesaflow: " << msg << "\nrun 'mesaflow --help' for the options and their ranges\n";
  return 2;
}

// The --out file must be creatable before we spend time training.
std::string check_writable(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (access(dir.c_str(), W_OK) != 0) return "--out: directory '" + dir + "' does not exist or is not writable";
  return "";
}

// Reads --data when given; returns "" or the error to report.
std::string load_data(const CliOptions& o, Dataset& out) {
  if (o.data.empty()) return "";
  try {
    out = read_npy(o.data, kNativeMemoryBudget);
  } catch (const NpyError& e) {
    return std::string("--data: ") + e.what();
  }
  return "";
}

int theory_command(const CliOptions& o) {
  const Config& c = o.config;
  // No data and no training here: the fields are checked, not the memory or time budgets.
  const std::string err = validate(c, std::numeric_limits<double>::infinity(), kGeneratedLayout, false, kNoTimeBudget);
  if (!err.empty()) return bad_input("--" + err);
  const Theory th = theory_for(c);
  std::vector<double> epochs, ode;
  const bool want_ode = o.ode_given[0] && o.ode_given[1] && o.ode_given[2] && o.ode_given[3];
  if (want_ode) {
    ode = ode_ab(c.a0, c.b0, th.A, th.B, c.d, c.lr, c.epochs);
    for (int e = 0; e <= c.epochs; e += c.eval_every) epochs.push_back(e);
    if (epochs.back() != c.epochs) epochs.push_back(c.epochs);
  }
  std::string out = theory_json(th, want_ode ? &epochs : nullptr, want_ode ? &ode : nullptr, nullptr);
  if (o.mc > 0) {
    Moments se;
    const Moments mo = monte_carlo_moments(c.x1, c.scale, c.d, o.mc, c.seed, &se);
    const Theory mth = theory_from_moments(mo, c.d, c.T, c.x1);
    JsonWriter w;
    w.begin_object().key("draws").value(static_cast<long long>(o.mc));
    w.key("M2").value(mo.M2).key("M4").value(mo.M4).key("M6").value(mo.M6).key("M24").value(mo.M24);
    w.key("M2_stderr").value(se.M2).key("M4_stderr").value(se.M4).key("M6_stderr").value(se.M6);
    w.key("M24_stderr").value(se.M24);
    w.key("c_star_T").value(mth.c_star_T).key("c_star_inf").value(mth.c_star_inf);
    w.key("moment_ratio").value(mth.moment_ratio).end_object();
    out.pop_back();
    out += ",\"monte_carlo\":" + w.str() + "}";
  }
  if (!o.out.empty()) {
    const std::string e = check_writable(o.out);
    if (!e.empty()) return bad_input(e);
    std::ofstream(o.out) << out << "\n";
  }
  std::cout << out << "\n";
  return 0;
}

int train_command(const CliOptions& o) {
  if (!o.out.empty()) {
    const std::string e = check_writable(o.out);
    if (!e.empty()) return bad_input(e);
  }
  if (!o.save_data.empty()) {
    const std::string e = check_writable(o.save_data);
    if (!e.empty()) return bad_input("--save-data" + e.substr(5));
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  Dataset file_data;
  if (const std::string e = load_data(o, file_data); !e.empty()) return bad_input(e);
  std::unique_ptr<Session> s;
  try {
    s = std::make_unique<Session>(o.config, kNativeMemoryBudget, o.data.empty() ? nullptr : &file_data);
  } catch (const ConfigError& e) {
    return bad_input(std::string("--") + e.what());
  }
  if (!o.save_data.empty()) {
    try {
      write_npy(o.save_data, s->train());
    } catch (const NpyError& e) {
      return bad_input(std::string("--save-data: ") + e.what());
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
  const auto& h = s->history();
  const Theory& th = s->theory();
  if (s->diverged()) std::cerr << "mesaflow: " << s->message() << "\n";
  if (!h.epoch.empty()) {
    std::printf("epoch %d: ab %.5f (c*(T) %.5f, empirical optimum %.5f, c*(inf) %.5f)\n", static_cast<int>(h.epoch.back()),
                h.ab.back(), th.c_star_T, th.c_star_empirical, th.c_star_inf);
    std::printf("  test loss %.6g  ratio %.5f (predicted %.5f)  last-position MSE %.6g  recovery predicted: %s "
                "(M4^2/(M2 M6) = %.4f)\n",
                h.test_loss.back(), h.ratio.back(), th.ratio_pred, h.last_mse.back(), th.recovery ? "yes" : "no",
                th.moment_ratio);
    std::printf("  %.2f s, %ld gradient evaluations\n", wall, s->gradient_evaluations());
  }
  if (!o.out.empty()) {
    std::ofstream f(o.out);
    f << run_json(*s, wall, o.mesa_seqs) << "\n";
    if (!f) return bad_input("--out: could not write '" + o.out + "'");
  }
  return s->diverged() ? 3 : 0;
}

// The grid's runs in parallel, one thread each (results do not depend on the thread count), `jobs`
// at a time; lines are written in grid order as soon as every earlier run has finished.
int sweep_command(const CliOptions& o) {
  if (!o.out.empty()) {
    const std::string e = check_writable(o.out);
    if (!e.empty()) return bad_input(e);
  }
  Dataset file_data;
  if (const std::string e = load_data(o, file_data); !e.empty()) return bad_input(e);
  const long runs = static_cast<long>(o.grid.size());
  bool threads_given = false;
  for (const auto& a : o.grid.axes) threads_given |= a.name == "threads";
  threads_given |= o.grid.base.threads != Config{}.threads;
  std::vector<Config> configs;
  for (long i = 0; i < runs; ++i) {  // every run checked before any starts
    Config c = o.grid.at(i);
    if (!threads_given) c.threads = 1;
    if (!o.data.empty()) {
      c.m = file_data.m;
      c.d = file_data.d;
      c.T = file_data.T;
    }
    const std::string err = validate(c, kNativeMemoryBudget, kGeneratedLayout, !o.data.empty());
    if (!err.empty()) return bad_input("--" + err + (runs > 1 ? " (run " + std::to_string(i) + " of the grid)" : ""));
    configs.push_back(c);
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = static_cast<int>(std::min<long>(o.jobs > 0 ? o.jobs : cores, runs));

  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out);
    if (!file) return bad_input("--out: could not write '" + o.out + "'");
  }
  std::ostream& out = o.out.empty() ? std::cout : file;
  std::vector<std::string> lines(static_cast<std::size_t>(runs));
  std::vector<bool> ready(static_cast<std::size_t>(runs), false);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<long> next{0};
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (long i; (i = next.fetch_add(1)) < runs;) {
      const auto start = std::chrono::steady_clock::now();
      Session s(configs[static_cast<std::size_t>(i)], kNativeMemoryBudget, o.data.empty() ? nullptr : &file_data);
      while (!s.done()) s.run(1 << 30);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string line = sweep_json(s, i, wall);
      std::lock_guard<std::mutex> lock(mu);
      lines[static_cast<std::size_t>(i)] = std::move(line);
      ready[static_cast<std::size_t>(i)] = true;
      cv.notify_one();
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);
  for (long i = 0; i < runs; ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return ready[static_cast<std::size_t>(i)]; });
    out << lines[static_cast<std::size_t>(i)] << "\n" << std::flush;
    lines[static_cast<std::size_t>(i)].clear();
    lock.unlock();
    if (!o.quiet)
      std::fprintf(stderr, "sweep: run %ld/%ld done (%.1f s)\n", i + 1, runs,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  for (auto& th : pool) th.join();
  if (!o.out.empty() && !file) return bad_input("--out: could not write '" + o.out + "'");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions o;
  const std::string err = parse_cli(argc, argv, o);
  if (!err.empty()) return bad_input(err);
  if (o.command == "help") {
    std::cout << usage();
    return 0;
  }
  if (o.command == "sweep") return sweep_command(o);
  return o.command == "theory" ? theory_command(o) : train_command(o);
}
