// TypeScript declarations of wasm/mesaflow.js (the contract is wasm/API.md).

export type X1Family = 'gaussian' | 'sparse' | 'full-one' | 'rademacher' | 'unit-phase';

/** A run's configuration, keyed as defaults(); missing keys take the default.
 *  The CLI names 'sigma-w', 'eval-every', 'test-m' are accepted too. */
export interface Config {
  d?: number;
  T?: number;
  m?: number;
  x1?: X1Family;
  scale?: number;
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
  seed?: number;
  [cliName: string]: number | string | boolean | undefined;
}

export interface Field {
  name: string;                         // CLI option / URL key / attribute, e.g. 'sigma-w'
  key: string;                          // key in Config, e.g. 'sigma_w'
  type: 'int' | 'number' | 'enum' | 'bool';
  min?: number;                         // int and number only
  max?: number;
  min_open?: boolean;                   // true when min itself is excluded (lr, ...)
  choices: string[];                    // enum only (empty otherwise)
  default: number | string | boolean;
  help: string;
}

export interface ConfigError {
  field: string;                        // CLI name of the offending field
  message: string;                      // e.g. "lr: '5' is not valid; expected a number in (0, 10]"
}

export interface Theory {
  M2: number; M4: number; M6: number; M24: number;
  A: number; B: number;
  c_star_T: number;
  c_star_inf: number;
  c_star_empirical: number | null;      // null from theory(cfg): no data
  ratio_pred: number;
  recovery: boolean;
  moment_ratio: number;                 // M4^2 / (M2 M6)
}

export interface RunResult { epoch: number; done: boolean; diverged: boolean; message: string; }

export interface History {
  epoch: Float64Array; train_loss: Float64Array; test_loss: Float64Array;
  ab: Float64Array; ratio: Float64Array; last_mse: Float64Array;
}

export interface OdeCurve { epoch: Float64Array; ab: Float64Array; ab_empirical: Float64Array; }

export interface Weights {
  d: number;
  wkq_re: Float64Array; wkq_im: Float64Array;   // (2d, 2d) row-major
  wpv_re: Float64Array; wpv_im: Float64Array;   // (d, 2d) row-major
}

export interface Samples { n: number; T: number; d: number; re: Float64Array; im: Float64Array; } // (n, T, d)

export interface MesaView {
  t: Float64Array; model: Float64Array; gd1: Float64Array;
  ls: Float64Array; true_w: Float64Array; gap: Float64Array;
}

/** Everything a new session with the same config needs to go on where this one stopped. */
export interface Checkpoint {
  epoch: number;
  weights: Weights;
  firstLoss: number;
  flowStep: number;
  gradientEvaluations: number;
  history: History;
}

export interface Session {
  run(k?: number): RunResult;
  readonly epoch: number;
  readonly done: boolean;
  readonly diverged: boolean;
  readonly message: string;
  history(): History;
  /** null once the run has diverged. */
  checkpoint(): Checkpoint | null;
  theory(): Theory;
  odeCurve(): OdeCurve;
  weights(): Weights;
  samples(n?: number): Samples;
  mesa(nseq?: number): MesaView;
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

export interface Mesaflow {
  fields(): Field[];
  defaults(): Required<Pick<Config, 'd' | 'T' | 'm' | 'x1' | 'scale' | 'init' | 'a0' | 'b0' | 'sigma_w' |
    'method' | 'lr' | 'epochs' | 'eval_every' | 'test_m' | 'clip' | 'seed'>>;
  validate(cfg: Config): ConfigError | null;
  /** One field as text, through the core's parser: {field, value} or {field, message}. */
  parseField(name: string, text: string): { field: string; value?: number | string | boolean; message?: string };
  /** Throws an Error (with .field) when cfg is invalid. */
  estimateBytes(cfg: Config): number;
  /** Flops of one epoch (training gradient and one test evaluation); throws like estimateBytes. */
  epochFlops(cfg: Config): number;
  /** Throws an Error (with .field) when cfg is invalid. */
  theory(cfg: Config): Theory;
  /** Throws an Error (with .field) when cfg is invalid or exceeds the browser memory budget. */
  /** options.resume: go on from a checkpoint (throws with .field 'checkpoint' if it does not fit). */
  createSession(cfg: Config, options?: { externalSums?: boolean; resume?: Checkpoint }): Session;
  /** Throws like createSession. */
  createShardWorker(cfg: Config): ShardWorker;
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
