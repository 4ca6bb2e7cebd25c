#include "convert.hpp"

#include <algorithm>
#include <cmath>

#include <emscripten/bind.h>
#include <nlohmann/json.hpp>

#include "mesaflow/fields.hpp"

namespace mesaflow::js {

val to_val(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      val o = val::object();
      for (const auto& [k, v] : j.items()) o.set(k, to_val(v));
      return o;
    }
    case Json::value_t::array: {
      val a = val::array();
      for (const auto& v : j) a.call<void>("push", to_val(v));
      return a;
    }
    case Json::value_t::string: return val(j.get<std::string>());
    case Json::value_t::boolean: return val(j.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return val(j.get<double>());
    default: return val::null();
  }
}

val f64(const std::vector<double>& v) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(v.size(), v.data()));
}

namespace {
// v[from..] as a Float64Array (empty when from is past the end).
val f64_from(const std::vector<double>& v, std::size_t from) {
  from = std::min(from, v.size());
  return val::global("Float64Array").new_(emscripten::typed_memory_view(v.size() - from, v.data() + from));
}
}  // namespace

val problem_val(const Problem& p, const std::string& unknown) {
  if (!p) return val::null();
  val o = val::object();
  o.set("field", p.field.empty() ? unknown : p.field);
  val fields = val::array();
  for (const std::string& f : p.field.empty() && !unknown.empty() ? std::vector<std::string>{unknown} : p.fields())
    fields.call<void>("push", f);
  o.set("fields", fields);
  o.set("message", describe(p));
  return o;
}

Problem config_from(val obj, Config& c, std::string* key) {
  if (obj.isUndefined() || obj.isNull()) return {};
  if (obj.typeOf().as<std::string>() != "object") return {"config", "expected a plain object", {}};
  const val keys = val::global("Object").call<val>("keys", obj);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0, n = keys["length"].as<int>(); i < n; ++i) {
    const std::string key = keys[i].as<std::string>();
    const val v = obj[key];
    if (!v.isUndefined()) pairs.emplace_back(key, val::global("String")(v).as<std::string>());
  }
  std::size_t failed = 0;
  const Problem p = set_fields(c, pairs, config_fields(), &failed);
  if (p && key) *key = pairs[failed].first;
  return p;
}

namespace {
// Row-major copies of the real or imaginary parts (Eigen stores column-major).
std::vector<double> part(const Eigen::MatrixXcd& m, bool imag) {
  std::vector<double> out(static_cast<std::size_t>(m.rows() * m.cols()));
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) out[i * m.cols() + j] = imag ? m(i, j).imag() : m(i, j).real();
  return out;
}

bool is_object(val v) { return v.typeOf().as<std::string>() == "object" && !v.isNull(); }
bool is_number(val v) { return v.typeOf().as<std::string>() == "number"; }
bool is_array(val v) {
  return is_object(v) && (val::global("Array").call<bool>("isArray", v) || val::global("ArrayBuffer").call<bool>("isView", v));
}
}  // namespace

val blocks_val(const Model& m, int d) {
  val out = val::array();
  for (const BlockSpec& b : m.blocks(d)) {
    val x = val::object();
    x.set("name", b.name);
    x.set("label", b.label);
    x.set("rows", b.rows);
    x.set("cols", b.cols);
    out.call<void>("push", x);
  }
  return out;
}

val weights_val(const Model& m, const Weights& w, int d) {
  val o = val::object();
  o.set("d", d);
  for (std::size_t k = 0; k < w.blocks.size(); ++k) {
    o.set(w.names[k] + "_re", f64(part(w.blocks[k], false)));
    o.set(w.names[k] + "_im", f64(part(w.blocks[k], true)));
  }
  o.set("model", std::string(m.name()));
  o.set("blocks", blocks_val(m, d));
  // The attention models' weights layer by layer, layer 1 first (the CLI's final.layers).
  const std::vector<Weights> layers = m.layer_weights(w);
  if (!layers.empty()) {
    val list = val::array();
    for (const Weights& l : layers) {
      val x = val::object();
      for (std::size_t k = 0; k < l.blocks.size(); ++k) {
        x.set(l.names[k] + "_re", f64(part(l.blocks[k], false)));
        x.set(l.names[k] + "_im", f64(part(l.blocks[k], true)));
      }
      list.call<void>("push", x);
    }
    o.set("layers", list);
  }
  return o;
}

std::string weights_form(const Model& m, int d) {
  std::string s = "{d";
  for (const BlockSpec& b : m.blocks(d))
    s += ", " + b.name + "_re, " + b.name + "_im (" + std::to_string(b.rows) + "*" + std::to_string(b.cols) + ")";
  return s + "}";
}

bool params_from(val w, const Model& m, int d, Weights& p) {
  if (!is_object(w) || !is_number(w["d"]) || w["d"].as<double>() != d) return false;
  p = m.zeros(d);
  for (std::size_t k = 0; k < p.blocks.size(); ++k) {
    Eigen::MatrixXcd& b = p.blocks[k];
    std::vector<double> parts[2];
    for (int ri = 0; ri < 2; ++ri) {
      const val a = w[p.names[k] + (ri ? "_im" : "_re")];
      if (!is_array(a)) return false;
      parts[ri] = emscripten::convertJSArrayToNumberVector<double>(a);
      if (parts[ri].size() != static_cast<std::size_t>(b.size())) return false;
    }
    for (int i = 0; i < b.rows(); ++i)
      for (int j = 0; j < b.cols(); ++j) b(i, j) = {parts[0][i * b.cols() + j], parts[1][i * b.cols() + j]};
  }
  return true;
}

val history_val(const History& h, int from) {
  val o = val::object();
  const std::size_t first = static_cast<std::size_t>(std::max(from, 0));
  for (const auto& [name, col] : History::columns()) o.set(name, f64_from(h.*col, first));
  // Each layer's ab per row (Model::push_structure), as the CLI's history.ab_layers: an array per
  // row (empty for a model without layers); null when its rows do not match epoch's.
  if (h.ab_layers.size() == h.rows()) {
    val rows = val::array();
    for (std::size_t i = first; i < h.ab_layers.size(); ++i) rows.call<void>("push", val::array(h.ab_layers[i]));
    o.set("ab_layers", rows);
  } else {
    o.set("ab_layers", val::null());
  }
  val changes = val::array();
  for (const Change& c : h.changes) {
    val x = val::object();
    x.set("epoch", c.epoch);
    x.set("field", c.field);
    x.set("from", c.from);
    x.set("to", c.to);
    changes.call<void>("push", x);
  }
  o.set("changes", changes);
  return o;
}

val checkpoint_val(const Checkpoint& cp, const Model& m, int d, bool with_history) {
  val o = val::object();
  o.set("epoch", cp.epoch);
  o.set("weights", weights_val(m, cp.params, d));
  o.set("first_loss", cp.first_loss);
  o.set("flow_step", cp.flow_step);
  o.set("gradient_evaluations", static_cast<double>(cp.gradient_evaluations));
  if (with_history) o.set("history", history_val(cp.history));
  return o;
}

Problem checkpoint_from(val o, const Model& m, int d, Checkpoint& cp) {
  if (!is_object(o)) return {"checkpoint", "expected an object as s.checkpoint() returns", {}};
  const val e = o["epoch"];
  if (!is_number(e) || !(e.as<double>() >= -1 && e.as<double>() <= 2147483647.0) || e.as<double>() != std::floor(e.as<double>()))
    return {"checkpoint.epoch", "expected a whole number", {}};
  cp.epoch = static_cast<int>(e.as<double>());
  if (!params_from(o["weights"], m, d, cp.params))
    return {"checkpoint.params", "expected weights " + weights_form(m, d) + " of this config's d", {}};
  for (auto [key, out] : {std::pair{"first_loss", &cp.first_loss}, std::pair{"flow_step", &cp.flow_step}}) {
    if (!is_number(o[key])) return {std::string("checkpoint.") + key, "expected a number", {}};
    *out = o[key].as<double>();
  }
  const val g = o["gradient_evaluations"];
  if (!is_number(g) || !(g.as<double>() >= 0 && g.as<double>() < 9e15))
    return {"checkpoint.gradient_evaluations", "expected a count >= 0", {}};
  cp.gradient_evaluations = static_cast<long>(g.as<double>());
  const val h = o["history"];
  if (!is_object(h)) return {"checkpoint.history", "expected {epoch, train_loss, test_loss, ab, ratio, last_mse} arrays", {}};
  for (const auto& [name, col] : History::columns()) {
    const val a = h[name];
    if (!is_array(a)) return {"checkpoint.history", std::string(name) + " is not an array", {}};
    // At most one row per epoch 0..epoch: checked before copying, so a huge array is no burden.
    if (!(a["length"].as<double>() <= cp.epoch + 1.0))
      return {"checkpoint.history", std::string(name) + " has more rows than epochs 0.." + std::to_string(cp.epoch), {}};
    cp.history.*col = emscripten::convertJSArrayToNumberVector<double>(a);
  }
  // Each layer's ab per row (history.ab_layers); absent or null (a checkpoint without it): none,
  // and the resumed history's ab_layers is null. Its shape is checked by the core.
  const val abl = h["ab_layers"];
  if (!abl.isUndefined() && !abl.isNull()) {
    if (!val::global("Array").call<bool>("isArray", abl) || !(abl["length"].as<double>() <= cp.epoch + 1.0))
      return {"checkpoint.history", "ab_layers: expected at most one row per epoch 0.." + std::to_string(cp.epoch) + ", as s.history().ab_layers lists them", {}};
    for (int i = 0, n = abl["length"].as<int>(); i < n; ++i) {
      const val row = abl[i];
      if (!is_array(row) || !(row["length"].as<double>() <= 64))
        return {"checkpoint.history", "ab_layers: expected an array of numbers per row, one per layer", {}};
      cp.history.ab_layers.push_back(emscripten::convertJSArrayToNumberVector<double>(row));
    }
  }
  // The changes made while it ran (history.changes); absent: none. Their values are checked by the core.
  const val changes = h["changes"];
  if (changes.isUndefined()) return {};
  if (!val::global("Array").call<bool>("isArray", changes) || !(changes["length"].as<double>() <= cp.epoch))
    return {"checkpoint.history.changes", "expected at most one change per epoch, as s.history().changes lists them", {}};
  for (int i = 0, n = changes["length"].as<int>(); i < n; ++i) {
    const val c = changes[i];
    const auto text = [&](const char* key) { return c[key].typeOf().as<std::string>() == "string" ? c[key].as<std::string>() : ""; };
    if (!is_object(c) || !is_number(c["epoch"])) return {"checkpoint.history.changes", "expected {epoch, field, from, to}", {}};
    cp.history.changes.push_back({static_cast<int>(c["epoch"].as<double>()), text("field"), text("from"), text("to")});
  }
  return {};
}

}  // namespace mesaflow::js
