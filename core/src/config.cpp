// The rows of the field table (fields.hpp): one per member of Config.
#include "mesaflow/config.hpp"

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "mesaflow/fields.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/process.hpp"

namespace mesaflow {

namespace {

// Reads and writes member M of Config as a double: numbers as they are, enums as their index,
// flags as 0/1 (fields.cpp checks the value before set is called).
template <auto M>
struct Member {
  using T = std::remove_reference_t<decltype(std::declval<Config&>().*M)>;
  static double get(const Config& c) {
    if constexpr (std::is_enum_v<T>) return static_cast<double>(static_cast<long long>(c.*M));
    else return static_cast<double>(c.*M);
  }
  static void set(Config& c, double v) {
    if constexpr (std::is_enum_v<T>) c.*M = static_cast<T>(static_cast<long long>(v));
    else if constexpr (std::is_same_v<T, bool>) c.*M = v != 0;
    else c.*M = static_cast<T>(v);
  }
};

struct Names {
  const char *name, *key, *label, *group, *help;
};

// A row of this kind with these names, reading and writing member M.
template <auto M>
FieldSpec row(FieldKind kind, Names n) {
  FieldSpec f;
  f.name = n.name;
  f.key = n.key;
  f.kind = kind;
  f.label = n.label;
  f.group = n.group;
  f.help = n.help;
  f.get = &Member<M>::get;
  f.set = &Member<M>::set;
  return f;
}

template <auto M>
FieldSpec numeric(FieldKind kind, Names n, double min, double max, bool min_open = false) {
  FieldSpec f = row<M>(kind, n);
  f.min = min;
  f.max = max;
  f.min_open = min_open;
  return f;
}
template <auto M>
FieldSpec integer(Names n, double min, double max) { return numeric<M>(FieldKind::Integer, n, min, max); }
template <auto M>
FieldSpec number(Names n, double min, double max, bool min_open = false) {
  return numeric<M>(FieldKind::Number, n, min, max, min_open);
}
template <auto M>
FieldSpec choice(Names n, std::vector<std::string> choices) {
  FieldSpec f = row<M>(FieldKind::Choice, n);
  f.choices = std::move(choices);
  return f;
}
template <auto M>
FieldSpec flag(Names n) {
  return row<M>(FieldKind::Flag, n);
}

// The model field: its choices are the registered models' names (models/registry.cpp).
FieldSpec model_field(Names n) {
  std::vector<std::string> names;
  for (const Model* m : models()) names.push_back(m->name());
  return choice<&Config::model>(n, std::move(names));
}

FieldSpec magnitude(Names n) {
  FieldSpec f;
  f.name = n.name;
  f.key = n.key;
  f.kind = FieldKind::Text;
  f.label = n.label;
  f.group = n.group;
  f.help = n.help;
  f.get_text = [](const Config& c) { return magnitude_text(c.magnitude); };
  f.set_text = [](Config& c, const std::string& text) { return parse_magnitude(text, &c.magnitude); };
  return f;
}

constexpr const char* kData = "data";
constexpr const char* kModel = "model";
constexpr const char* kTraining = "training";

}  // namespace

const FieldTable& config_fields() {
  static const FieldTable table = [] {
    FieldTable t = {
        integer<&Config::d>({"d", "d", "Token dimension", kData, "token dimension"}, 1, 32),
        integer<&Config::T>({"T", "T", "Sequence length", kData, "sequence length"}, 3, 100000),
        integer<&Config::m>({"m", "m", "Training sequences", kData, "number of training sequences"}, 1, 10000000),
        choice<&Config::x1>({"x1", "x1", "First token", kData, "first-token distribution"},
                            {"gaussian", "sparse", "full-one", "rademacher", "unit-phase"}),
        number<&Config::scale>({"scale", "scale", "Scale of the first token", kData,
                                "sigma (gaussian) or c (sparse, full-one, rademacher, unit-phase)"},
                               1e-3, 1e3),
        magnitude({"magnitude", "magnitude", "Magnitude law", kData,
                   "modulus of each non-zero coordinate in units of scale: const, uniform:LO:HI or "
                   "values:V1,V2@P1,P2 (sparse, rademacher, unit-phase, full-one)"}),
        choice<&Config::process>({"process", "process", "Dynamics", kData,
                                  "W of x_{t+1} = W x_t: diagonal (the paper's), unitary (U diag U^H, U Haar), orthogonal "
                                  "(Haar SO(d), real), rotation (real 2x2 rotation blocks), fixed (one W: --w-file or from the seed)"},
                                 {"diagonal", "unitary", "orthogonal", "rotation", "fixed"}),
        number<&Config::radius>({"radius", "radius", "Radius of W", kData, "W scaled by radius: below 1 a contracting process"},
                                0, 1, true),
        number<&Config::noise>({"noise", "noise", "Noise", kData,
                                "sigma_eps: x_{t+1} = W x_t + sigma_eps eps_t (eps complex circular gaussian, real for a real W and x_1)"},
                               0, 100),
        number<&Config::ridge>({"ridge", "ridge", "Ridge lambda", kTraining,
                                "lambda of the ridge-regression baseline on the context (the mesa view)"},
                               0, 1e6),
        model_field({"model", "model", "Model", kModel,
                     "attention: the paper's one-layer linear attention; linear-map: y_hat = A x, the no-attention baseline"}),
        choice<&Config::attention>({"attention", "attention", "Attention", kModel,
                                    "linear: the paper's y_hat = W_PV S_t W_KQ e_t / rho_t; softmax: y_hat = W_PV sum_i "
                                    "alpha_{t,i} e_i, alpha = softmax of Re(e_i^H W_KQ e_t) over i <= t (one layer)"},
                                   {"linear", "softmax"}),
        integer<&Config::layers>({"layers", "layers", "Layers", kModel,
                                  "L layers of linear attention with a residual stream (model attention); 1: the paper's one layer"},
                                 1, 4),
        choice<&Config::init>({"init", "init", "Initialisation", kModel, "initialisation"}, {"diagonal", "gaussian"}),
        number<&Config::a0>({"a0", "a0", "Initial a (W_KQ block)", kModel, "diagonal init: W_KQ red block = a0 I"}, -100, 100),
        number<&Config::b0>({"b0", "b0", "Initial b (W_PV block)", kModel, "diagonal init: W_PV red block = b0 I"}, -100, 100),
        number<&Config::sigma_w>({"sigma-w", "sigma_w", "Spread of the initial weights", kModel, "gaussian init: entry std"},
                                 0, 100),
        choice<&Config::method>({"method", "method", "Method", kTraining,
                                 "gd: gradient descent; flow: adaptive Runge-Kutta gradient flow over time lr*epochs"},
                                {"gd", "flow"}),
        number<&Config::lr>({"lr", "lr", "Step size", kTraining, "step size (flow time per epoch for flow)"}, 0, 10, true),
        integer<&Config::epochs>({"epochs", "epochs", "Epochs", kTraining, "training epochs"}, 0, 10000000),
        integer<&Config::eval_every>({"eval-every", "eval_every", "Evaluate every", kTraining, "evaluate every k epochs"},
                                     1, 10000000),
        integer<&Config::test_m>({"test-m", "test_m", "Test sequences", kData, "number of test sequences"}, 1, 10000000),
        flag<&Config::clip>({"clip", "clip", "Clip the red blocks", kTraining,
                             "zero the off-diagonal entries of the red blocks after each step"}),
        choice<&Config::precision>({"precision", "precision", "Precision", kTraining,
                                    "double, or single: float data, weights and products (complex64, as the authors' code)"},
                                   {"double", "single"}),
        integer<&Config::seed>({"seed", "seed", "Random seed", kData, "random seed"}, 0, 9007199254740991.0),
        integer<&Config::threads>({"threads", "threads", "Threads", "run",
                                   "worker threads, 0 = all cores (results do not depend on it)"},
                                  0, 256),
    };
    t.back().browser = false;  // WebAssembly runs one thread here; the page spreads work over Web Workers
    return t;
  }();
  return table;
}

// The texts of the choices, as the table has them.
static const char* choice_text(const char* field, int i) {
  return find_field(field)->choices.at(static_cast<std::size_t>(i)).c_str();
}
const char* to_string(X1Family f) { return choice_text("x1", static_cast<int>(f)); }
const char* to_string(Init i) { return choice_text("init", static_cast<int>(i)); }
const char* to_string(Method m) { return choice_text("method", static_cast<int>(m)); }
const char* to_string(Precision p) { return choice_text("precision", static_cast<int>(p)); }
const char* to_string(Process p) { return choice_text("process", static_cast<int>(p)); }
const char* to_string(Attention a) { return choice_text("attention", static_cast<int>(a)); }

Problem attention_relation(const Config& c) {
  if (c.attention != Attention::Softmax) return {};
  if (std::string(models().at(static_cast<std::size_t>(c.model))->name()) != "attention")
    return {"attention",
            "attention softmax is a kind of the attention model, not of " +
                std::string(models().at(static_cast<std::size_t>(c.model))->name()) + "; use model attention or attention linear",
            {"model"}};
  if (c.layers > 1)
    return {"attention",
            "attention softmax has one layer (layers " + std::to_string(c.layers) + " is linear attention only); use layers 1 "
            "or attention linear",
            {"layers"}};
  return {};
}

Problem check_relations(const Config& c) {
  if (Problem p = check_process(c)) return p;
  if (Problem p = attention_relation(c)) return p;
  if (c.layers > 1 && std::string(models().at(static_cast<std::size_t>(c.model))->name()) != "attention")
    return {"layers", "layers > 1 is a stack of linear attention (model attention), not of the " +
                          std::string(models().at(static_cast<std::size_t>(c.model))->name()) + " model; use layers 1 or model attention",
            {"model"}};
  if (c.x1 == X1Family::Gaussian && !c.magnitude.is_const())
    return {"magnitude",
            "a magnitude law (" + shown(magnitude_text(c.magnitude)) +
                ") applies to sparse, rademacher, unit-phase and full-one, not to gaussian; use magnitude const or another x1",
            {"x1"}};
  // The moments go up to |x|^6: below 1e-150 they underflow and the optimum c*(T) ~ 1/|x|^2 leaves
  // the range of a double (core/THEORY.md §3).
  double largest = c.magnitude.kind == MagnitudeLaw::Kind::Uniform ? c.magnitude.hi : 1;
  if (c.magnitude.kind == MagnitudeLaw::Kind::Values && !c.magnitude.values.empty())
    largest = *std::max_element(c.magnitude.values.begin(), c.magnitude.values.end());
  if (!(c.scale * largest >= 1e-150)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", c.scale * largest);
    return {"magnitude",
            "scale x the law's largest modulus is " + std::string(buf) +
                ", below 1e-150: the moments (|x|^6) and the optimum (1/|x|^2) leave the range of a double; use larger values",
            {"scale"}};
  }
  return {};
}

bool ratio_defined(X1Family f) { return f != X1Family::Sparse; }

}  // namespace mesaflow
