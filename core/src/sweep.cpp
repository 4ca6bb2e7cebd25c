#include "mesaflow/sweep.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mesaflow/json.hpp"
#include "mesaflow/session.hpp"

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
  if (s.empty() || s.size() > 64) return false;
  errno = 0;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0' && errno != ERANGE && std::isfinite(v);
}

std::string shown(const std::string& v) { return "'" + v.substr(0, 40) + (v.size() > 40 ? "...'" : "'"); }

// start:stop:step, inclusive; values written with 12 significant digits so 0.1:0.3:0.1 gives
// 0.1, 0.2, 0.3 and not 0.30000000000000004.
std::string expand_range(const FieldSpec& f, const std::string& text, std::vector<std::string>& out) {
  const std::string name = f.name;
  if (f.type == FieldType::Enum || f.type == FieldType::Bool)
    return name + ": " + shown(text) + " is a range, but " + name + " takes " + range_text(f) +
           "; list the values instead, e.g. a,b";
  const std::vector<std::string> p = split(text, ':');
  double start, stop, step;
  if (p.size() != 3 || !parse_number(p[0], start) || !parse_number(p[1], stop) || !parse_number(p[2], step) ||
      step == 0 || (stop - start) / step < 0)
    return name + ": " + shown(text) +
           " is not a valid range; expected start:stop:step (inclusive) with a step that leads from start to stop, "
           "e.g. 0.5:2:0.5";
  const double count = std::floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1;
  if (!(count <= kMaxSweepRuns))  // (stop - start) / step may be huge or infinite: no cast to an integer
    return name + ": " + shown(text) + " has " +
           (count < 1e15 ? std::to_string(static_cast<long long>(count)) : std::string("too many")) +
           " values, more than the limit of " + std::to_string(kMaxSweepRuns) + " runs";
  for (long k = 0; k < static_cast<long>(count); ++k) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", start + k * step);
    out.push_back(buf);
  }
  return "";
}

}  // namespace

std::string expand_values(const std::string& name, const std::string& text, std::vector<std::string>& out) {
  const FieldSpec* f = find_field(name);
  if (!f) return "unknown option '" + name.substr(0, 40) + (name.size() > 40 ? "...'" : "'");
  std::vector<std::string> values;
  for (const std::string& item : split(text, ',')) {
    if (item.find(':') != std::string::npos) {
      const std::string e = expand_range(*f, item, values);
      if (!e.empty()) return e;
    } else {
      values.push_back(item);
    }
    if (values.size() > static_cast<std::size_t>(kMaxSweepRuns))
      return std::string(f->name) + ": more than " + std::to_string(kMaxSweepRuns) + " values";
  }
  Config probe;
  for (const std::string& v : values) {
    const std::string e = set_field(probe, f->name, v);
    if (!e.empty()) return e;
  }
  out = values;
  return "";
}

std::string SweepGrid::add(const std::string& name, const std::string& text) {
  std::vector<std::string> values;
  const std::string e = expand_values(name, text, values);
  if (!e.empty()) return e;
  const std::string field = find_field(name)->name;
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (axes[i].name == field) axes.erase(axes.begin() + static_cast<long>(i));  // the last one given wins
  if (values.size() == 1) return set_field(base, field, values[0]);
  axes.push_back({field, values});
  return "";
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

std::string SweepGrid::check_size() const {
  const double n = size();
  if (n <= kMaxSweepRuns) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf, "sweep: the grid has %.0f runs, more than the limit of %ld; shorten the lists or ranges",
                n, kMaxSweepRuns);
  return buf;
}

std::string sweep_json(const Session& s, long run, double wall_seconds) {
  const History& h = s.history();
  const Theory& th = s.theory();
  JsonWriter w;
  w.begin_object();
  w.key("run").value(static_cast<long long>(run));
  w.key("config");
  std::string out = w.str() + config_json(s.config());
  JsonWriter r;
  r.begin_object();
  r.key("data").value(s.data_from_file() ? "file" : "generated");
  r.key("epochs_done").value(s.epoch());
  auto last = [&](const std::vector<double>& v) -> JsonWriter& { return v.empty() ? r.null() : r.value(v.back()); };
  r.key("ab");
  last(h.ab);
  r.key("test_loss");
  last(h.test_loss);
  r.key("ratio");
  last(h.ratio);
  r.key("last_mse");
  last(h.last_mse);
  r.key("c_star_T").value(th.c_star_T).key("c_star_inf").value(th.c_star_inf);
  r.key("c_star_empirical").value(th.c_star_empirical);
  r.key("ratio_pred").value(th.ratio_pred).key("moment_ratio").value(th.moment_ratio);
  r.key("recovery").value(th.recovery);
  r.key("diverged").value(s.diverged()).key("message").value(s.message());
  r.key("wall_seconds").value(wall_seconds);
  r.end_object();
  return out + "," + r.str().substr(1);  // splice the keys into the outer object
}

}  // namespace mesaflow
