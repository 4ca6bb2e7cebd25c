// The module's free functions, as wasm/API.md describes them through mesaflow.js.
#pragma once
#include <string>

#include "convert.hpp"

namespace mesaflow::js {

// The rows of the field table offered to the browser (fields.hpp fields_json).
val fields();
// What the page needs of the core's tables without loading the module, written by site/build.mjs
// into js/model/core-tables.js: {ranges: {name: allowed values in words, as a refusal says
// them}, text_rules: {name: what a Text field expects}, live, data, file (field names:
// Session::live_fields, data_fields, file_fields), history (History::columns' names), memory:
// {template (memory_problem("{need}", "{budget}")'s message), field, fields, terms, layout, browser_budget,
// by_kind: {kind: {template, field, fields}} (memory_problem for a config of each kind, keyed as terms)}}.
val tables();
// {key: default value} for every row of fields().
val defaults();
// null if cfg is valid under the memory budget (bytes; Infinity: no memory or time budget),
// else the problem as problem_val gives it.
val check(val cfg, double budget);
// One field given as text (a URL value, attribute, form input): {field: CLI name, value} or the
// problem, e.g. {field: 'lr', fields: ['lr'], message: "lr: 'abc' is not valid; expected ..."}.
val parse_field(std::string name, std::string text);
// A value the page refused for one of its own keys (preset, compare, workers), worded as the
// core words every refusal: {field, fields, message: "preset: 'x' is not valid; expected ..."}.
val invalid(std::string name, std::string text, std::string expected);
// Flops of one epoch for cfg: the training gradient and one test evaluation (flops.hpp).
double epoch_flops(val cfg);
// Bytes a session for cfg allocates.
double estimate_bytes(val cfg);
// The theory object of cfg from closed-form moments (c_star_empirical is null: no data).
val theory(val cfg);
// The capability curve of cfg's distribution at log-spaced T from lo to hi ({T, c_star_T,
// ratio_pred, last_mse_pred, relative_error_pred}), or null where the theory does not apply.
val capability(val cfg, int lo, int hi);
// A GD step and epochs that follow the flow from cfg's (a0, b0) to within 0.1% of c*(T) (ode.hpp
// plan_gd, population A and B): {lr, epochs, flow_time, curvature}.
val plan_training(val cfg);

}  // namespace mesaflow::js
