// The JS API of wasm/API.md over the Embind module (bindings.cpp). The module already speaks
// camelCase (methods, options) and snake_case (data keys); this file only loads it, turns the
// binding's problems ({field, fields, message}) into Error objects, and guards sessions against
// use after delete().
import createMesaflowCore from './mesaflow_core.js';

const INT_MAX = 2147483647;

// e.message: the core's wording; e.field: the field to fix (CLI name); e.fields: every field the
// problem involves (a memory budget: m, test-m, T, d).
function fail({ field, fields = [field], message }, extra = {}) {
  const e = Object.assign(new Error(message), { field, fields }, extra);
  throw e;
}

// Counts (epochs, sequences) as the binding's int: non-negative, whole, at most INT_MAX.
function count(k, name) {
  const v = Number(k);
  if (!Number.isFinite(v) && v !== Infinity) throw new TypeError(`${name}: expected a number, got ${String(k)}`);
  return Math.min(INT_MAX, Math.max(0, Math.floor(v)));
}

class Session {
  #s;

  constructor(raw, cfg, externalSums, resume, data) {
    const s = new raw.Session(cfg ?? {}, externalSums, data);
    const problem = s.problem;
    if (problem) {
      s.delete();
      fail(problem);
    }
    const refused = resume === undefined ? null : s.resume(resume);
    if (refused) {
      s.delete();
      // The option that is wrong is the checkpoint; e.part names the part of it (checkpoint.epoch).
      fail({ field: 'checkpoint', fields: ['checkpoint'], message: refused.message }, { part: refused.field });
    }
    this.#s = s;
  }

  #live() {
    if (!this.#s) throw new Error('this session was deleted');
    return this.#s;
  }

  run(k = 1) { return this.#live().run(count(k, 'run')); }
  get epoch() { return this.#live().epoch; }
  get done() { return this.#live().done; }
  get diverged() { return this.#live().diverged; }
  get message() { return this.#live().message; }
  get divergence() { return this.#live().divergence; }
  // from: the first row wanted (the rows already had are not converted again).
  history(from = 0) { return this.#live().history(count(from, 'history')); }
  // history: false leaves the history out (what a caller that keeps the rows it was given needs).
  checkpoint({ history = true } = {}) { return this.#live().checkpoint(Boolean(history)); }
  theory() { return this.#live().theory(); }
  odeCurve() { return this.#live().odeCurve(); }
  weights() { return this.#live().weights(); }
  // The blocks of the run's model: [{name, label, rows, cols}] (the keys <name>_re, <name>_im of weights()).
  blocks() { return this.#live().blocks(); }
  samples(n = 1) { return this.#live().samples(count(n, 'samples')); }
  mesa(nseq = 64) { return this.#live().mesa(Math.max(1, count(nseq, 'mesa'))); }
  vanillaGd() { return this.#live().vanillaGd(); }
  get awaitingSums() { return this.#live().awaitingSums; }
  get wantsGradient() { return this.#live().wantsGradient; }
  get wantsTest() { return this.#live().wantsTest; }
  // Changes lr, epochs, eval_every, clip or method from the current epoch on (wasm/API.md):
  // throws like createSession on a bad value or a field that defines the run.
  change(field, text) {
    const problem = this.#live().change(String(field), String(text));
    if (problem) fail(problem);
  }
  feed(train, test = null) {
    const err = this.#live().feed(train, test);
    if (err) throw new Error(err);
  }

  delete() {
    if (this.#s) this.#s.delete();
    this.#s = null;
  }
}

// Holds a session's data sets and computes shard sums for a session with external sums.
class ShardWorker {
  #w;

  // wFile: process fixed's W as a .npy (Uint8Array), or undefined (as createSession's options.w)
  constructor(raw, cfg, wFile) {
    const w = new raw.ShardWorker(cfg ?? {}, wFile);
    const problem = w.problem;
    if (problem) {
      w.delete();
      fail(problem);
    }
    this.#w = w;
  }

  #live() {
    if (!this.#w) throw new Error('this shard worker was deleted');
    return this.#w;
  }

  static #checked(r) {
    if (typeof r === 'string') throw new RangeError(r);
    return r;
  }

  trainSums(weights, first, last, grad) {
    return ShardWorker.#checked(this.#live().trainSums(weights, count(first, 'first'), count(last, 'last'), Boolean(grad)));
  }

  testSums(weights, first, last) {
    return ShardWorker.#checked(this.#live().testSums(weights, count(first, 'first'), count(last, 'last')));
  }

  delete() {
    if (this.#w) this.#w.delete();
    this.#w = null;
  }
}

// options.factory: another Emscripten factory (node tests pass the CommonJS build);
// every other option is handed to the factory (e.g. wasmBinary).
export async function loadMesaflow(options = {}) {
  const { factory = createMesaflowCore, ...moduleOptions } = options;
  let aborted = ''; // set if the module aborts (a bug, or memory lost): it is unusable after that
  const raw = await factory({
    locateFile: (file, prefix) =>
      file.endsWith('.wasm') ? new URL('./mesaflow_core.wasm', import.meta.url).href : prefix + file,
    ...moduleOptions,
    onAbort: (what) => {
      aborted = String(what ?? 'abort');
      moduleOptions.onAbort?.(what);
    },
  });
  // Field checks only (no memory budget): estimateBytes and theory must answer for big configs.
  const checked = (cfg) => {
    const problem = raw.check(cfg ?? {}, Infinity);
    if (problem) fail(problem);
    return cfg ?? {};
  };
  return Object.freeze({
    fields: () => raw.fields(),
    defaults: () => raw.defaults(),
    validate: (cfg) => raw.check(cfg ?? {}, raw.browserMemoryBudget),
    parseField: (name, text) => raw.parseField(String(name), String(text)),
    invalid: (name, text, expected) => raw.invalid(String(name), String(text), String(expected)),
    estimateBytes: (cfg) => raw.estimateBytes(checked(cfg)),
    epochFlops: (cfg) => raw.epochFlops(checked(cfg)),
    theory: (cfg) => raw.theory(checked(cfg)),
    planTraining: (cfg) => raw.planTraining(checked(cfg)),
    capability: (cfg, lo = 10, hi = 100000) => raw.capability(checked(cfg), count(lo, 'lo'), count(hi, 'hi')),
    // options.w: a .npy of W for process fixed (Uint8Array), carried to the core beside any data
    createSession: (cfg, options = {}) => new Session(raw, cfg, Boolean(options.externalSums), options.resume,
      options.w === undefined ? options.data : { ...(options.data ?? {}), w: options.w }),
    // options.w: the W file of createSession's options.w (the same data sets as that session's)
    createShardWorker: (cfg, options = {}) => new ShardWorker(raw, cfg, options.w),
    version: raw.version,
    shards: raw.shards,
    browserMemoryBudget: raw.browserMemoryBudget,
    // '' while the module works; after an abort, why (every later call fails: load a new one).
    get aborted() { return aborted; },
  });
}
