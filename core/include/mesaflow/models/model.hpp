// The model seam: what a model is to the rest of the core. Session, the trainer (GD and flow),
// checkpoints, history, the budget, the reports and the WebAssembly binding see a model only through
// this interface and its weights only as named blocks (Weights), so a new model is new files
// (models/<name>.hpp, src/models/<name>.cpp) plus one row in src/models/registry.cpp; the `model`
// field of the table (config.cpp) lists the registered names.
//
// Models today: "attention", the paper's one-layer linear attention (core/THEORY.md §1-§2, fused
// kernel in kernel.hpp), with attention softmax "softmax-attention" (models/softmax.hpp,
// core/THEORY.md §11), and "linear-map", the learned linear predictor y_hat_t = A x_t
// (core/THEORY.md §9).
#pragma once
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/kernel.hpp"  // Pass, Evaluation, kShards
#include "mesaflow/mesa.hpp"

namespace mesaflow {

struct History;

// One parameter block of a model: its name (the JSON and JS keys <name>_re, <name>_im), its shape
// at token dimension d, and how the page names it ("W_KQ").
struct BlockSpec {
  std::string name, label;
  int rows = 0, cols = 0;
};

// A model's parameters: its blocks in the model's order (complex entries; the real and imaginary
// part of each entry are independent real parameters).
struct Weights {
  std::vector<std::string> names;
  std::vector<Eigen::MatrixXcd> blocks;
  bool finite() const;
  // The block named `name`, or nullptr.
  const Eigen::MatrixXcd* find(const std::string& name) const;
  // Zero blocks of the given shapes.
  static Weights zeros(const std::vector<BlockSpec>& specs);
};

// The real parameter vector: for each block in order, the real parts (row-major) then the
// imaginary parts. For the attention model: [Re wkq, Im wkq, Re wpv, Im wpv].
Eigen::VectorXd to_vector(const Weights& w);
// Back into blocks shaped as `like`'s.
Weights from_vector(const Eigen::VectorXd& v, const Weights& like);
// In single precision every real and imaginary part rounded to the nearest float; nothing in double.
void round_to(Weights& w, Precision precision);
// {<name>_re, <name>_im} per block: row-major nested arrays.
void to_json(Json& j, const Weights& w);

class Model {
 public:
  virtual ~Model() = default;
  // The name in the model field ("attention", "linear-map").
  virtual const char* name() const = 0;
  // In words, for help and the page.
  virtual const char* description() const = 0;
  // The parameter blocks at token dimension d.
  virtual std::vector<BlockSpec> blocks(int d) const = 0;
  // The initial weights for c (init, a0, b0, sigma-w, seed, clip, precision).
  virtual Weights init(const Config& c) const = 0;

  // The sums of shards [first, last) of a pass over ds at w into out (resized): one record of
  // record_size(d, pass == Pass::Gradient) doubles per shard, unscaled sums over the shard's
  // sequences, formed in a fixed order (bit-identical for any thread count and natively and in
  // WebAssembly). The record starts [loss, ratio, ratio_count, last]; with gradients the model's
  // gradient sums follow. Throws std::invalid_argument on weights of another shape or bad shards.
  virtual int record_size(int d, bool grad) const = 0;
  virtual void shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard,
                          int threads, std::vector<double>& out) const = 0;
  // Adds kShards records (shard order) and scales them: the Evaluation, and the gradient into
  // *grad when grad != nullptr (then the records must carry gradients). m, d: of the data set.
  virtual Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const = 0;

  // Floating-point operations of one pass over (d, T, m): the training pass with its gradient
  // (Pass::Gradient) and a held-out set's forward pass (Pass::Test).
  virtual double flops(Pass pass, int d, int T, int m) const = 0;
  // Bytes of per-thread scratch and parameters beside the data sets and a fixed 1 MB, per d^2
  // (they grow as d^2 for every model; budget.hpp MemoryTerms).
  virtual double scratch_bytes_per_d2(Precision precision) const = 0;
  // Bytes of per-thread scratch per T d and per T beyond the fixed 1 MB (a model whose pass holds
  // a sequence's positions, as softmax attention's does; 0 for the others).
  virtual double scratch_bytes_per_Td() const { return 0; }
  virtual double scratch_bytes_per_T() const { return 0; }
  // Whether the passes are plain scalar C++ rather than the fused SIMD kernel (kernel.hpp): the
  // time budgets count such a model's flops at their plain rate (budget.hpp TimeBudget).
  virtual bool plain_passes() const { return false; }

  // The clip option: project the weights (or a gradient) onto the model's constrained family.
  virtual void clip(Weights& w) const = 0;
  // Appends one value to each of the history's structure columns (ab, offdiag_kq, offdiag_pv,
  // outside, ab_complex, ab_spread); NaN (null in JSON) for a column that is not a quantity of this
  // model.
  virtual void push_structure(const Weights& w, History& h) const = 0;
  // The weights layer by layer, layer 1 first, each as the blocks {wkq, wpv} (the JSON's
  // final.layers); empty for a model that is not a stack of attention layers.
  virtual std::vector<Weights> layer_weights(const Weights& w) const { (void)w; return {}; }
  // Why the paper's theory (c*, the ODE, recovery) does not describe this model, or "" when it does.
  virtual const char* theory_reason() const { return ""; }
  // Whether the model has the mesa-optimizer view (mesa.hpp), and the view of w on the first nseq
  // sequences of test (std::logic_error for a model without one).
  virtual bool has_mesa() const { return false; }
  virtual MesaView mesa(const Weights& w, const Dataset& test, int nseq) const;

  // combine_shard_sums(shard_sums(all shards)): the one summation path.
  Evaluation evaluate(const Weights& w, const Dataset& ds, Weights* grad, int threads) const;
  Evaluation evaluate_test(const Weights& w, const Dataset& ds, int threads) const;
  Weights zeros(int d) const { return Weights::zeros(blocks(d)); }
  // Whether w has this model's blocks at dimension d ("" or what is expected, e.g.
  // "expected finite W_KQ (10 x 10) and W_PV (5 x 10) for d = 5").
  std::string check_weights(const Weights& w, int d) const;
};

// combine_shard_sums for a model whose record is [loss, ratio, ratio_count, last, gradient...]
// (rec doubles): the kShards records added in shard order (independent of who computed which),
// the Evaluation, and the gradient sums scaled by 1/m into *gradient (rec - 4 values) when given.
// Throws std::invalid_argument when sums is not kShards records.
Evaluation combine_records(const std::vector<double>& sums, std::size_t rec, int m, int d, std::vector<double>* gradient);

// The registered models, in the order of the model field's choices (registry.cpp).
const std::vector<const Model*>& models();
// The model of configuration c (c.model indexes models(); the attention model with attention
// softmax is the softmax model, which is not a choice of the model field).
const Model& model_of(const Config& c);
// The model named `name`, or nullptr.
const Model* find_model(const std::string& name);

}  // namespace mesaflow
