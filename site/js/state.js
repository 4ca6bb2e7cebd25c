// Configuration <-> text (attributes, URL). Table-driven from mf.fields(): every field's
// attribute / URL key is its CLI option name (attributes are lower-cased by HTML: T -> t).
import { PRESETS, DEFAULT_PRESET } from './presets.js';

// Keys that are not config fields but are still read from the URL / attributes.
export const EXTRA_KEYS = ['preset', 'compare', 'controls', 'text', 'workers'];
// Attribute names of the config fields, as in wasm/API.md (needed before the module is loaded).
export const FIELD_ATTRS = ['x1', 'scale', 'd', 't', 'm', 'init', 'a0', 'b0', 'sigma-w', 'lr', 'epochs', 'eval-every', 'test-m', 'clip', 'seed', 'method'];

export function formatValue(field, v) {
  if (field.kind === 'flag') return v ? 'true' : 'false';
  return String(v);
}

// Resolves a config: mf.defaults() <- preset values <- explicit values (all keyed by CLI name).
export function resolveConfig(fields, defaults, presetName, explicit) {
  const preset = PRESETS[presetName] || PRESETS[DEFAULT_PRESET];
  const cfg = {};
  for (const f of fields) {
    cfg[f.key] = defaults[f.key];
    if (f.name in preset.values) cfg[f.key] = preset.values[f.name];
    if (f.name in explicit) cfg[f.key] = explicit[f.name];
  }
  return cfg;
}

// Sorts text pairs (URL params or attributes) into field texts (to be parsed by the core, see
// element.js), extras and unknown keys. Keys are matched case-sensitively, except that "t" means
// "T" (HTML lower-cases attributes). Returns {texts: [[name, text]], unknown, extras}.
export function readPairs(fields, pairs) {
  const names = new Set(fields.map((f) => f.name));
  const texts = [];
  const unknown = [];
  const extras = {};
  for (const [k, text] of pairs) {
    const name = k === 't' ? 'T' : k;
    if (names.has(name)) texts.push([name, String(text).trim()]);
    else if (EXTRA_KEYS.includes(k)) extras[k] = text;
    else unknown.push(k);
  }
  return { texts, unknown, extras };
}

// The URL form of a config: preset=NAME plus only the fields that differ from the preset.
export function configToParams(fields, defaults, presetName, cfg, extras = {}) {
  const base = resolveConfig(fields, defaults, presetName, {});
  const p = new URLSearchParams();
  p.set('preset', PRESETS[presetName] ? presetName : DEFAULT_PRESET);
  for (const f of fields) if (cfg[f.key] !== base[f.key]) p.set(f.name, formatValue(f, cfg[f.key]));
  for (const [k, v] of Object.entries(extras)) if (v !== undefined && v !== null) p.set(k, v);
  return p.toString();
}
