#include "mesaflow/checkpoint_file.hpp"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "mesaflow/fields.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/version.hpp"

namespace mesaflow {

Json checkpoint_json(const Session& s) {
  const Checkpoint cp = s.checkpoint();
  const Dataset &train = s.train(), &test = s.test();
  Json j = Json::object();
  j["mesaflow_checkpoint"] = 1;
  j["mesaflow"] = version();
  j["config"] = s.config();
  if (!s.config().w_file.empty())  // process fixed: its W (not a field of the table) travels with it
    j["w"] = {{"file", s.config().w_file}, {"re", numbers(s.config().w_re)}, {"im", numbers(s.config().w_im)}};
  j["data"] = {{"source", s.data_from_file() ? "file" : "generated"}, {"m", train.m}, {"d", train.d}, {"T", train.T},
               {"test_m", test.m}};
  j["epoch"] = cp.epoch;
  j["weights"] = cp.params;
  j["first_loss"] = number(cp.first_loss);
  j["flow_step"] = number(cp.flow_step);
  j["gradient_evaluations"] = cp.gradient_evaluations;
  j["gradient_at_params"] = cp.gradient_at_params;
  j["history"] = cp.history;
  return j;
}

namespace {

// A value of the config object as the text set_field reads (numbers: the shortest exact text).
std::string field_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

bool whole(const Json& v, double lo, double hi) {
  if (!v.is_number()) return false;
  const double x = v.get<double>();
  return x >= lo && x <= hi && x == std::floor(x);
}

// A JSON number, or null as NaN (json.hpp writes non-finite numbers as null).
bool read_number(const Json& v, double& out) {
  if (v.is_null()) return out = std::nan(""), true;
  if (!v.is_number()) return false;
  out = v.get<double>();
  return true;
}

// The model's blocks at dimension d from {<name>_re, <name>_im} row arrays.
bool read_weights(const Json& o, const Model& model, int d, Weights& w) {
  if (!o.is_object()) return false;
  for (const BlockSpec& b : model.blocks(d)) {
    const auto re = o.find(b.name + "_re"), im = o.find(b.name + "_im");
    if (re == o.end() || im == o.end() || !re->is_array() || !im->is_array()) return false;
    if (re->size() != static_cast<std::size_t>(b.rows) || im->size() != static_cast<std::size_t>(b.rows)) return false;
    Eigen::MatrixXcd m(b.rows, b.cols);
    for (int i = 0; i < b.rows; ++i) {
      const Json &r = (*re)[i], &s = (*im)[i];
      if (!r.is_array() || !s.is_array() || r.size() != static_cast<std::size_t>(b.cols) || s.size() != r.size()) return false;
      for (int k = 0; k < b.cols; ++k) {
        if (!r[k].is_number() || !s[k].is_number()) return false;
        m(i, k) = {r[k].get<double>(), s[k].get<double>()};
      }
    }
    w.names.push_back(b.name);
    w.blocks.push_back(std::move(m));
  }
  return true;
}

Problem read_history(const Json& h, int epoch, History& out) {
  if (!h.is_object()) return {"", "history: expected the object of columns a checkpoint holds", {}};
  for (const auto& [name, col] : History::columns()) {
    const auto a = h.find(name);
    if (a == h.end() || !a->is_array() || a->size() > static_cast<std::size_t>(epoch) + 1)
      return {"", std::string("history: ") + name + " is not an array of at most one row per epoch 0.." + std::to_string(epoch), {}};
    for (const Json& v : *a) {
      double x = 0;
      if (!read_number(v, x)) return {"", std::string("history: ") + name + " holds something other than numbers", {}};
      (out.*col).push_back(x);
    }
  }
  // Each layer's ab, a row of numbers per evaluation row (null or absent: none); its shape against
  // the model is checked with the rest of the checkpoint (checkpoint.cpp).
  if (const auto al = h.find("ab_layers"); al != h.end() && !al->is_null()) {
    if (!al->is_array() || al->size() > static_cast<std::size_t>(epoch) + 1)
      return {"", "history: ab_layers is not an array of at most one row per epoch 0.." + std::to_string(epoch), {}};
    for (const Json& row : *al) {
      if (!row.is_array()) return {"", "history: ab_layers holds a row that is not an array of numbers", {}};
      std::vector<double> r;
      for (const Json& v : row) {
        double x = 0;
        if (!read_number(v, x)) return {"", "history: ab_layers holds something other than numbers", {}};
        r.push_back(x);
      }
      out.ab_layers.push_back(std::move(r));
    }
  }
  if (const auto ch = h.find("changes"); ch != h.end()) {
    if (!ch->is_array()) return {"", "history: changes is not an array", {}};
    for (const Json& c : *ch) {
      if (!c.is_object() || !whole(c.value("epoch", Json()), 0, epoch) || !c.value("field", Json()).is_string() ||
          !c.value("from", Json()).is_string() || !c.value("to", Json()).is_string())
        return {"", "history: expected changes as {epoch, field, from, to}", {}};
      out.changes.push_back({c["epoch"].get<int>(), c["field"].get<std::string>(), c["from"].get<std::string>(),
                             c["to"].get<std::string>()});
    }
  }
  return {};
}

}  // namespace

Problem read_checkpoint(const std::string& text, const std::string& field, SavedRun& out) {
  const auto bad = [&](const std::string& what) { return Problem{field, what, {}}; };
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("mesaflow_checkpoint", Json()) != 1)
    return bad("not a checkpoint of mesaflow (the JSON that train --checkpoint and Session.checkpoint() write)");
  SavedRun s;
  const Json& config = j.value("config", Json());
  if (!config.is_object()) return bad("config: expected the run's configuration object");
  for (const auto& [key, value] : config.items())
    if (Problem p = set_field(s.config, key, field_text(value))) return bad("config: " + describe(p));
  if (const Json& w = j.value("w", Json()); !w.is_null()) {
    const auto list = [](const Json& a, std::vector<double>& out) {
      if (!a.is_array()) return false;
      for (const Json& v : a)
        if (v.is_number()) out.push_back(v.get<double>());
        else return false;
      return true;
    };
    if (!w.is_object() || !w.value("file", Json()).is_string() || !list(w.value("re", Json()), s.config.w_re) ||
        !list(w.value("im", Json()), s.config.w_im) || s.config.w_re.size() != s.config.w_im.size())
      return bad("w: expected {file, re, im}, the W of process fixed");
    s.config.w_file = w["file"].get<std::string>();
  }
  const Json& data = j.value("data", Json());
  if (!data.is_object() || !(data.value("source", "") == "generated" || data.value("source", "") == "file") ||
      !whole(data.value("m", Json()), 1, 1e9) || !whole(data.value("d", Json()), 1, 1e9) ||
      !whole(data.value("T", Json()), 1, 1e9) || !whole(data.value("test_m", Json()), 1, 1e9))
    return bad("data: expected {source: generated or file, m, d, T, test_m}");
  s.data_from_file = data["source"] == "file";
  s.m = data["m"].get<int>(), s.d = data["d"].get<int>(), s.T = data["T"].get<int>(), s.test_m = data["test_m"].get<int>();
  Checkpoint& cp = s.checkpoint;
  if (!whole(j.value("epoch", Json()), 0, s.config.epochs)) return bad("epoch: expected a whole number in [0, the config's epochs]");
  cp.epoch = j["epoch"].get<int>();
  if (!read_weights(j.value("weights", Json()), model_of(s.config), s.d, cp.params))
    return bad("weights: " + model_of(s.config).check_weights({}, s.d));
  if (!read_number(j.value("first_loss", Json()), cp.first_loss) || !read_number(j.value("flow_step", Json()), cp.flow_step))
    return bad("first_loss, flow_step: expected numbers");
  if (!whole(j.value("gradient_evaluations", Json()), 0, 9e15)) return bad("gradient_evaluations: expected a count >= 0");
  cp.gradient_evaluations = j["gradient_evaluations"].get<long>();
  if (!j.value("gradient_at_params", Json()).is_boolean())
    return bad("gradient_at_params: expected true or false (whether the count holds the gradient at the weights)");
  cp.gradient_at_params = j["gradient_at_params"].get<bool>();
  if (Problem p = read_history(j.value("history", Json()), cp.epoch, cp.history)) return bad(p.message);
  // The core's own checks (finite weights, rising epochs, valid changes), with the part named.
  if (Problem p = check_checkpoint(cp, s.config)) return as_part(p, field);
  out = std::move(s);
  return {};
}

Problem as_part(const Problem& p, const std::string& field) {
  const std::string prefix = "checkpoint.";
  if (p.field.rfind(prefix, 0) != 0) return p;
  return {field, p.field.substr(prefix.size()) + ": " + p.message, p.also};
}

Problem resumed_config(const SavedRun& saved, const Config& c, const std::vector<std::string>& given, Config& out,
                       std::vector<std::pair<std::string, std::string>>* live) {
  Config r = saved.config;
  std::vector<std::pair<std::string, std::string>> changes;
  for (const std::string& name : given) {
    const FieldSpec* f = find_field(name);
    if (!f) return {"", "unknown option " + shown(name), {}};
    const std::string want = get_field(c, *f), have = get_field(saved.config, *f);
    const std::string n = f->name;
    if (n == "epochs" || n == "threads") {
      if (Problem p = set_field(r, n, want)) return p;
    } else if (want != have) {
      if (Session::changes_live(*f)) changes.push_back({n, want});
      else return {n, shown(want) + " is not the checkpoint's " + shown(have) + ": a resumed run keeps the fields that "
                   "define its data and start (only epochs, threads, lr, eval-every, clip and method may change)", {}};
    }
  }
  out = r;
  if (live) *live = changes;
  return {};
}

Problem check_resumed_data(const SavedRun& saved, const Dataset* data, const Dataset* test, const std::string& field) {
  if (saved.data_from_file != (data != nullptr))
    return {field, saved.data_from_file ? "is of a run on given data: give the same data (and test data) again"
                                        : "is of a run on generated data: give no data", {}};
  if (!data) return {};
  char buf[200];
  std::snprintf(buf, sizeof buf, "is of a run on data of m = %d, d = %d, T = %d with %d test sequences; these are %d, %d, %d, %d",
                saved.m, saved.d, saved.T, saved.test_m, data->m, data->d, data->T, test ? test->m : 0);
  if (data->m != saved.m || data->d != saved.d || data->T != saved.T || !test || test->m != saved.test_m)
    return {field, buf, {}};
  return {};
}

}  // namespace mesaflow
