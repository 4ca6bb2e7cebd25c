// Checks shared by the fuzz targets. A broken invariant aborts, which libFuzzer reports as a
// crash and saves the input that caused it.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mesaflow/budget.hpp"
#include "mesaflow/fields.hpp"

namespace mesaflow::fuzz {

inline void require(bool ok, const char* what, const std::string& detail = "") {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s %s\n", what, detail.c_str());
  std::abort();
}

// Every field as text; equal lists mean equal configs (get_field is exact, -0 prints as "-0").
inline std::vector<std::string> field_texts(const Config& c) {
  std::vector<std::string> v;
  for (const auto& f : config_fields()) v.push_back(get_field(c, f));
  return v;
}

// set_field with its contract checked: a rejected value leaves the config as it was and says
// why; an accepted one changes only its own field, and get_field reads back to the same value.
inline void checked_set_field(Config& c, const std::string& name, const std::string& value) {
  const std::vector<std::string> before = field_texts(c);
  const Problem err = set_field(c, name, value);
  const FieldSpec* f = find_field(name);
  if (err) {
    require(field_texts(c) == before, "rejected value changed the config:", name);
    require(f ? err.field == f->name : err.field.empty(), "the problem names another field:", err.field);
    return;
  }
  require(f != nullptr, "unknown field accepted:", name);
  const std::vector<std::string> after = field_texts(c);
  for (std::size_t i = 0; i < after.size(); ++i)
    if (&config_fields()[i] != f) require(after[i] == before[i], "set_field changed another field:", name);
  const std::string text = get_field(c, *f);
  if (f->kind == FieldKind::Integer || f->kind == FieldKind::Number)
    require(std::strtod(text.c_str(), nullptr) == std::strtod(value.c_str(), nullptr),
            "stored value differs from the text:", name + "=" + value + " -> " + text);
  Config again;
  require(!set_field(again, name, text), "get_field text rejected by set_field:", name + "=" + text);
  require(!check_field(c, *f), "check_field refuses what set_field accepted:", name + "=" + text);
  require(get_field(again, *f) == text, "get_field/set_field round trip not exact:", name + "=" + text);
}

// A config made only by set_field passes validate's per-field checks; only the budget (or a
// relation, below) can fail.
// Without budgets a config built by set_field is valid; with them, it fails only on the memory
// budget, or on the time budget exactly when its flop estimate says so.
// A relation between two fields (a magnitude law with gaussian first tokens: check_relations) is
// not one field's value: then validate refuses with exactly that problem, and nothing else holds.
inline void check_validate(const Config& c) {
  const Problem free = validate(c, 1e300, kGeneratedLayout, false, kNoTimeBudget);
  if (const Problem related = check_relations(c)) {
    require(free && describe(free) == describe(related), "validate does not refuse the relation:", describe(related));
    return;
  }
  require(!free, "set_field config fails validate:", describe(free));
  for (const TimeBudget& time : {kBrowserTimeBudget, kNativeTimeBudget}) {
    const Problem slow = validate(c, 1e300, kGeneratedLayout, false, time);
    const bool over = estimate_seconds(c, time) > time.seconds;
    require(!slow != over, "time budget and flop estimate disagree:", describe(slow));
    require(!slow || (slow.field == "epochs" && slow.message.rfind("this run needs about ", 0) == 0),
            "unexpected time budget problem:", describe(slow));
    for (double budget : {kBrowserMemoryBudget, kNativeMemoryBudget}) {
      const Problem e = validate(c, budget, kGeneratedLayout, false, time);
      require(!e || e.fields() == memory_problem("", "", c).fields() || describe(e) == describe(slow),
              "unexpected validate problem:", describe(e));
    }
  }
}

}  // namespace mesaflow::fuzz
