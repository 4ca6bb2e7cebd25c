// What is wrong with an input, as data: the field (or part of an input) it concerns and what is
// wrong with it, in words that carry no front end's syntax. Every check of the core returns one
// (field parsing, validation, budgets, checkpoints); each front end formats it its own way: the
// CLI as "--lr: ...", the JS API as an Error with e.field, the page under the field's input.
#pragma once
#include <string>
#include <vector>

namespace mesaflow {

struct Problem {
  std::string field;              // by its CLI / URL / attribute name ("sigma-w"), or a part of an
                                  // input ("checkpoint.epoch"); "" when no field applies (an unknown name)
  std::string message;            // what is wrong, without the field: "'abc' is not valid; expected ..."
  std::vector<std::string> also;  // further fields it involves (a memory budget: test-m, T, d)

  // True when there is a problem (as std::error_code): if (Problem p = set_field(...)) ...
  explicit operator bool() const { return !message.empty(); }
  // The field and the others it involves: {"m", "test-m", "T", "d"}.
  std::vector<std::string> fields() const;
};

// The core's own wording, for logs and for front ends without syntax of their own:
// "lr: 'abc' is not valid; expected a number in (0, 10]", "m, test-m, T, d: this setting needs ...",
// or the message alone when no field applies.
std::string describe(const Problem& p);

// A value from outside as messages echo it: quoted, its first 40 characters, each one outside
// printable ASCII as '?', "..." when cut: 'abc', '<script>...'.
std::string shown(const std::string& value);

}  // namespace mesaflow
