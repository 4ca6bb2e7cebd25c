// The module's free functions (bindings.cpp names them): the field table, checks, estimates and
// the theory without a session.
#include "api.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "mesaflow/budget.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/flops.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/theory.hpp"

namespace mesaflow::js {

namespace {
constexpr double kNoBudget = std::numeric_limits<double>::infinity();
}

val fields() { return to_val(fields_json()); }

namespace {
val names_val(const std::vector<std::string>& names) {
  val a = val::array();
  for (const std::string& n : names) a.call<void>("push", n);
  return a;
}
}  // namespace

val tables() {
  val ranges = val::object(), rules = val::object();
  for (const FieldSpec& f : config_fields()) {
    if (!f.browser) continue;
    if (f.kind != FieldKind::Text) {
      ranges.set(f.name, range_text(f));
      continue;
    }
    Config probe;  // a control character no Text field takes: its refusal says what is expected
    rules.set(f.name, f.set_text(probe, "\x01"));
  }
  std::vector<std::string> history;
  for (const auto& [name, col] : History::columns()) history.emplace_back(name);
  const Problem memory = memory_problem("{need}", "{budget}");
  val m = val::object();
  m.set("template", memory.message);
  m.set("field", memory.field);
  m.set("fields", names_val(memory.fields()));
  // The estimate's terms per model kind and precision (budget.hpp MemoryTerms), the layout generated
  // sets are held in here, and the browser's budget: what site/js/model/memory.js evaluates. The
  // kinds are model_of's (registry.cpp): each registered model, and the attention model's softmax
  // and L-layer kinds, keyed as memory.js termsKey names them ('attention/softmax', 'attention/layers-2').
  std::vector<std::pair<std::string, Config>> kinds;
  for (std::size_t i = 0; i < models().size(); ++i) {
    Config c;
    c.model = static_cast<int>(i);
    kinds.emplace_back(models()[i]->name(), c);
  }
  Config softmax;
  softmax.attention = Attention::Softmax;
  kinds.emplace_back("attention/softmax", softmax);
  for (int L = 2; L <= static_cast<int>(find_field("layers")->max); ++L) {
    Config c;
    c.layers = L;
    kinds.emplace_back("attention/layers-" + std::to_string(L), c);
  }
  val terms = val::object();
  for (const auto& [key, c] : kinds) {
    val per = val::object();
    for (Precision p : {Precision::Double, Precision::Single}) {
      const MemoryTerms t = memory_terms(model_of(c), p);
      val o = val::object();
      o.set("lanes", t.lanes);
      o.set("token_bytes", t.token_bytes);
      o.set("compact_bytes", t.compact_bytes);
      o.set("scratch_d2", t.scratch_d2);
      o.set("fixed", t.fixed);
      o.set("scratch_td", t.scratch_td);
      o.set("scratch_t", t.scratch_t);
      per.set(to_string(p), o);
    }
    terms.set(key, per);
  }
  m.set("terms", terms);
  // Each kind's refusal (memory_problem for a config of that kind): a stack of layers or softmax
  // attention also names what drives its cost (budget.hpp cost_field).
  val by_kind = val::object();
  for (const auto& [key, c] : kinds) {
    const Problem p = memory_problem("{need}", "{budget}", c);
    val o = val::object();
    o.set("template", p.message);
    o.set("field", p.field);
    o.set("fields", names_val(p.fields()));
    by_kind.set(key, o);
  }
  m.set("by_kind", by_kind);
  m.set("layout", std::string(kGeneratedLayout == DataLayout::Tokens ? "tokens" : "compact"));
  m.set("browser_budget", kBrowserMemoryBudget);
  val o = val::object();
  o.set("ranges", ranges);
  o.set("text_rules", rules);
  o.set("live", names_val(Session::live_fields()));
  o.set("data", names_val(data_fields()));
  o.set("file", names_val(file_fields()));
  o.set("history", names_val(history));
  o.set("memory", m);
  return o;
}

val defaults() {
  val o = val::object();
  for (const val& row : emscripten::vecFromJSArray<val>(fields())) o.set(row["key"], row["default"]);
  return o;
}

val check(val cfg, double budget) {
  Config c;
  std::string key;
  Problem p = config_from(cfg, c, &key);
  if (!p) p = validate(c, budget, kGeneratedLayout, false, budget == kNoBudget ? kNoTimeBudget : kBrowserTimeBudget);
  return problem_val(p, key);
}

val parse_field(std::string name, std::string text) {
  Config c;
  const Problem p = set_field(c, name, text);
  if (p) return problem_val(p, name);
  const FieldSpec* f = find_field(name);
  val o = val::object();
  o.set("field", std::string(f->name));
  o.set("value", to_val(config_json(c)[f->key]));
  return o;
}

val invalid(std::string name, std::string text, std::string expected) {
  return problem_val({name, shown(text) + " is not valid; expected " + expected, {}});
}

namespace {
// cfg is checked by the JS wrapper first (mesaflow.js), without a budget.
Config parsed(val cfg) {
  Config c;
  config_from(cfg, c);
  return c;
}
}  // namespace

double epoch_flops(val cfg) {
  const Config c = parsed(cfg);
  const Model& model = model_of(c);
  return model.flops(Pass::Gradient, c.d, c.T, c.m) + model.flops(Pass::Test, c.d, c.T, c.test_m);
}

double estimate_bytes(val cfg) { return mesaflow::estimate_bytes(parsed(cfg)); }

val theory(val cfg) { return to_val(theory_for(parsed(cfg))); }

val plan_training(val cfg) {
  const Config c = parsed(cfg);
  const Theory th = theory_for(c);
  const GdPlan plan = plan_gd(c.a0, c.b0, th.A, th.B, c.d);
  val o = val::object();
  o.set("lr", plan.lr);
  o.set("epochs", plan.epochs);
  o.set("flow_time", plan.flow_time);
  o.set("curvature", plan.curvature);
  return o;
}

val capability(val cfg, int lo, int hi) {
  const Config c = parsed(cfg);
  const Theory th = theory_for(c);
  if (!th.applies()) return val::null();
  lo = std::max(3, std::min(lo, 100000));
  hi = std::max(lo, std::min(hi, 100000));
  return to_val(mesaflow::capability(th.moments, c.d, log_spaced(lo, hi)));
}

}  // namespace mesaflow::js
