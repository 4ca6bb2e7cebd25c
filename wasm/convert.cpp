#include "convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include <emscripten/bind.h>

namespace mesaflow::js {

namespace {

struct Parsed {
  Config cfg;
  std::string field, message;  // empty when valid
};

// Every own key of the JS object goes through set_field as text (String(value)), so JS
// configs are checked by exactly the same table as CLI options. undefined means "default".
Parsed parse(val obj, double budget) {
  Parsed p;
  if (obj.isUndefined() || obj.isNull()) obj = val::object();
  if (obj.typeOf().as<std::string>() != "object") {
    p.field = "config";
    p.message = "config: expected a plain object";
    return p;
  }
  const val keys = val::global("Object").call<val>("keys", obj);
  const int n = keys["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    const std::string key = keys[i].as<std::string>();
    const val v = obj[key];
    if (v.isUndefined()) continue;
    const std::string text = val::global("String")(v).as<std::string>();
    const std::string err = set_field(p.cfg, key, text);
    if (!err.empty()) {
      const FieldSpec* f = find_field(key);
      p.field = f ? f->name : key;
      p.message = err;
      return p;
    }
  }
  // The browser's time budget goes with its memory budget (estimateBytes and theory pass none).
  p.message = mesaflow::validate(p.cfg, budget, kGeneratedLayout, false, std::isinf(budget) ? kNoTimeBudget : kBrowserTimeBudget);
  if (!p.message.empty()) p.field = p.message.rfind("m, ", 0) == 0 ? "m" : p.message.substr(0, p.message.find(':'));
  return p;
}

// Fields shown to the page; threads is accepted but means nothing without wasm threads.
bool listed(const FieldSpec& f) { return std::string(f.key) != "threads"; }

const char* type_name(FieldType t) {
  switch (t) {
    case FieldType::Int: return "int";
    case FieldType::Number: return "number";
    case FieldType::Enum: return "enum";
    case FieldType::Bool: return "bool";
  }
  return "?";
}

val field_value(const Config& c, const FieldSpec& f) {
  const std::string v = get_field(c, f);
  if (f.type == FieldType::Enum) return val(v);
  if (f.type == FieldType::Bool) return val(c.clip);
  return val(std::stod(v));
}

val f64(const double* p, std::size_t n) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(n, p));
}
val f64(const std::vector<double>& v) { return f64(v.data(), v.size()); }

val theory_object(const Theory& th, bool with_data) {
  val o = val::object();
  o.set("M2", th.moments.M2);
  o.set("M4", th.moments.M4);
  o.set("M6", th.moments.M6);
  o.set("M24", th.moments.M24);
  o.set("A", th.A);
  o.set("B", th.B);
  o.set("c_star_T", th.c_star_T);
  o.set("c_star_inf", th.c_star_inf);
  o.set("c_star_empirical", with_data ? val(th.c_star_empirical) : val::null());
  o.set("ratio_pred", th.ratio_pred);
  o.set("recovery", th.recovery);
  o.set("moment_ratio", th.moment_ratio);
  return o;
}

// Row-major copies of the real or imaginary parts (Eigen stores column-major).
std::vector<double> part(const Eigen::MatrixXcd& m, bool imag) {
  std::vector<double> out(static_cast<std::size_t>(m.rows() * m.cols()));
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) out[i * m.cols() + j] = imag ? m(i, j).imag() : m(i, j).real();
  return out;
}

// Weights from the object of JsSession::weights() (row-major real and imaginary parts) for a
// data set of dimension d; false on any other shape.
bool params_from(val w, int d, Params& p) {
  if (w.typeOf().as<std::string>() != "object" || w["d"].typeOf().as<std::string>() != "number" || w["d"].as<double>() != d)
    return false;
  const int D = 2 * d;
  const std::vector<double> kr = emscripten::convertJSArrayToNumberVector<double>(w["wkq_re"]);
  const std::vector<double> ki = emscripten::convertJSArrayToNumberVector<double>(w["wkq_im"]);
  const std::vector<double> pr = emscripten::convertJSArrayToNumberVector<double>(w["wpv_re"]);
  const std::vector<double> pi = emscripten::convertJSArrayToNumberVector<double>(w["wpv_im"]);
  if (kr.size() != static_cast<std::size_t>(D * D) || ki.size() != kr.size() ||
      pr.size() != static_cast<std::size_t>(d * D) || pi.size() != pr.size())
    return false;
  p = Params::zeros(d);
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) p.wkq(i, j) = {kr[i * D + j], ki[i * D + j]};
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < D; ++j) p.wpv(i, j) = {pr[i * D + j], pi[i * D + j]};
  return true;
}

std::vector<double> numbers(val a) {
  return a.isUndefined() || a.isNull() ? std::vector<double>() : emscripten::convertJSArrayToNumberVector<double>(a);
}

bool is_object(val v) { return v.typeOf().as<std::string>() == "object" && !v.isNull(); }
bool is_number(val v) { return v.typeOf().as<std::string>() == "number"; }
bool is_array(val v) {
  return is_object(v) && (val::global("Array").call<bool>("isArray", v) || val::global("ArrayBuffer").call<bool>("isView", v));
}

// The History columns, in the order of JsSession::history().
constexpr const char* kColumns[] = {"epoch", "train_loss", "test_loss", "ab", "ratio", "last_mse"};
template <class H>  // History or const History
auto column(H& h, int i) -> decltype((h.epoch)) {
  decltype(&h.epoch) cols[] = {&h.epoch, &h.train_loss, &h.test_loss, &h.ab, &h.ratio, &h.last_mse};
  return *cols[i];
}

// A Checkpoint from the object of JsSession::checkpoint(); "" or what is wrong with its form
// (its values are checked by Session::resume_error).
std::string checkpoint_from(val o, int d, Checkpoint& cp) {
  if (!is_object(o)) return "checkpoint: expected an object as s.checkpoint() returns";
  const val e = o["epoch"];
  if (!is_number(e) || !(e.as<double>() >= -1 && e.as<double>() <= 2147483647.0) || e.as<double>() != std::floor(e.as<double>()))
    return "checkpoint.epoch: expected a whole number";
  cp.epoch = static_cast<int>(e.as<double>());
  if (!params_from(o["weights"], d, cp.params))
    return "checkpoint.params: expected weights {d, wkq_re, wkq_im (2d*2d), wpv_re, wpv_im (d*2d)} of this config's d";
  struct Real {
    const char *key, *name;  // JS key, core name (as in the core's messages)
    double* out;
  };
  for (const Real& r : {Real{"firstLoss", "first_loss", &cp.first_loss}, Real{"flowStep", "flow_step", &cp.flow_step}}) {
    if (!is_number(o[r.key])) return std::string("checkpoint.") + r.name + ": expected a number";
    *r.out = o[r.key].as<double>();
  }
  const val g = o["gradientEvaluations"];
  if (!is_number(g) || !(g.as<double>() >= 0 && g.as<double>() < 9e15)) return "checkpoint.gradient_evaluations: expected a count >= 0";
  cp.gradient_evaluations = static_cast<long>(g.as<double>());
  const val h = o["history"];
  if (!is_object(h)) return "checkpoint.history: expected {epoch, train_loss, test_loss, ab, ratio, last_mse} arrays";
  for (int i = 0; i < 6; ++i) {
    const val a = h[kColumns[i]];
    if (!is_array(a)) return std::string("checkpoint.history: ") + kColumns[i] + " is not an array";
    // At most one row per epoch 0..epoch: checked before copying, so a huge array is no burden.
    if (!(a["length"].as<double>() <= cp.epoch + 1.0))
      return std::string("checkpoint.history: ") + kColumns[i] + " has more rows than epochs 0.." + std::to_string(cp.epoch);
    column(cp.history, i) = emscripten::convertJSArrayToNumberVector<double>(a);
  }
  return "";
}

// Whether the heap can grow by what a session for c allocates (the browser may refuse memory
// well below the budget). Without C++ exceptions a failed allocation inside the session would
// abort the module; a plain malloc returns null instead (ALLOW_MEMORY_GROWTH, no ABORTING_MALLOC),
// so we ask for the whole amount first and give it back. message: why not, naming m.
bool memory_available(const Config& c, std::string& message) {
  const double bytes = estimate_bytes(c) * 1.05 + (1 << 20);  // allocator overhead and slack
  // Called through a volatile pointer: the compiler may otherwise drop an unused malloc/free pair.
  void* (*volatile allocate)(std::size_t) = std::malloc;
  void* probe = bytes < 4.0e9 ? allocate(static_cast<std::size_t>(bytes)) : nullptr;
  if (probe) {
    std::free(probe);
    return true;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "m, test-m, T, d: out of memory: this configuration needs about %.0f MiB and the browser did not "
                "provide it; reduce m, test-m, T or d (or close other tabs)",
                bytes / 1048576.0);
  message = buf;
  return false;
}

}  // namespace

val fields() {
  const Config def;
  val rows = val::array();
  for (const auto& f : config_fields()) {
    if (!listed(f)) continue;
    val r = val::object();
    r.set("name", std::string(f.name));
    r.set("key", std::string(f.key));
    r.set("type", std::string(type_name(f.type)));
    if (f.type == FieldType::Int || f.type == FieldType::Number) {
      r.set("min", f.min);
      r.set("max", f.max);
      r.set("min_open", f.min_open);
    }
    val choices = val::array();
    for (const auto& ch : f.choices) choices.call<void>("push", ch);
    r.set("choices", choices);
    r.set("default", field_value(def, f));
    r.set("help", std::string(f.help));
    rows.call<void>("push", r);
  }
  return rows;
}

val defaults() {
  const Config def;
  val o = val::object();
  for (const auto& f : config_fields())
    if (listed(f)) o.set(std::string(f.key), field_value(def, f));
  return o;
}

val parse_field(std::string name, std::string text) {
  Config c;
  const std::string err = set_field(c, name, text);
  const FieldSpec* f = find_field(name);
  val o = val::object();
  o.set("field", f ? std::string(f->name) : name);
  if (!err.empty()) o.set("message", err);
  else o.set("value", field_value(c, *f));
  return o;
}

val validate(val cfg, double budget) {
  const Parsed p = parse(cfg, budget);
  if (p.message.empty()) return val::null();
  val e = val::object();
  e.set("field", p.field);
  e.set("message", p.message);
  return e;
}

double epoch_flops(val cfg) {
  const Config c = parse(cfg, std::numeric_limits<double>::infinity()).cfg;
  return mesaflow::epoch_flops(c.d, c.T, c.m) + forward_flops(c.d, c.T, c.test_m);
}

double estimate_bytes(val cfg) { return mesaflow::estimate_bytes(parse(cfg, std::numeric_limits<double>::infinity()).cfg); }

val theory(val cfg) { return theory_object(theory_for(parse(cfg, std::numeric_limits<double>::infinity()).cfg), false); }

namespace {
// The config of a JS object for a Session or ShardWorker: checked against the field table, the
// browser's budgets (and, with external sums, the method) and then the heap, in that order.
// False with error and field set when any check fails.
bool browser_config(val obj, bool external_sums, Config& c, std::string& error, std::string& field) {
  Parsed p = parse(obj, kBrowserMemoryBudget);
  if (p.message.empty() && external_sums && p.cfg.method != Method::GD) {
    p.field = "method";
    p.message = "method: the parallel path (external sums) needs method gd";
  }
  if (!p.message.empty()) {
    error = p.message;
    field = p.field;
    return false;
  }
  c = p.cfg;
  c.threads = 1;
  if (!memory_available(c, error)) {
    field = "m";
    return false;
  }
  return true;
}
}  // namespace

JsSession::JsSession(val cfg, bool external_sums) {
  Config c;
  if (browser_config(cfg, external_sums, c, error_, error_field_))
    s_ = std::make_unique<Session>(c, kBrowserMemoryBudget, nullptr, kGeneratedLayout, external_sums);
}

std::string JsSession::feed(val train, val test) {
  if (!s_->awaiting_sums()) return "feed: no sums are awaited (createSession(cfg, {externalSums: true}), then feed before each run(1))";
  const std::vector<double> tr = numbers(train), te = numbers(test);
  const int d = s_->config().d;
  if (tr.size() != static_cast<std::size_t>(kShards) * shard_record_size(d, s_->wants_gradient()))
    return "feed: train must hold the records of all shards" + std::string(s_->wants_gradient() ? ", with gradients" : ", without gradients");
  if (!te.empty() && te.size() != static_cast<std::size_t>(kShards) * shard_record_size(d, false))
    return "feed: test must be empty or hold the forward-only records of all shards";
  s_->feed(tr, te);
  return "";
}

JsShardWorker::JsShardWorker(val cfg) {
  Config c;
  if (browser_config(cfg, false, c, error_, error_field_)) w_ = std::make_unique<ShardWorker>(c, kBrowserMemoryBudget);
}

namespace {
std::string check_sums_args(val weights, int d, int first, int last, Params& p) {
  if (first < 0 || last > kShards || first > last) return "shards: expected 0 <= first <= last <= " + std::to_string(kShards);
  if (!params_from(weights, d, p)) return "weights: expected {d, wkq_re, wkq_im (2d*2d), wpv_re, wpv_im (d*2d)} of this config's d";
  return "";
}
}  // namespace

val JsShardWorker::train_sums(val weights, int first, int last, bool grad) const {
  Params p;
  const std::string err = check_sums_args(weights, w_->config().d, first, last, p);
  if (!err.empty()) return val(err);
  std::vector<double> out;
  w_->train_sums(p, grad, first, last, out);
  return f64(out);
}

val JsShardWorker::test_sums(val weights, int first, int last) const {
  Params p;
  const std::string err = check_sums_args(weights, w_->config().d, first, last, p);
  if (!err.empty()) return val(err);
  std::vector<double> out;
  w_->test_sums(p, first, last, out);
  return f64(out);
}

val JsSession::run(int k) {
  s_->run(std::max(k, 0));
  val o = val::object();
  o.set("epoch", s_->epoch());
  o.set("done", s_->done());
  o.set("diverged", s_->diverged());
  o.set("message", s_->message());
  return o;
}

namespace {
val history_object(const History& h) {
  val o = val::object();
  for (int i = 0; i < 6; ++i) o.set(kColumns[i], f64(column(h, i)));
  return o;
}
}  // namespace

val JsSession::history() const { return history_object(s_->history()); }

val JsSession::checkpoint() const {
  if (s_->diverged()) return val::null();
  const Checkpoint cp = s_->checkpoint();
  val o = val::object();
  o.set("epoch", cp.epoch);
  o.set("weights", weights());
  o.set("firstLoss", cp.first_loss);
  o.set("flowStep", cp.flow_step);
  o.set("gradientEvaluations", static_cast<double>(cp.gradient_evaluations));
  o.set("history", history_object(cp.history));
  return o;
}

std::string JsSession::resume(val o) {
  Checkpoint cp;
  std::string err = checkpoint_from(o, s_->config().d, cp);
  if (err.empty()) err = s_->resume_error(cp);
  if (err.empty()) s_->resume(cp);  // cannot throw now
  return err;
}

val JsSession::theory() const { return theory_object(s_->theory(), true); }

val JsSession::ode_curve() const {
  const std::vector<double>& ab = s_->ode_ab();
  std::vector<double> epoch(ab.size());
  for (std::size_t e = 0; e < epoch.size(); ++e) epoch[e] = static_cast<double>(e);
  val o = val::object();
  o.set("epoch", f64(epoch));
  o.set("ab", f64(ab));
  o.set("ab_empirical", f64(s_->ode_ab_empirical()));
  return o;
}

val JsSession::weights() const {
  const Params& p = s_->params();
  val o = val::object();
  o.set("d", p.d());
  o.set("wkq_re", f64(part(p.wkq, false)));
  o.set("wkq_im", f64(part(p.wkq, true)));
  o.set("wpv_re", f64(part(p.wpv, false)));
  o.set("wpv_im", f64(part(p.wpv, true)));
  return o;
}

val JsSession::samples(int n) const {
  const Dataset& ds = s_->train();
  n = std::clamp(n, 0, ds.m);
  std::vector<double> re(static_cast<std::size_t>(n) * ds.T * ds.d), im(re.size());
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < ds.T; ++t)
      for (int j = 0; j < ds.d; ++j) {
        const std::size_t k = (static_cast<std::size_t>(i) * ds.T + t) * ds.d + j;
        const std::complex<double> x = ds.x(i, t, j);  // either layout
        re[k] = x.real();
        im[k] = x.imag();
      }
  val o = val::object();
  o.set("n", n);
  o.set("T", ds.T);
  o.set("d", ds.d);
  o.set("re", f64(re));
  o.set("im", f64(im));
  return o;
}

val JsSession::mesa(int nseq) const {
  const MesaView v = s_->mesa(std::max(nseq, 1));
  val o = val::object();
  o.set("t", f64(v.t));
  o.set("model", f64(v.model));
  o.set("gd1", f64(v.gd1));
  o.set("ls", f64(v.ls));
  o.set("true_w", f64(v.true_w));
  o.set("gap", f64(v.gap));
  return o;
}

}  // namespace mesaflow::js
