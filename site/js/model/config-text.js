// Any thread, no DOM. Configuration <-> text (attributes, URL keys) from the field table.
// Configuration <-> text (attributes, URL). Table-driven from the field rows of mf.fields(),
// which site/build.mjs writes into fields.js: every field's URL key is its CLI option name, its
// attribute the same lower-cased (HTML lower-cases attributes: T -> t).
import { FIELDS } from '../fields.js';
import { PRESETS, DEFAULT_PRESET } from './presets.js';

export { FIELDS };
// mf.defaults(), from the same rows.
export const DEFAULTS = Object.fromEntries(FIELDS.map((f) => [f.key, f.default]));
// Keys that are not config fields but are still read from the URL / attributes.
export const EXTRA_KEYS = ['preset', 'compare', 'controls', 'text', 'workers'];
// Attribute names of the config fields.
export const FIELD_ATTRS = FIELDS.map((f) => f.name.toLowerCase());
// Field name of every key a link or an attribute may use for it (its name and its attribute).
const FIELD_OF_KEY = new Map(FIELDS.flatMap((f) => [[f.name, f.name], [f.name.toLowerCase(), f.name]]));
export const isFieldKey = (key) => FIELD_OF_KEY.has(key);
export const attributeOf = (key) => (FIELD_OF_KEY.has(key) ? FIELD_OF_KEY.get(key).toLowerCase() : key);

export function formatValue(field, v) {
  if (field.kind === 'flag') return v ? 'true' : 'false';
  return String(v);
}

// Resolves a config: mf.defaults() <- preset values <- explicit values (all keyed by CLI name).
export function resolveConfig(presetName, explicit) {
  const preset = PRESETS[presetName] || PRESETS[DEFAULT_PRESET];
  const cfg = {};
  for (const f of FIELDS) {
    cfg[f.key] = DEFAULTS[f.key];
    if (f.name in preset.values) cfg[f.key] = preset.values[f.name];
    if (f.name in explicit) cfg[f.key] = explicit[f.name];
  }
  return cfg;
}

// Sorts text pairs (URL params or attributes) into field texts (to be checked by the core's rules,
// model/field-parse.js), extras and unknown keys. Returns {texts: [[name, text]], unknown, extras}.
export function readPairs(pairs) {
  const texts = [];
  const unknown = [];
  const extras = {};
  for (const [k, text] of pairs) {
    if (FIELD_OF_KEY.has(k)) texts.push([FIELD_OF_KEY.get(k), String(text).trim()]);
    else if (EXTRA_KEYS.includes(k)) extras[k] = text;
    else unknown.push(k);
  }
  return { texts, unknown, extras };
}

const isOn = (v) => ['', 'true', '1', 'yes', 'on'].includes(String(v).trim().toLowerCase());
const isOff = (v) => ['false', '0', 'no', 'off'].includes(String(v).trim().toLowerCase());
// The most Web Workers a page starts (its pool: one per core, at most this many, pool/page-pool.js),
// and so the most an element's `workers` attribute may ask for.
export const MAX_WORKERS = 8;

// The page's own keys as values: {values: {preset, compare, workers}, bad: [[key, text,
// expected]]} (a bad or absent key: its default; model/field-parse.js words `bad` as the core does).
// compare: true (the paper's three initialisations), 'depths' (layers 1, 2, 3) or false.
export function readExtras({ preset, compare, workers }) {
  const values = { preset: DEFAULT_PRESET, compare: /** @type {boolean | 'depths'} */ (false), workers: null };
  const bad = [];
  if (preset !== undefined) {
    if (Object.hasOwn(PRESETS, preset)) values.preset = preset;
    else bad.push(['preset', preset, `one of ${Object.keys(PRESETS).join(', ')}`]);
  }
  if (compare != null) {
    if (isOn(compare)) values.compare = true;
    else if (String(compare).trim().toLowerCase() === 'depths') values.compare = 'depths';
    else if (!isOff(compare)) bad.push(['compare', compare, 'true, false or depths']);
  }
  if (workers !== undefined && String(workers).trim() !== 'auto') {
    const n = Number(String(workers).trim());
    if (/^\s*\d+\s*$/.test(workers) && n >= 1 && n <= MAX_WORKERS) values.workers = n;
    else bad.push(['workers', workers, `auto or an integer in [1, ${MAX_WORKERS}]`]);
  }
  return { values, bad };
}

// The URL form of a config: preset=NAME plus only the fields that differ from the preset.
export function configToParams(presetName, cfg, extras = {}) {
  const base = resolveConfig(presetName, {});
  const p = new URLSearchParams();
  p.set('preset', PRESETS[presetName] ? presetName : DEFAULT_PRESET);
  for (const f of FIELDS) if (cfg[f.key] !== base[f.key]) p.set(f.name, formatValue(f, cfg[f.key]));
  for (const [k, v] of Object.entries(extras)) if (v !== undefined && v !== null) p.set(k, v);
  return p.toString();
}
