// TypeScript declarations of wasm/mesaflow.js (the contract is wasm/API.md). Methods and options
// are camelCase, data keys the JSON's snake_case.

export type X1Family = 'gaussian' | 'sparse' | 'full-one' | 'rademacher' | 'unit-phase';

/** A run's configuration, keyed as defaults(); missing keys take the default.
 *  The CLI names 'sigma-w', 'eval-every', 'test-m' are accepted too. */
export interface Config {
  d?: number;
  T?: number;
  m?: number;
  x1?: X1Family;
  scale?: number;
  /** 'const', 'uniform:LO:HI' or 'values:V1,...@P1,...' (not for gaussian). */
  magnitude?: string;
  /** The dynamics x_{t+1} = radius W x_t + noise eps_t (core/THEORY.md §10). */
  process?: 'diagonal' | 'unitary' | 'orthogonal' | 'rotation' | 'fixed';
  radius?: number;
  noise?: number;
  /** lambda of the ridge-regression baseline of the mesa view. */
  ridge?: number;
  init?: 'diagonal' | 'gaussian';
  a0?: number;
  b0?: number;
  sigma_w?: number;
  method?: 'gd' | 'flow';
  lr?: number;
  epochs?: number;
  eval_every?: number;
  test_m?: number;
  clip?: boolean;
  /** single: data, weights and the scan's products in float; sums over sequences in double. */
  precision?: 'double' | 'single';
  seed?: number;
  [cliName: string]: number | string | boolean | undefined;
}

export interface Field {
  name: string;                         // CLI option / URL key / attribute, e.g. 'sigma-w'
  key: string;                          // key in Config, e.g. 'sigma_w'
  kind: 'integer' | 'number' | 'choice' | 'flag' | 'text';
  label: string;                        // in words, e.g. 'Spread of the initial weights'
  group: 'data' | 'model' | 'training';
  help: string;
  min?: number;                         // integer and number only
  max?: number;
  min_open?: boolean;                   // true when min itself is excluded (lr, ...)
  choices: string[];                    // choice only (empty otherwise)
  default: number | string | boolean;
}

/** What is wrong with an input, as data. */
export interface Problem {
  field: string;                        // the field to fix, by its CLI name
  fields: string[];                     // every field it involves (a memory budget: m, test-m, T, d)
  message: string;                      // the core's words, e.g. "lr: '5' is not valid; expected a number in (0, 10]"
}

/** Thrown by the API: an Error carrying the problem's fields (part: of a checkpoint). */
export interface ProblemError extends Error { field: string; fields: string[]; part?: string; }

export interface Theory {
  M2: number; M4: number; M6: number; M24: number;
  A: number; B: number;
  moment_ratio: number;                 // M4^2 / (M2 M6)
  assumption_4_1: { holds: boolean; mixed_moment_ratio: number; mu: number[]; source: string;
    draws?: number; largest_standard_errors?: number };
  assumption_4_2: { holds: boolean; moment_ratio: number };
  /** The diagonal family's predictions describe the run (Assumption 4.1 holds, or clip); else reason. */
  applies: boolean;
  reason: string | null;
  // The predictions: null where applies is false.
  c_star_T: number | null;
  c_star_inf: number | null;
  c_star_empirical: number | null;      // also null from mf.theory(cfg): no data
  ratio_pred: number | null;
  recovery: boolean | null;             // as T -> infinity (Assumption 4.2)
  last_mse_pred: number | null;         // per coordinate, at t = T-1
  relative_error_pred: number | null;   // last_mse_pred / (M2 / d)
  recovery_at_T: boolean | null;
  verdict: string | null;
}

export interface Capability {
  T: number[]; c_star_T: number[]; ratio_pred: number[]; last_mse_pred: number[]; relative_error_pred: number[];
}

export interface RunResult { epoch: number; done: boolean; diverged: boolean; message: string; }

export interface Change { epoch: number; field: string; from: string; to: string; }

export interface History {
  epoch: Float64Array; train_loss: Float64Array; test_loss: Float64Array;
  ab: Float64Array; ratio: Float64Array; last_mse: Float64Array;
  offdiag_kq: Float64Array; offdiag_pv: Float64Array; outside: Float64Array;
  ab_complex: Float64Array; ab_spread: Float64Array;
  changes: Change[];
}

export interface OdeCurve { epoch: Float64Array; ab: Float64Array; ab_empirical: Float64Array; stability: Float64Array; }

// A parameter block of the run's model (core/include/mesaflow/models/model.hpp).
export interface Block { name: string; label: string; rows: number; cols: number; }

// One pair <name>_re, <name>_im (rows x cols, row-major) per block of the model: model
// 'attention': wkq (2d, 2d) and wpv (d, 2d); model 'linear-map': a (d, d).
export interface Weights {
  d: number;
  model: string;
  blocks: Block[];
  wkq_re?: Float64Array; wkq_im?: Float64Array;   // attention: (2d, 2d) row-major
  wpv_re?: Float64Array; wpv_im?: Float64Array;   // attention: (d, 2d) row-major
  a_re?: Float64Array; a_im?: Float64Array;       // linear-map: (d, d) row-major
  [block: string]: Float64Array | number | string | Block[] | undefined;
}

export interface Samples { n: number; T: number; d: number; re: Float64Array; im: Float64Array; } // (n, T, d)

// K-step gradient descent from W = 0 with its best constant step eta (core/THEORY.md §13);
// error: per position t = 2..T-1, like MesaView.model.
export interface GdStep { k: number; eta: number; error: number[]; }

export interface MesaView {
  nseq: number;
  t: number[]; model: number[]; ls: number[]; true_w: number[];
  /** The one-layer linear model's trained ab as one GD step: null for layers > 1 and softmax. */
  gd1: number[] | null; gap: number[] | null; not_gd: number[] | null;
  gd_best: number[]; gd_best_eta: number[];
  ridge: number[]; noise_floor: number[];
  /** K = 1..4, non-causal and causal. */
  gd_steps: GdStep[]; gd_steps_causal: GdStep[];
  /** GD steps the model is worth at the last position, or null with gd_worth_reason. */
  gd_worth: number | null; gd_worth_reason: string | null;
}

/** Everything a new session with the same config needs to go on where this one stopped. */
export interface Checkpoint {
  epoch: number;
  weights: Weights;
  first_loss: number;
  flow_step: number;
  gradient_evaluations: number;
  /** Absent from checkpoint({history: false}); a resume needs it. */
  history: History;
}

export interface Divergence { epoch: number; why: string; lr: number; suggested_lr: number; data_max: number; }

export interface Session {
  run(k?: number): RunResult;
  readonly epoch: number;
  readonly done: boolean;
  readonly diverged: boolean;
  readonly message: string;
  readonly divergence: Divergence | null;
  /** lr, epochs, eval_every, clip or method from the current epoch on; throws a ProblemError. */
  change(field: string, text: string): void;
  /** The rows from index `from` on (default 0: every row), and every change. */
  history(from?: number): History;
  /** null once the run has diverged; {history: false}: without the history (the rows kept elsewhere). */
  checkpoint(options?: { history?: boolean }): Checkpoint | null;
  theory(): Theory;
  odeCurve(): OdeCurve;
  weights(): Weights;
  blocks(): Block[];
  samples(n?: number): Samples;
  mesa(nseq?: number): MesaView | null;  // null for a model without the view (linear-map); every attention model has it
  vanillaGd(): { eta: number; last_mse: number };
  /** External sums only (createSession(cfg, {externalSums: true})). */
  readonly awaitingSums: boolean;
  readonly wantsGradient: boolean;
  readonly wantsTest: boolean;
  /** Records of all shards in shard order; throws on a wrong length or when nothing is awaited. */
  feed(train: Float64Array, test?: Float64Array | null): void;
  delete(): void;
}

export interface ShardWorker {
  /** Records of shards [first, last) at weights; throws RangeError on bad arguments. */
  trainSums(weights: Weights, first: number, last: number, grad: boolean): Float64Array;
  testSums(weights: Weights, first: number, last: number): Float64Array;
  delete(): void;
}

export interface SessionOptions {
  externalSums?: boolean;
  /** Go on from a checkpoint (throws with .field 'checkpoint' and .part if it does not fit). */
  resume?: Checkpoint;
  /** Train on a .npy file (complex128 or complex64, (m, d, T)); test on test_npy or a held-out share. */
  data?: { npy: Uint8Array; test_npy?: Uint8Array; test_fraction?: number };
  /** process 'fixed': W as a .npy (float64, float32, complex128 or complex64, (d, d)); throws with .field 'w-file'. */
  w?: Uint8Array;
}

export interface Mesaflow {
  readonly version: string;
  fields(): Field[];
  defaults(): Required<Pick<Config, 'd' | 'T' | 'm' | 'x1' | 'scale' | 'magnitude' | 'process' | 'radius' | 'noise' |
    'ridge' | 'init' | 'a0' | 'b0' | 'sigma_w' |
    'method' | 'lr' | 'epochs' | 'eval_every' | 'test_m' | 'clip' | 'precision' | 'seed'>>;
  validate(cfg: Config): Problem | null;
  /** One field as text, through the core's parser: {field, value} or the problem. */
  parseField(name: string, text: string): { field: string; value: number | string | boolean } | Problem;
  /** A refused value of one of the page's own keys, in the core's words. */
  invalid(name: string, text: string, expected: string): Problem;
  /** Throw a ProblemError when cfg is invalid (no memory budget here). */
  estimateBytes(cfg: Config): number;
  epochFlops(cfg: Config): number;
  theory(cfg: Config): Theory;
  capability(cfg: Config, lo?: number, hi?: number): Capability | null;
  planTraining(cfg: Config): { lr: number; epochs: number; flow_time: number; curvature: number };
  /** Throws a ProblemError when cfg is invalid or exceeds the browser's budgets or heap. */
  createSession(cfg: Config, options?: SessionOptions): Session;
  /** options.w: the W file of process 'fixed', as SessionOptions.w (the same data sets as that session's). */
  createShardWorker(cfg: Config, options?: { w?: Uint8Array }): ShardWorker;
  /** Number of fixed shards of every data set. */
  readonly shards: number;
  readonly browserMemoryBudget: number;
  /** '' while the module works; after an abort, why (every later call fails: load a new module). */
  readonly aborted: string;
}

export interface LoadOptions {
  /** Another Emscripten factory (node tests pass the CommonJS build). */
  factory?: (moduleOptions: object) => Promise<object>;
  [emscriptenOption: string]: unknown;
}

export function loadMesaflow(options?: LoadOptions): Promise<Mesaflow>;
