#include "mesaflow/sweep.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "mesaflow/number.hpp"
#include "mesaflow/report.hpp"
#include "mesaflow/version.hpp"

namespace mesaflow {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = s.find(sep, from);
    parts.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return parts;
    from = at + 1;
  }
}

bool parse_number(const std::string& s, double& v) {
  return parse_decimal(s, v);  // number.hpp's grammar
}

// start:stop:step, inclusive; values written with 12 significant digits so 0.1:0.3:0.1 gives
// 0.1, 0.2, 0.3 and not 0.30000000000000004.
Problem expand_range(const FieldSpec& f, const std::string& text, std::vector<std::string>& out) {
  if (f.kind != FieldKind::Integer && f.kind != FieldKind::Number)
    return {f.name, shown(text) + " is a range, but " + f.name + " takes " + range_text(f) + "; list the values instead, e.g. a,b", {}};
  const std::vector<std::string> p = split(text, ':');
  double start, stop, step;
  if (p.size() != 3 || !parse_number(p[0], start) || !parse_number(p[1], stop) || !parse_number(p[2], step) ||
      step == 0 || (stop - start) / step < 0)
    return {f.name,
            shown(text) +
                " is not a valid range; expected start:stop:step (inclusive) with a step that leads from start to stop, "
                "e.g. 0.5:2:0.5",
            {}};
  const double count = std::floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1;
  if (!(count <= kMaxSweepRuns))  // (stop - start) / step may be huge or infinite: no cast to an integer
    return {f.name,
            shown(text) + " has " + (count < 1e15 ? std::to_string(static_cast<long long>(count)) : std::string("too many")) +
                " values, more than the limit of " + std::to_string(kMaxSweepRuns) + " runs",
            {}};
  for (long k = 0; k < static_cast<long>(count); ++k) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", start + k * step);
    out.push_back(buf);
  }
  return {};
}

}  // namespace

Problem expand_values(const std::string& name, const std::string& text, std::vector<std::string>& out) {
  const FieldSpec* f = find_field(name);
  if (!f) return {"", "unknown option " + shown(name), {}};
  std::vector<std::string> values;
  // A magnitude law has commas and colons of its own (values:1,2@0.5,0.5): a list of laws is
  // separated by ';' and has no ranges.
  const bool text_field = f->kind == FieldKind::Text;
  for (const std::string& item : split(text, text_field ? ';' : ',')) {
    if (!text_field && item.find(':') != std::string::npos) {
      if (Problem p = expand_range(*f, item, values)) return p;
    } else {
      values.push_back(item);
    }
    if (values.size() > static_cast<std::size_t>(kMaxSweepRuns))
      return {f->name, "more than " + std::to_string(kMaxSweepRuns) + " values", {}};
  }
  Config probe;
  for (const std::string& v : values)
    if (Problem p = set_field(probe, f->name, v)) return p;
  out = values;
  return {};
}

Problem SweepGrid::add(const std::string& name, const std::string& text) {
  std::vector<std::string> values;
  if (Problem p = expand_values(name, text, values)) return p;
  const std::string field = find_field(name)->name;
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (axes[i].name == field) axes.erase(axes.begin() + static_cast<long>(i));  // the last one given wins
  if (values.size() == 1) return set_field(base, field, values[0]);
  axes.push_back({field, values});
  return {};
}

double SweepGrid::size() const {
  double n = 1;
  for (const SweepAxis& a : axes) n *= static_cast<double>(a.values.size());
  return n;
}

Config SweepGrid::at(long i) const {
  Config c = base;
  for (std::size_t k = axes.size(); k-- > 0;) {
    const long n = static_cast<long>(axes[k].values.size());
    set_field(c, axes[k].name, axes[k].values[static_cast<std::size_t>(i % n)]);
    i /= n;
  }
  return c;
}

Problem SweepGrid::check_size() const {
  const double n = size();
  if (n <= kMaxSweepRuns) return {};
  char buf[200];
  std::snprintf(buf, sizeof buf, "the grid has %.0f runs, more than the limit of %ld; shorten the lists or ranges", n,
                kMaxSweepRuns);
  return {"sweep", buf, {}};
}

std::string grid_identity(const std::vector<Config>& configs, const std::string& extra) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits
  const auto eat = [&h](const std::string& s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
  };
  eat(std::string("mesaflow ") + version() + "\n" + extra + "\n" + std::to_string(configs.size()) + "\n");
  for (const Config& c : configs) {
    for (const FieldSpec& f : config_fields())
      if (std::string(f.name) != "threads") eat(std::string(f.name) + "=" + get_field(c, f) + ";");  // results do not depend on threads
    eat("\n");
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void run_sweep(const std::vector<GridRun>& grid, long grid_runs, const Dataset* data, const Dataset* test_data, int jobs,
               SettingSyntax syntax, const std::function<void(long, const Json&)>& report, const std::string& grid_id) {
  const long runs = static_cast<long>(grid.size());
  std::vector<Json> lines(static_cast<std::size_t>(runs));
  std::vector<bool> ready(static_cast<std::size_t>(runs), false);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<long> next{0};
  std::exception_ptr failure;  // the first exception of a worker (std::bad_alloc): stops the sweep
  auto worker = [&] {
    for (long i; (i = next.fetch_add(1)) < runs;) try {
      const auto start = std::chrono::steady_clock::now();
      const GridRun& g = grid[static_cast<std::size_t>(i)];
      SessionOptions so;
      so.data = data;
      so.test_data = test_data;
      Session s(g.config, so);
      while (!s.done()) s.run(1 << 30);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      Json line = {{"run", g.run}, {"grid_runs", grid_runs}};
      if (!grid_id.empty()) line["grid_id"] = grid_id;
      line.update(sweep_json(s, g.run, wall, syntax));
      std::lock_guard<std::mutex> lock(mu);
      lines[static_cast<std::size_t>(i)] = std::move(line);
      ready[static_cast<std::size_t>(i)] = true;
      cv.notify_one();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!failure) failure = std::current_exception();
      next = runs;  // no new run starts
      ready[static_cast<std::size_t>(i)] = true;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  // A thread that cannot start (EAGAIN: under `ulimit -v` its stack may not fit beside the runs'
  // data) leaves its runs to the threads that did; with none, the memory ran out (status 2).
  try {
    for (int j = 0; j < std::max(1, std::min<int>(jobs, static_cast<int>(runs))); ++j) pool.emplace_back(worker);
  } catch (const std::system_error&) {
    if (pool.empty()) throw std::bad_alloc();
  }
  std::exception_ptr reported;
  for (long i = 0; i < runs && !reported; ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return ready[static_cast<std::size_t>(i)] || failure; });
    if (failure) break;
    Json line = std::move(lines[static_cast<std::size_t>(i)]);
    lock.unlock();
    try {
      report(i, line);
    } catch (...) {  // e.g. the output could not be written: stop, let the running runs finish
      reported = std::current_exception();
      next = runs;
    }
  }
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  if (reported) std::rethrow_exception(reported);
}

Problem merge_sweep(const std::vector<SweepLine>& lines, std::vector<std::string>* merged) {
  long grid = -1;
  std::string grid_id;
  const SweepLine* first = nullptr;
  std::vector<const SweepLine*> at;
  const auto where = [](const SweepLine& l) { return l.file + " line " + std::to_string(l.line); };
  for (const SweepLine& l : lines) {
    const Json j = Json::parse(l.text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("run") || !j["run"].is_number_integer() ||
        !j.contains("grid_runs") || !j["grid_runs"].is_number_integer())
      return {"", where(l) + ": not a line of mesaflow sweep (a JSON object with run and grid_runs)", {}};
    const long run = j["run"].get<long>(), runs = j["grid_runs"].get<long>();
    if (grid < 0) {
      if (runs < 1 || runs > kMaxSweepRuns) return {"", where(l) + ": grid_runs " + std::to_string(runs) + " is not a grid size", {}};
      grid = runs;
      at.assign(static_cast<std::size_t>(grid), nullptr);
    }
    if (runs != grid)
      return {"", where(l) + ": a grid of " + std::to_string(runs) + " runs, but the lines before are of a grid of " +
                      std::to_string(grid) + " (parts of different sweeps?)", {}};
    if (!j.contains("grid_id") || !j["grid_id"].is_string())
      return {"", where(l) + ": a sweep line without grid_id (written by a mesaflow before " + version() +
                      "?); merge knows the grid of a line by it", {}};
    const std::string id = j["grid_id"].get<std::string>();
    if (!first) {
      first = &l;
      grid_id = id;
    } else if (id != grid_id) {
      return {"", where(l) + " is of grid " + shown(id) + ", but " + where(*first) + " is of grid " + shown(grid_id) +
                      ": parts of different sweeps (another option, value or version) are not merged", {}};
    }
    if (run < 0 || run >= grid) return {"", where(l) + ": run " + std::to_string(run) + " is outside the grid [0, " + std::to_string(grid) + ")", {}};
    if (const SweepLine* seen = at[static_cast<std::size_t>(run)])
      return {"", "run " + std::to_string(run) + " appears twice: " + where(*seen) + " and " + where(l), {}};
    at[static_cast<std::size_t>(run)] = &l;
  }
  if (grid < 0) return {"", "no sweep lines to merge", {}};
  std::string missing;
  long n = 0;
  for (long r = 0; r < grid; ++r)
    if (!at[static_cast<std::size_t>(r)] && n++ < 10) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
  if (n > 0)
    return {"", std::to_string(n) + " of the grid's " + std::to_string(grid) + " runs are missing: " + missing + (n > 10 ? ", ..." : "") +
                    " (a part not given, or not finished?)", {}};
  merged->clear();
  for (const SweepLine* l : at) merged->push_back(l->text);
  return {};
}

}  // namespace mesaflow
