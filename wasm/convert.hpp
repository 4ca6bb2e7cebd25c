// Conversions between the core's types and JavaScript values for the Embind file
// (bindings.cpp). Nothing here computes: it parses plain JS config objects through the
// core's field table and copies results out of the wasm heap into Float64Arrays.
#pragma once
#include <memory>
#include <string>

#include <emscripten/val.h>

#include "mesaflow/session.hpp"

namespace mesaflow::js {

using emscripten::val;

// The config table as plain objects: {name, key, type, min, max, min_open, choices, default, help}.
val fields();
// {key: default value} for every field of fields().
val defaults();
// null if cfg is valid under budget (bytes), else {field, message}; field is the CLI name.
val validate(val cfg, double budget);
// Bytes a session for cfg allocates (cfg is assumed valid; see validate).
double estimate_bytes(val cfg);
// The theory object of cfg from closed-form moments (c_star_empirical is null: no data).
val theory(val cfg);

// A Session built from a JS config object. The config is validated first (browser memory
// budget), so the core's constructor never throws; on an invalid config error() holds the
// message and every other method is unusable.
class JsSession {
 public:
  explicit JsSession(val cfg);
  std::string error() const { return error_; }
  std::string error_field() const { return error_field_; }

  val run(int k);
  int epoch() const { return s_->epoch(); }
  bool done() const { return s_->done(); }
  bool diverged() const { return s_->diverged(); }
  std::string message() const { return s_->message(); }
  val history() const;
  val theory() const;
  val ode_curve() const;
  val weights() const;
  val samples(int n) const;
  val mesa(int nseq) const;

 private:
  std::unique_ptr<Session> s_;
  std::string error_, error_field_;
};

}  // namespace mesaflow::js
