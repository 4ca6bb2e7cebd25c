// Conversions between the core's types and JavaScript values, for the Embind classes and
// functions (session.hpp, api.cpp, bindings.cpp). Nothing here computes or formats: JS config
// objects go through the core's field table, documents through their to_json, problems keep
// their fields as data.
#pragma once
#include <string>
#include <vector>

#include <emscripten/val.h>

#include "mesaflow/checkpoint.hpp"
#include "mesaflow/config.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow::js {

using emscripten::val;

// A JSON value as the same JS value (objects keep their key order; null for non-finite numbers).
val to_val(const Json& j);
// Numbers as a Float64Array (a copy out of the wasm heap).
val f64(const std::vector<double>& v);
// null, or {field, fields, message}: the problem as data, message in the core's wording
// (describe()), e.g. {field: 'lr', fields: ['lr'], message: "lr: 'abc' is not valid; ..."}.
// A problem of no field (an unknown key) gets `unknown` as its field.
val problem_val(const Problem& p, const std::string& unknown = "");

// A config from a plain JS object: every own key whose value is not undefined goes through the
// core's field table as text (String(value)). *key: the key of a problem (for an unknown one).
Problem config_from(val obj, Config& c, std::string* key = nullptr);

// Weights as {d, <block>_re, <block>_im (row-major), model, blocks} with Float64Arrays, one pair
// per block of the model (attention: wkq (2d*2d), wpv (d*2d); linear-map: a (d*d)), the model's
// name and blocks_val (what the page's weight views draw), and back (false on any other shape, or
// another d; model and blocks are not read). blocks_val: the model's blocks [{name, label, rows,
// cols}] in its order; weights_form: the expected form in words, for messages.
val weights_val(const Model& m, const Weights& w, int d);
val blocks_val(const Model& m, int d);
std::string weights_form(const Model& m, int d);
bool params_from(val w, const Model& m, int d, Weights& p);

// A checkpoint as {epoch, weights, first_loss, flow_step, gradient_evaluations, history}, and
// back for configuration dimension d (a problem names the part that has the wrong form; the
// values are checked by the core's check_checkpoint). Without with_history, no history key: what
// the page sends each chunk beside the new rows (it keeps the rows it was sent).
val checkpoint_val(const Checkpoint& cp, const Model& m, int d, bool with_history = true);
Problem checkpoint_from(val o, const Model& m, int d, Checkpoint& cp);

// History columns as Float64Arrays, by their JSON names: the rows from index `from` on (the page
// asks for the rows it has not been sent), and every change.
val history_val(const History& h, int from = 0);

}  // namespace mesaflow::js
