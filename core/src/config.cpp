#include "mesaflow/config.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mesaflow/kernel.hpp"

namespace mesaflow {

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> fields = {
      {"d", "d", FieldType::Int, 1, 32, false, {}, "token dimension"},
      {"T", "T", FieldType::Int, 3, 100000, false, {}, "sequence length"},
      {"m", "m", FieldType::Int, 1, 10000000, false, {}, "number of training sequences"},
      {"x1", "x1", FieldType::Enum, 0, 0, false,
       {"gaussian", "sparse", "full-one", "rademacher", "unit-phase"}, "first-token distribution"},
      {"scale", "scale", FieldType::Number, 1e-3, 1e3, false, {},
       "sigma (gaussian) or c (sparse, full-one, rademacher, unit-phase)"},
      {"init", "init", FieldType::Enum, 0, 0, false, {"diagonal", "gaussian"}, "initialisation"},
      {"a0", "a0", FieldType::Number, -100, 100, false, {}, "diagonal init: W_KQ red block = a0 I"},
      {"b0", "b0", FieldType::Number, -100, 100, false, {}, "diagonal init: W_PV red block = b0 I"},
      {"sigma-w", "sigma_w", FieldType::Number, 0, 100, false, {}, "gaussian init: entry std"},
      {"method", "method", FieldType::Enum, 0, 0, false, {"gd", "flow"},
       "gd: gradient descent; flow: adaptive Runge-Kutta gradient flow over time lr*epochs"},
      {"lr", "lr", FieldType::Number, 0, 10, true, {}, "step size (flow time per epoch for flow)"},
      {"epochs", "epochs", FieldType::Int, 0, 10000000, false, {}, "training epochs"},
      {"eval-every", "eval_every", FieldType::Int, 1, 10000000, false, {}, "evaluate every k epochs"},
      {"test-m", "test_m", FieldType::Int, 1, 10000000, false, {}, "number of test sequences"},
      {"clip", "clip", FieldType::Bool, 0, 1, false, {}, "zero the off-diagonal entries of the red blocks after each step"},
      {"seed", "seed", FieldType::Int, 0, 9007199254740991.0, false, {}, "random seed"},
      {"threads", "threads", FieldType::Int, 0, 256, false, {}, "worker threads, 0 = all cores (results do not depend on it)"},
  };
  return fields;
}

const FieldSpec* find_field(const std::string& n) {
  for (const auto& f : config_fields())
    if (n == f.name || n == f.key) return &f;
  return nullptr;
}

static std::string fmt(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e16) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string range_text(const FieldSpec& f) {
  if (f.type == FieldType::Enum) {
    std::string s = "one of ";
    for (size_t i = 0; i < f.choices.size(); ++i) s += (i ? ", " : "") + f.choices[i];
    return s;
  }
  if (f.type == FieldType::Bool) return "true or false";
  std::string kind = f.type == FieldType::Int ? "an integer in " : "a number in ";
  return kind + (f.min_open ? "(" : "[") + fmt(f.min) + ", " + fmt(f.max) + "]";
}

// Text is echoed in messages; keep it short and printable.
static std::string shown(const std::string& v) {
  std::string s;
  for (char ch : v.substr(0, 40)) s += (ch >= 32 && ch < 127) ? ch : '?';
  if (v.size() > 40) s += "...";
  return "'" + s + "'";
}

std::string set_field(Config& c, const std::string& name, const std::string& value) {
  const FieldSpec* f = find_field(name);
  if (!f) return "unknown option " + shown(name);
  const std::string err = std::string(f->name) + ": " + shown(value) + " is not valid; expected " + range_text(*f);
  const std::string key = f->key;
  if (f->type == FieldType::Enum) {
    int idx = -1;
    for (size_t i = 0; i < f->choices.size(); ++i)
      if (value == f->choices[i]) idx = static_cast<int>(i);
    if (idx < 0) return err;
    if (key == "x1") c.x1 = static_cast<X1Family>(idx);
    else if (key == "init") c.init = static_cast<Init>(idx);
    else if (key == "method") c.method = static_cast<Method>(idx);
    return "";
  }
  if (f->type == FieldType::Bool) {
    if (value == "" || value == "true" || value == "1" || value == "yes" || value == "on") c.clip = true;
    else if (value == "false" || value == "0" || value == "no" || value == "off") c.clip = false;
    else return err;
    return "";
  }
  if (value.empty() || value.size() > 64) return err;
  char* end = nullptr;
  // Underflow (ERANGE with a subnormal or zero result) is accepted: the value is what JavaScript's
  // Number() gives too, and get_field's text of a subnormal ("5e-324") must read back here.
  // Overflow gives an infinity, rejected below.
  const double v = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !std::isfinite(v)) return err;
  const bool below = f->min_open ? !(v > f->min) : !(v >= f->min);
  if (below || !(v <= f->max)) return err;
  if (f->type == FieldType::Int) {
    if (v != std::floor(v)) return err;
    if (key == "d") c.d = static_cast<int>(v);
    else if (key == "T") c.T = static_cast<int>(v);
    else if (key == "m") c.m = static_cast<int>(v);
    else if (key == "epochs") c.epochs = static_cast<int>(v);
    else if (key == "eval_every") c.eval_every = static_cast<int>(v);
    else if (key == "test_m") c.test_m = static_cast<int>(v);
    else if (key == "seed") c.seed = static_cast<std::uint64_t>(v);
    else if (key == "threads") c.threads = static_cast<int>(v);
    return "";
  }
  if (key == "scale") c.scale = v;
  else if (key == "a0") c.a0 = v;
  else if (key == "b0") c.b0 = v;
  else if (key == "sigma_w") c.sigma_w = v;
  else if (key == "lr") c.lr = v;
  return "";
}

std::string get_field(const Config& c, const FieldSpec& f) {
  const std::string key = f.key;
  if (key == "x1") return to_string(c.x1);
  if (key == "init") return to_string(c.init);
  if (key == "method") return to_string(c.method);
  if (key == "clip") return c.clip ? "true" : "false";
  if (key == "d") return std::to_string(c.d);
  if (key == "T") return std::to_string(c.T);
  if (key == "m") return std::to_string(c.m);
  if (key == "epochs") return std::to_string(c.epochs);
  if (key == "eval_every") return std::to_string(c.eval_every);
  if (key == "test_m") return std::to_string(c.test_m);
  if (key == "seed") return std::to_string(c.seed);
  if (key == "threads") return std::to_string(c.threads);
  const double v = key == "scale" ? c.scale : key == "a0" ? c.a0 : key == "b0" ? c.b0 : key == "sigma_w" ? c.sigma_w : c.lr;
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {  // the shortest text that reads back exactly
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

double estimate_bytes(const Config& c, DataLayout generated, bool train_from_file) {
  const double lanes = 8;
  const double m = std::ceil(c.m / lanes) * lanes, tm = std::ceil(c.test_m / lanes) * lanes;
  const double D = 2.0 * c.d;
  const double tokens = c.T * c.d * 16.0;  // bytes per sequence held as tokens (complex double)
  const double compact = 2 * c.d * 16.0;   // held as x_1 and lambda
  const double per_generated = generated == DataLayout::Tokens ? tokens : compact;
  // Both sets, plus per-thread scratch and parameters (1 MB also covers a materialised sequence).
  return m * (train_from_file ? tokens : per_generated) + tm * per_generated + 64.0 * D * D * lanes * 16.0 + (1 << 20);
}

double estimate_flops(const Config& c) {
  const double gradients = c.method == Method::GD ? c.epochs : 6.0 * c.epochs + 1;
  const double evaluations = std::floor(c.epochs / static_cast<double>(c.eval_every)) + 2;
  return gradients * epoch_flops(c.d, c.T, c.m) + evaluations * forward_flops(c.d, c.T, c.test_m);
}

// "45 s", "12 min", "3.5 hours", "9 days".
static std::string duration_text(double s) {
  char buf[64];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 90 * 60) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 48 * 3600) std::snprintf(buf, sizeof buf, "%.1f hours", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.0f days", s / 86400);
  return buf;
}

std::string validate(const Config& c, double budget, DataLayout generated, bool train_from_file, const TimeBudget& time) {
  // Each field on its own (a Config built in code bypasses set_field).
  for (const auto& f : config_fields()) {
    Config probe;
    const std::string e = set_field(probe, f.name, get_field(c, f));
    if (!e.empty()) return e;
  }
  const double bytes = estimate_bytes(c, generated, train_from_file);
  if (bytes > budget) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "m, test-m, T, d: this setting needs about %.2f GB, more than the budget of %.2f GB; "
                  "reduce m, test-m or T",
                  bytes / 1e9, budget / 1e9);
    return buf;
  }
  const double flops = estimate_flops(c), seconds = flops / time.flops_per_second;
  if (seconds > time.seconds) {
    char buf[384];
    std::snprintf(buf, sizeof buf,
                  "epochs: this run needs about %.2g floating-point operations, %s at %.0f GFLOP/s, more than the "
                  "budget of %s %s; reduce epochs, m, test-m or T%s",
                  flops, duration_text(seconds).c_str(), time.flops_per_second / 1e9, duration_text(time.seconds).c_str(),
                  time.where, time.hint);
    return buf;
  }
  return "";
}

const char* to_string(X1Family f) {
  switch (f) {
    case X1Family::Gaussian: return "gaussian";
    case X1Family::Sparse: return "sparse";
    case X1Family::FullOne: return "full-one";
    case X1Family::Rademacher: return "rademacher";
    case X1Family::UnitPhase: return "unit-phase";
  }
  return "?";
}
const char* to_string(Init i) { return i == Init::Diagonal ? "diagonal" : "gaussian"; }
const char* to_string(Method m) { return m == Method::GD ? "gd" : "flow"; }
bool ratio_defined(X1Family f) { return f != X1Family::Sparse; }

}  // namespace mesaflow
