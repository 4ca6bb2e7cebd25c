// The field table does the work: a field added to a copy of the table, with no other code, is
// parsed, validated, listed in --help, written in the JSON config and offered to the browser.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mesaflow/budget.hpp"
#include "mesaflow/fields.hpp"
#include "options.hpp"
#include "support.hpp"

using namespace mesaflow;

namespace {

// The new field's member: a global here, as a test cannot add one to Config.
double g_momentum = 0.25;

FieldTable with_momentum() {
  FieldTable t = config_fields();
  FieldSpec f;
  f.name = f.key = "momentum";
  f.label = "Momentum";
  f.group = "training";
  f.help = "heavy-ball momentum";
  f.min = 0;
  f.max = 0.99;
  f.get = [](const Config&) { return g_momentum; };
  f.set = [](Config&, double v) { g_momentum = v; };
  t.push_back(f);
  return t;
}

}  // namespace

TEST(Fields, AFieldAddedToTheTableIsParsedValidatedPrintedAndOffered) {
  const FieldTable t = with_momentum();
  Config c;
  // Parsed (by CLI name, as the CLI, a URL key and an attribute give it) ...
  EXPECT_FALSE(set_field(c, "momentum", "0.9", t));
  EXPECT_EQ(g_momentum, 0.9);
  // ... refused out of range with the usual message ...
  const Problem p = set_field(c, "momentum", "1.5", t);
  EXPECT_EQ(p.field, "momentum");
  EXPECT_EQ(describe(p), "momentum: '1.5' is not valid; expected a number in [0, 0.99]");
  EXPECT_EQ(g_momentum, 0.9);
  // ... validated when held out of range ...
  g_momentum = 2;
  EXPECT_EQ(validate(c, kNativeMemoryBudget, kGeneratedLayout, false, kNativeTimeBudget, t).field, "momentum");
  g_momentum = 0.5;
  EXPECT_FALSE(validate(c, kNativeMemoryBudget, kGeneratedLayout, false, kNativeTimeBudget, t));
  // ... on the command line, with its range and default in --help ...
  CliOptions o;
  std::vector<std::string> args = {"mesaflow", "train", "--momentum", "0.75"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_FALSE(parse_cli(static_cast<int>(argv.size()), argv.data(), o, t));
  EXPECT_EQ(g_momentum, 0.75);
  EXPECT_NE(usage(t).find("  --momentum    heavy-ball momentum; a number in [0, 0.99]; default 0.75"), std::string::npos);
  // ... in the JSON config ...
  EXPECT_EQ(config_json(c, t)["momentum"], 0.75);
  // ... and to the browser: a JS config object's keys (set_fields is what the binding calls) and the
  // list of fields that becomes mf.fields(), the element's attributes and the settings form.
  EXPECT_FALSE(set_fields(c, {{"lr", "0.001"}, {"momentum", "0.5"}}, t));
  EXPECT_EQ(g_momentum, 0.5);
  const Json rows = fields_json(t);
  EXPECT_EQ(rows.back()["name"], "momentum");
  EXPECT_EQ(rows.back()["kind"], "number");
  EXPECT_EQ(rows.back()["max"], 0.99);
  EXPECT_EQ(rows.back()["group"], "training");
  // The real table knows nothing of it.
  EXPECT_TRUE(set_field(c, "momentum", "0.5"));
}

TEST(Fields, EveryRowReadsBackWhatItWrites) {
  // For each row, a value other than the default goes in as text and comes back the same.
  const std::vector<std::pair<const char*, const char*>> values = {
      {"d", "7"},     {"T", "33"},       {"m", "12345"},    {"x1", "unit-phase"}, {"scale", "0.3"}, {"magnitude", "values:1,2@0.25,0.75"}, {"process", "rotation"}, {"radius", "0.875"}, {"noise", "0.25"}, {"ridge", "2.5"}, {"model", "linear-map"}, {"attention", "softmax"}, {"layers", "3"}, {"init", "gaussian"},
      {"a0", "-1.5"}, {"b0", "2.25"},    {"sigma-w", "0.7"}, {"method", "flow"},   {"lr", "0.0625"},  {"epochs", "9"},
      {"eval-every", "4"}, {"test-m", "77"}, {"clip", "true"}, {"precision", "single"}, {"seed", "9007199254740991"}, {"threads", "3"}};
  ASSERT_EQ(values.size(), config_fields().size());
  Config c;
  for (const auto& [name, text] : values) {
    const FieldSpec* f = find_field(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_NE(get_field(c, *f), text) << name << ": pick a value other than the default";
    EXPECT_FALSE(set_field(c, name, text)) << name;
    EXPECT_EQ(get_field(c, *f), text) << name;
    EXPECT_FALSE(check_field(c, *f)) << name;
  }
  EXPECT_EQ(c.seed, 9007199254740991ull);
  EXPECT_EQ(c.x1, X1Family::UnitPhase);
  EXPECT_EQ(c.method, Method::Flow);
  EXPECT_TRUE(c.clip);
  // The JSON config is typed by kind.
  const Json j = config_json(c);
  EXPECT_EQ(j["d"], 7);
  EXPECT_TRUE(j["d"].is_number_integer());
  EXPECT_EQ(j["x1"], "unit-phase");
  EXPECT_EQ(j["clip"], true);
  EXPECT_EQ(j["lr"], 0.0625);
  EXPECT_EQ(j["seed"], 9007199254740991ll);
}

TEST(Fields, ProblemsNameTheirFieldsAsData) {
  Config c;
  Problem p = set_field(c, "sigma_w", "-1");
  EXPECT_EQ(p.field, "sigma-w");  // the CLI name, whichever name was given
  EXPECT_EQ(p.message, "'-1' is not valid; expected a number in [0, 100]");
  p = set_field(c, "nope", "1");
  EXPECT_EQ(p.field, "");
  EXPECT_EQ(p.message, "unknown option 'nope'");
  c.m = 10000000;
  c.T = 100000;
  p = validate(c, kBrowserMemoryBudget);
  EXPECT_EQ(p.fields(), (std::vector<std::string>{"m", "test-m", "T", "d"}));
  EXPECT_EQ(describe(p).rfind("m, test-m, T, d: this setting needs about", 0), 0u);
  c = Config{};
  c.epochs = 10000000;
  p = validate(c, kNativeMemoryBudget);
  EXPECT_EQ(p.field, "epochs");
  // The CLI's own formatting of the same data.
  EXPECT_EQ(cli_text({"lr", "'abc' is not valid; expected a number in (0, 10]", {}}),
            "--lr: 'abc' is not valid; expected a number in (0, 10]");
  EXPECT_EQ(cli_text({"sweep", "the grid has 20000 runs", {}}), "sweep: the grid has 20000 runs");
}
