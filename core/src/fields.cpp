#include "mesaflow/fields.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "mesaflow/number.hpp"

namespace mesaflow {

const FieldSpec* find_field(const std::string& n, const FieldTable& table) {
  for (const auto& f : table)
    if (n == f.name || n == f.key) return &f;
  return nullptr;
}

namespace {

std::string fmt(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e16) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool numeric(const FieldSpec& f) { return f.kind == FieldKind::Integer || f.kind == FieldKind::Number; }

// Whether v is an allowed value of a numeric field.
bool allowed(const FieldSpec& f, double v) {
  if (!std::isfinite(v)) return false;
  const bool below = f.min_open ? !(v > f.min) : !(v >= f.min);
  if (below || !(v <= f.max)) return false;
  return f.kind != FieldKind::Integer || v == std::floor(v);
}

// The value of a Choice, Flag or numeric field given as text, or false.
bool parse_value(const FieldSpec& f, const std::string& text, double& v) {
  switch (f.kind) {
    case FieldKind::Choice:
      for (std::size_t i = 0; i < f.choices.size(); ++i)
        if (text == f.choices[i]) {
          v = static_cast<double>(i);
          return true;
        }
      return false;
    case FieldKind::Flag:
      if (text == "" || text == "true" || text == "1" || text == "yes" || text == "on") v = 1;
      else if (text == "false" || text == "0" || text == "no" || text == "off") v = 0;
      else return false;
      return true;
    case FieldKind::Integer:
    case FieldKind::Number: {
      // number.hpp's grammar: no hex, no sign '+', no blanks. Underflow (a subnormal or zero
      // result) is accepted: the value is what JavaScript's Number() gives too, and get_field's
      // text of a subnormal ("5e-324") must read back here. Overflow is refused.
      return parse_decimal(text, v) && allowed(f, v);
    }
    case FieldKind::Text:
      return false;
  }
  return false;
}

Problem not_valid(const FieldSpec& f, const std::string& text, const std::string& why) {
  return {f.name, shown(text) + " is not valid; " + why, {}};
}

}  // namespace

std::string range_text(const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::Choice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < f.choices.size(); ++i) s += (i ? ", " : "") + f.choices[i];
      return s;
    }
    case FieldKind::Flag: return "true or false";
    case FieldKind::Text: return f.help;  // the Text field's own message says what it expects
    case FieldKind::Integer:
    case FieldKind::Number: break;
  }
  const std::string kind = f.kind == FieldKind::Integer ? "an integer in " : "a number in ";
  return kind + (f.min_open ? "(" : "[") + fmt(f.min) + ", " + fmt(f.max) + "]";
}

Problem set_field(Config& c, const std::string& name, const std::string& text, const FieldTable& table) {
  const FieldSpec* f = find_field(name, table);
  if (!f) return {"", "unknown option " + shown(name), {}};
  if (f->kind == FieldKind::Text) {
    Config next = c;
    const std::string why = f->set_text(next, text);
    if (!why.empty()) return not_valid(*f, text, why);
    c = next;
    return {};
  }
  double v = 0;
  if (!parse_value(*f, text, v)) return not_valid(*f, text, "expected " + range_text(*f));
  f->set(c, v);
  return {};
}

Problem set_fields(Config& c, const std::vector<std::pair<std::string, std::string>>& pairs, const FieldTable& table,
                   std::size_t* failed) {
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    Problem p = set_field(c, pairs[i].first, pairs[i].second, table);
    if (!p) continue;
    if (failed) *failed = i;
    return p;
  }
  return {};
}

std::string get_field(const Config& c, const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::Text: return f.get_text(c);
    case FieldKind::Choice: {
      const double i = f.get(c);
      return i >= 0 && i < static_cast<double>(f.choices.size()) ? f.choices[static_cast<std::size_t>(i)] : "?";
    }
    case FieldKind::Flag: return f.get(c) != 0 ? "true" : "false";
    case FieldKind::Integer: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", f.get(c));
      return buf;
    }
    case FieldKind::Number: break;
  }
  const double v = f.get(c);
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {  // the shortest text that reads back exactly
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

Problem check_field(const Config& c, const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::Text: {
      Config probe = c;
      const std::string text = f.get_text(c), why = f.set_text(probe, text);
      return why.empty() ? Problem{} : not_valid(f, text, why);
    }
    case FieldKind::Flag: return {};
    case FieldKind::Choice: {
      const double i = f.get(c);
      if (i >= 0 && i < static_cast<double>(f.choices.size())) return {};
      break;
    }
    case FieldKind::Integer:
    case FieldKind::Number:
      if (allowed(f, f.get(c))) return {};
      break;
  }
  return not_valid(f, get_field(c, f), "expected " + range_text(f));
}

Json config_json(const Config& c, const FieldTable& table) {
  Json j = Json::object();
  for (const auto& f : table) {
    switch (f.kind) {
      case FieldKind::Integer: j[f.key] = static_cast<std::int64_t>(f.get(c)); break;
      case FieldKind::Number: j[f.key] = number(f.get(c)); break;
      case FieldKind::Flag: j[f.key] = f.get(c) != 0; break;
      case FieldKind::Choice:
      case FieldKind::Text: j[f.key] = get_field(c, f); break;
    }
  }
  return j;
}

void to_json(Json& j, const Config& c) { j = config_json(c); }

Json fields_json(const FieldTable& table) {
  static const char* const kinds[] = {"integer", "number", "choice", "flag", "text"};
  const Config defaults;
  const Json values = config_json(defaults, table);
  Json rows = Json::array();
  for (const auto& f : table) {
    if (!f.browser) continue;
    Json r = {{"name", f.name}, {"key", f.key}, {"kind", kinds[static_cast<int>(f.kind)]}, {"label", f.label},
              {"group", f.group}, {"help", f.help}};
    if (numeric(f)) {
      r["min"] = number(f.min);
      r["max"] = number(f.max);
      r["min_open"] = f.min_open;
    }
    r["choices"] = f.kind == FieldKind::Choice ? Json(f.choices) : Json::array();
    r["default"] = values[f.key];
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace mesaflow
