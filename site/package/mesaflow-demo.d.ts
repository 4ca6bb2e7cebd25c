// TypeScript declarations of <mesaflow-demo> (js/element.js: importing it defines the element;
// it exports nothing). The JS API's types: lib/mesaflow.d.ts.
import type { Config, Theory, Change } from './lib/mesaflow.js';

/** A history as the command line's JSON has it: one entry per evaluation, epoch 0 included. */
export interface RunHistory {
  epoch: number[]; train_loss: number[]; test_loss: number[]; ab: number[]; ratio: number[]; last_mse: number[];
  offdiag_kq: number[]; offdiag_pv: number[]; outside: number[]; ab_complex: number[]; ab_spread: number[];
  /** Live changes (lr, epochs, eval_every, clip, method) and the epoch each took effect. */
  changes: Change[];
}

/** The gradient-flow ODE of ab, every stride-th epoch (empty arrays for init 'gaussian'). */
export interface OdeCurve { stride: number; epoch: number[]; ab: number[]; ab_empirical: number[]; stability: number[] }

/** A run: its initialisation, its layers (compare="depths": layers 1, 2, 3 on the same data), label "(a0, b0)" or "layers L". */
export interface Run { a0: number; b0: number; layers: number; label: string; history: RunHistory; theory: Theory; ode: OdeCurve }

/** A .npy file the runs train on (useData, a file chosen or dropped). */
export interface DataFile {
  source: 'file';
  name: string;
  test_name: string | null;            // the test set's file, or null: held out of name
  dtype: 'complex128' | 'complex64';
  file_m: number;                      // sequences in the file
  m: number;                           // ... used for training
  test_m: number;                      // test sequences (held out, or the test file's)
  d: number;
  T: number;
  test: 'held out' | 'file';
  moments: string;                     // the theory's assumption_4_1.source: where its moments come from
}

/** Generated data; w: process fixed's W file (a .npy of shape (d, d) chosen or dropped), used while the process is fixed. */
export type DataSource = { source: 'generated'; w?: { name: string; d: number; used: boolean } } | DataFile;

/** A run of the command line drawn beside the live runs (compareWith, a run.json dropped). */
export interface Comparison {
  label: string;                       // 'CLI: run.json'
  name: string;
  version: string | null;              // the document's "mesaflow"
  history: { epoch: number[]; train_loss: (number | null)[]; test_loss: (number | null)[]; ab: (number | null)[];
    ratio: (number | null)[]; last_mse: (number | null)[] };
}

export interface UseDataOptions {
  name?: string;                       // shown and used in messages; default the File's name, or 'data.npy'
  test?: Blob | ArrayBuffer | ArrayBufferView; // a test set (same d and T); default: a tenth held out by the seed
  testName?: string;
}

export interface StepDetail {
  run: number; a0: number; b0: number; layers: number;
  epoch: number; train_loss: number; test_loss: number; ab: number; ratio: number; last_mse: number;
  offdiag_kq: number; offdiag_pv: number; outside: number; ab_complex: number; ab_spread: number;
}
export interface DivergedDetail { run: number; a0: number; b0: number; epoch: number; message: string }
export interface ConfigDetail { params: string; config: Config }
export interface FaultDetail {
  message: string;
  epoch: number;
  resumable: boolean;                  // resume() goes on from the last checkpoint
  /** The page's Content-Security-Policy or the host of the files stops every worker; message says what to do. */
  blocked?: boolean;
}
export interface FileErrorDetail { name: string; field: 'data' | 'test-data' | 'run'; message: string }

export interface MesaflowDemoElement extends HTMLElement {
  play(): void;
  pause(): void;
  /** One epoch of every run (while paused). */
  step(): void;
  /** Trains again from epoch 0 (after a fault: a new worker). */
  reset(): void;
  /** After a fault: a new worker goes on from each run's last checkpoint. */
  resume(): void;
  /** Trains on a .npy file (complex128 or complex64, (m, d, T)); rejects with the command line's
   *  message (an Error with field 'data' or 'test-data'), and then nothing changes. */
  /** With process fixed, a .npy of 2 dimensions is its W (e.field 'w-file' if refused): resolves to the generated DataSource with its w. */
  useData(npy: Blob | ArrayBuffer | ArrayBufferView, options?: UseDataOptions): Promise<DataSource>;
  /** Back to data drawn from the settings (the fields a file set are editable again). */
  useGeneratedData(): void;
  /** Draws a run document of the command line (a File, its JSON text or the parsed object) beside
   *  the runs; null removes it. Rejects saying what is wrong with the document. */
  compareWith(run: Blob | string | object | null, name?: string): Promise<Comparison | null>;
  /** mesaflow's version, the same as the module's mf.version and `mesaflow --version`. */
  readonly version: string;
  readonly history: RunHistory;
  readonly runs: Run[];
  readonly theory: Theory | null;
  readonly odeCurve: OdeCurve | null;
  readonly epoch: number;
  /** Web Workers computing the current runs' sums (1: the single-worker path; at most the page's pool). */
  readonly workers: number;
  /** What the demos of this page cost together: they share one pool of workers, one per core (at most 8). */
  readonly pageCost: PageCost;
  readonly config: Required<Config> | null;
  /** The configuration as URL keys (a data file is not in them). */
  readonly params: string;
  readonly data: DataSource;
  readonly comparison: Comparison | null;
}

declare global {
  interface HTMLElementTagNameMap { 'mesaflow-demo': MesaflowDemoElement }
  interface HTMLElementEventMap {
    'mesaflow-step': CustomEvent<StepDetail>;
    'mesaflow-diverged': CustomEvent<DivergedDetail>;
    'mesaflow-config': CustomEvent<ConfigDetail>;
    'mesaflow-fault': CustomEvent<FaultDetail>;
    'mesaflow-data': CustomEvent<DataSource>;
    'mesaflow-file-error': CustomEvent<FileErrorDetail>;
    'mesaflow-comparison': CustomEvent<Comparison | null>;
  }
}

/** el.pageCost: every <mesaflow-demo> of a page trains in one pool of workers. */
export interface PageCost {
  /** Workers alive now. */
  workers: number;
  /** The pool's size: navigator.hardwareConcurrency, at most 8. */
  size: number;
  /** Bytes allocated by the runs of every demo of the page (sessions and shard copies). */
  bytes: number;
  /** The page's memory budget for all demos together, in bytes. */
  budget: number;
  /** Tenants of the pool (each demo's runs, and each demo's capability measurements). */
  tenants: number;
  /** Tenants training now (not held). */
  playing: number;
  /** Demos held: out of view, waiting for a demo in view that trains on the same workers. */
  held: number;
}
