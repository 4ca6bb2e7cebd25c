#include "session.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <emscripten/bind.h>
#include <nlohmann/json.hpp>

#include "mesaflow/kernel.hpp"
#include "mesaflow/npy.hpp"
#include "mesaflow/process.hpp"

namespace mesaflow::js {

namespace {

// Whether the heap can grow by what a session for c allocates (the browser may refuse memory
// well below the budget). Without C++ exceptions a failed allocation inside the session would
// abort the module; a plain malloc returns null instead (ALLOW_MEMORY_GROWTH, no ABORTING_MALLOC),
// so we ask for the whole amount first and give it back.
Problem memory_available(const Config& c) {
  const double bytes = estimate_bytes(c) * 1.05 + (1 << 20);  // allocator overhead and slack
  // Called through a volatile pointer: the compiler may otherwise drop an unused malloc/free pair.
  void* (*volatile allocate)(std::size_t) = std::malloc;
  void* probe = bytes < 4.0e9 ? allocate(static_cast<std::size_t>(bytes)) : nullptr;
  if (probe) {
    std::free(probe);
    return {};
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "out of memory: this configuration needs about %.0f MiB and the browser did not provide it; reduce m, "
                "test-m, T or d (or close other tabs)",
                bytes / 1048576.0);
  return {"m", buf, {"test-m", "T", "d"}};
}

std::string js_setting(const std::string& field, const std::string& value) { return field + " = " + value; }

// The bytes of a Uint8Array (or any typed array or ArrayBuffer view) as a string.
std::string bytes_of(val a) {
  const val u8 = val::global("Uint8Array").new_(a["buffer"], a["byteOffset"], a["byteLength"]);
  std::string out(u8["length"].as<std::size_t>(), '\0');
  val::module_property("HEAPU8").call<void>("set", u8, reinterpret_cast<std::uintptr_t>(out.data()));
  return out;
}

bool is_view(val v) { return !v.isUndefined() && !v.isNull() && val::global("ArrayBuffer").call<bool>("isView", v); }

}  // namespace

val browser_config(val obj, bool external_sums, Config& c, val w) {
  std::string key;
  Problem p = config_from(obj, c, &key);
  if (!p && is_view(w)) {  // process fixed: the W of a dropped .npy file (checked with the rest by validate)
    if (std::string e = parse_w_npy(bytes_of(w), &c); !e.empty()) p = {"w-file", e, {}};
    c.w_file = "(a .npy file)";
  }
  if (!p) p = validate(c, kBrowserMemoryBudget, kGeneratedLayout, false, kBrowserTimeBudget);
  if (!p && external_sums && c.method != Method::GD) p = {"method", "the parallel path (external sums) needs method gd", {}};
  if (!p) {
    c.threads = 1;
    p = memory_available(c);
  }
  return problem_val(p, key);
}

namespace {
// The training and test sets of {npy, test_npy, test_fraction}; a problem names data or test_data.
Problem files_from(val data, std::uint64_t seed, Dataset& train, Dataset& test) {
  if (!is_view(data["npy"])) return {"data", "expected {npy: Uint8Array of a .npy file}", {}};
  Dataset all;
  if (std::string e = parse_npy(bytes_of(data["npy"]), kBrowserMemoryBudget, &all); !e.empty()) return {"data", e, {}};
  if (is_view(data["test_npy"])) {
    if (std::string e = parse_npy(bytes_of(data["test_npy"]), kBrowserMemoryBudget, &test); !e.empty()) return {"test-data", e, {}};
    if (test.d != all.d || test.T != all.T) return {"test-data", "its d and T differ from the training file's", {}};
    train = std::move(all);
    return {};
  }
  const val f = data["test_fraction"];
  const double fraction = f.isUndefined() ? 0.1 : f.as<double>();
  if (!(fraction > 0 && fraction <= 0.9)) return {"test-fraction", "expected a number in (0, 0.9]", {}};
  if (all.m < 2) return {"data", "holds 1 sequence: a held-out test set needs at least 2 (or give a test file)", {}};
  split_dataset(all, fraction, seed, &train, &test);
  return {};
}
}  // namespace

JsSession::JsSession(val cfg, bool external_sums, val data) {
  Config c;
  const bool none = data.isUndefined() || data.isNull();
  if (none || data["npy"].isUndefined()) {  // generated sets; data may hold only {w}: process fixed's W
    problem_ = browser_config(cfg, external_sums, c, none ? val::undefined() : data["w"]);
    if (problem_.isNull()) {
      SessionOptions so;
      so.memory_budget = kBrowserMemoryBudget;
      so.external_sums = external_sums;
      s_ = std::make_unique<Session>(c, so);
    }
    return;
  }
  // From a file: its m, d and T, checked with the rest of the configuration.
  Dataset train, test;
  std::string key;
  Problem p = config_from(cfg, c, &key);
  if (!p && external_sums) p = {"data", "a file trains on one worker (no external sums)", {}};
  if (!p) p = files_from(data, c.seed, train, test);
  if (!p) {
    c.m = train.m, c.d = train.d, c.T = train.T, c.test_m = test.m, c.threads = 1;
    p = validate(c, kBrowserMemoryBudget, kGeneratedLayout, true, kBrowserTimeBudget);
  }
  if (!p) p = memory_available(c);
  problem_ = problem_val(p, key);
  if (problem_.isNull()) {
    SessionOptions so;
    so.memory_budget = kBrowserMemoryBudget;
    so.data = &train;
    so.test_data = &test;
    s_ = std::make_unique<Session>(c, so);
  }
}

val JsSession::run(int k) {
  s_->run(std::max(k, 0));
  val o = val::object();
  o.set("epoch", s_->epoch());
  o.set("done", s_->done());
  o.set("diverged", s_->diverged());
  o.set("message", message());
  return o;
}

std::string JsSession::message() const { return s_->diverged() ? describe(s_->divergence(), js_setting) : ""; }

val JsSession::divergence() const {
  if (!s_->diverged()) return val::null();
  const Divergence& d = s_->divergence();
  val o = val::object();
  o.set("epoch", d.epoch);
  o.set("why", d.why);
  o.set("lr", d.lr);
  o.set("suggested_lr", d.suggested_lr);
  o.set("data_max", d.data_max);  // > 0: the loss was not finite at epoch 0, the data overflow
  return o;
}

val JsSession::checkpoint(bool with_history) const {
  if (s_->diverged()) return val::null();
  // Without the history: the state alone, so a chunk's checkpoint does not copy the rows so far.
  return checkpoint_val(with_history ? s_->checkpoint() : s_->state(), s_->model(), s_->config().d, with_history);
}

val JsSession::resume(val o) {
  Checkpoint cp;
  Problem p = checkpoint_from(o, s_->model(), s_->config().d, cp);
  if (!p) p = s_->resume_problem(cp);
  if (!p) s_->resume(cp);  // cannot throw now
  return problem_val(p);
}

val JsSession::change(std::string field, std::string text) {
  Config next = s_->config();
  Problem p = set_field(next, field, text);
  if (!p) p = validate(next, kBrowserMemoryBudget, kGeneratedLayout, false, kBrowserTimeBudget);
  if (!p) p = s_->change(field, text);
  return problem_val(p, field);
}

std::string JsSession::feed(val train, val test) {
  if (!s_->awaiting_sums()) return "feed: no sums are awaited (createSession(cfg, {externalSums: true}), then feed before each run(1))";
  const auto numbers = [](val a) {
    return a.isUndefined() || a.isNull() ? std::vector<double>() : emscripten::convertJSArrayToNumberVector<double>(a);
  };
  const std::vector<double> tr = numbers(train), te = numbers(test);
  const int d = s_->config().d;
  if (tr.size() != static_cast<std::size_t>(kShards) * shard_record_size(d, s_->wants_gradient()))
    return "feed: train must hold the records of all shards" + std::string(s_->wants_gradient() ? ", with gradients" : ", without gradients");
  if (!te.empty() && te.size() != static_cast<std::size_t>(kShards) * shard_record_size(d, false))
    return "feed: test must be empty or hold the forward-only records of all shards";
  s_->feed(tr, te);
  return "";
}

val JsSession::theory() const { return to_val(s_->theory()); }

val JsSession::mesa(int nseq) const { return s_->has_mesa() ? to_val(s_->mesa(nseq)) : val::null(); }

val JsSession::vanilla_gd() const { return to_val(s_->vanilla_gd()); }

val JsSession::ode_curve() const {
  const std::vector<double>& ab = s_->ode_ab();
  std::vector<double> epoch(ab.size());
  for (std::size_t e = 0; e < epoch.size(); ++e) epoch[e] = static_cast<double>(e);
  val o = val::object();
  o.set("epoch", f64(epoch));
  o.set("ab", f64(ab));
  o.set("ab_empirical", f64(s_->ode_ab_empirical()));
  o.set("stability", f64(s_->ode_stability()));
  return o;
}

val JsSession::samples(int n) const {
  const Dataset& ds = s_->train();
  n = std::clamp(n, 0, ds.m);
  std::vector<double> re(static_cast<std::size_t>(n) * ds.T * ds.d), im(re.size());
  for (int i = 0; i < n; ++i) {
    ds.sequence(i, &re[static_cast<std::size_t>(i) * ds.T * ds.d], &im[static_cast<std::size_t>(i) * ds.T * ds.d]);
  }
  val o = val::object();
  o.set("n", n);
  o.set("T", ds.T);
  o.set("d", ds.d);
  o.set("re", f64(re));
  o.set("im", f64(im));
  return o;
}

JsShardWorker::JsShardWorker(val cfg, val w) {
  Config c;
  problem_ = browser_config(cfg, false, c, w);
  if (problem_.isNull()) w_ = std::make_unique<ShardWorker>(c, kBrowserMemoryBudget);
}

namespace {
std::string check_sums_args(val weights, const Model& m, int d, int first, int last, Weights& p) {
  if (first < 0 || last > kShards || first > last) return "shards: expected 0 <= first <= last <= " + std::to_string(kShards);
  if (!params_from(weights, m, d, p)) return "weights: expected " + weights_form(m, d) + " of this config's d";
  return "";
}
}  // namespace

val JsShardWorker::train_sums(val weights, int first, int last, bool grad) const {
  Weights p;
  const std::string err = check_sums_args(weights, w_->model(), w_->config().d, first, last, p);
  if (!err.empty()) return val(err);
  std::vector<double> out;
  w_->train_sums(p, grad, first, last, out);
  return f64(out);
}

val JsShardWorker::test_sums(val weights, int first, int last) const {
  Weights p;
  const std::string err = check_sums_args(weights, w_->model(), w_->config().d, first, last, p);
  if (!err.empty()) return val(err);
  std::vector<double> out;
  w_->test_sums(p, first, last, out);
  return f64(out);
}

}  // namespace mesaflow::js
