// Any thread, no DOM. The memory a set of runs needs, and the page's refusal when it does not fit.
// The estimate is the core's (core/src/budget.cpp estimate_bytes): its terms per model and
// precision come from the core's table (budget.hpp MemoryTerms, generated into core-tables.js) and
// are added up here in the same order, so the number is the module's mf.estimateBytes(cfg) to the
// bit (tests/node/memory-estimate.test.mjs compares them on a grid). The page checks a create with
// it before any worker round trip (element/trainer-client.js); the worker checks again with the
// module's own estimate (worker/trainer.js), with the same words (memoryProblem).
import { MEMORY, MEMORY_TERMS } from './core-tables.js';

// The key of cfg's terms: the model of model_of (core/src/models/registry.cpp): the model's name,
// or for the attention model its softmax kind ('attention/softmax') or its stack of L > 1 layers
// ('attention/layers-L'); wasm/api.cpp writes the terms under the same keys.
/** @param {{model: string, attention?: string, layers?: number}} cfg */
export function termsKey(cfg) {
  if (cfg.model !== 'attention') return cfg.model;
  if (cfg.attention === 'softmax') return 'attention/softmax';
  return (cfg.layers ?? 1) > 1 ? `attention/layers-${cfg.layers}` : 'attention';
}

// The bytes the module allocates for a run of cfg (a config object, mf.defaults() keys):
//   pad(m) * per_train + pad(test_m) * per_test + scratch_d2 * d * d + fixed
//   (+ (scratch_td * d + scratch_t) * T for a model whose pass holds a sequence's positions:
//    softmax attention and L > 1 layers, whose (3 L + 5) T 2d complex vectors grow with T d),
// pad(n) = ceil(n / lanes) * lanes; per sequence held as tokens T * d * token_bytes, as
// (x_1, lambda) d * compact_bytes. fromFile: the sets come from a data file (held as tokens);
// layout: how generated sets are held, the module's ('tokens'), or 'compact' as the native
// build holds them (config.hpp kGeneratedLayout), for comparing with the command line.
/** @param {{m: number, test_m: number, T: number, d: number, model: string, precision: string, attention?: string, layers?: number}} cfg */
export function estimateBytes(cfg, fromFile = false, layout = MEMORY_TERMS.layout) {
  const key = termsKey(cfg);
  const t = MEMORY_TERMS.terms[key]?.[cfg.precision];
  if (!t) throw new Error(`estimateBytes: no memory terms for model ${key}, precision ${cfg.precision}`);
  const m = Math.ceil(cfg.m / t.lanes) * t.lanes;
  const tm = Math.ceil(cfg.test_m / t.lanes) * t.lanes;
  const tokens = cfg.T * cfg.d * t.token_bytes;
  const compact = cfg.d * t.compact_bytes;
  const perGenerated = layout === 'tokens' ? tokens : compact;
  const perTest = fromFile ? tokens : perGenerated;
  const bytes = m * (fromFile ? tokens : perGenerated) + tm * perTest + t.scratch_d2 * cfg.d * cfg.d + t.fixed;
  // As the core adds it (budget.cpp estimate_bytes): only where a term is not 0, in this order.
  return t.scratch_td === 0 && t.scratch_t === 0 ? bytes : bytes + (t.scratch_td * cfg.d + t.scratch_t) * cfg.T;
}

export const mib = (/** @type {number} */ b) => `${Math.round(b / 2 ** 20)} MiB`;

// The refusal of runs that together need `bytes` when the page's pool leaves them `budget`
// (others: what the page's other demos hold), in the core's words (budget.hpp memory_problem) in
// the page's unit; null when they fit. cfgs: the runs' configurations: the words of the first
// whose kind names what drives its cost (layers, attention), else the sizes' words.
/** @param {number} bytes @param {number} budget @param {number} [others] @param {Array<{model: string, attention?: string, layers?: number}>} [cfgs] */
export function memoryProblem(bytes, budget, others = 0, cfgs = []) {
  if (!(bytes > budget)) return null;
  const page = others ? ` (the other demos of this page hold ${mib(others)})` : '';
  const kinds = cfgs.map((c) => MEMORY.by_kind[termsKey(c)]).filter(Boolean);
  const w = kinds.find((k) => k.fields.length > MEMORY.fields.length) ?? MEMORY;
  const words = w.template.replace('{need}', mib(bytes)).replace('{budget}', `${mib(budget)} in this browser${page}`);
  return { field: w.field, fields: w.fields, message: `${w.fields.join(', ')}: ${words}` };
}
