// The one table of a run's fields. Each row knows its names (CLI option, URL key and element
// attribute; JSON and JS key), its kind, range, default, help and how to read and write its
// member of Config; set_field, get_field, validation, the CLI's --help, the JSON config object,
// the JS API's config objects and field list, and the page's settings form are loops over it.
// Adding a field is one row in config.cpp plus its use in the mathematics.
#pragma once
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow {

enum class FieldKind { Integer, Number, Choice, Flag, Text };

struct FieldSpec {
  const char* name = "";   // CLI option, URL key, element attribute: "sigma-w"
  const char* key = "";    // JSON and JS key: "sigma_w"
  FieldKind kind = FieldKind::Number;
  const char* label = "";  // in words, for the page: "Spread of the initial weights"
  const char* group = "";  // "data", "model" or "training" (the page's groups); "run" for how it runs
  const char* help = "";   // one line for --help and tooltips
  double min = 0, max = 0;           // Integer, Number: the allowed range, inclusive ...
  bool min_open = false;             // ... except min itself when min_open (lr > 0)
  std::vector<std::string> choices;  // Choice: the allowed texts, in the order of the enum
  bool browser = true;               // offered by the JS API and the page (threads: not)
  // The member of Config as a number (Integer, Number), the index of the choice (Choice) or 0/1 (Flag).
  double (*get)(const Config&) = nullptr;
  void (*set)(Config&, double) = nullptr;
  // Text: the member as text, and reading it from text ("" or what is wrong, e.g. "expected ...").
  std::string (*get_text)(const Config&) = nullptr;
  std::string (*set_text)(Config&, const std::string&) = nullptr;
};

using FieldTable = std::vector<FieldSpec>;

// The table of Config's fields (config.cpp).
const FieldTable& config_fields();
// The row named `name_or_key` (CLI name or JSON key), or nullptr.
const FieldSpec* find_field(const std::string& name_or_key, const FieldTable& table = config_fields());

// Parses one value given as text and stores it in c; c is unchanged on a problem, which names
// the field, the value and what is allowed: {"lr", "'abc' is not valid; expected a number in (0, 10]"}.
// An unknown name: {"", "unknown option 'name'"}. Flags take "", true/false, 1/0, yes/no, on/off.
Problem set_field(Config& c, const std::string& name_or_key, const std::string& text,
                  const FieldTable& table = config_fields());
// Several fields given as (name or key, text) pairs, in order, as a JS config object or a URL
// gives them; the first problem stops it (c then holds the values before it; *failed, when given,
// is the index of the pair that failed).
Problem set_fields(Config& c, const std::vector<std::pair<std::string, std::string>>& pairs,
                   const FieldTable& table = config_fields(), std::size_t* failed = nullptr);
// The value as text, the shortest that set_field reads back exactly ("0.1", "gaussian", "true").
std::string get_field(const Config& c, const FieldSpec& f);
// Whether c holds an allowed value of f (a Config built in code bypasses set_field).
Problem check_field(const Config& c, const FieldSpec& f);
// The allowed values in words: "an integer in [1, 32]", "one of gaussian, sparse, ...", "true or false".
std::string range_text(const FieldSpec& f);

// The configuration as a JSON object, one key per row by its JSON key, typed by its kind:
// {"d": 5, ..., "x1": "gaussian", "scale": 1, ..., "clip": false, ...}.
Json config_json(const Config& c, const FieldTable& table = config_fields());
// The rows offered to the browser, for the JS API's fields() and the page's form: [{name, key,
// kind ("integer", "number", "choice", "flag", "text"), label, group, help, min, max, min_open
// (integer and number), choices ([] unless choice), default}].
Json fields_json(const FieldTable& table = config_fields());
void to_json(Json& j, const Config& c);

}  // namespace mesaflow
