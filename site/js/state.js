// Configuration <-> text (attributes, URL). Table-driven from mf.fields(): every field's
// attribute / URL key is its CLI option name (attributes are lower-cased by HTML: T -> t).
import { PRESETS, DEFAULT_PRESET } from './presets.js';

// Keys that are not config fields but are still read from the URL / attributes.
export const EXTRA_KEYS = ['preset', 'compare', 'controls', 'text', 'workers'];
// Attribute names of the config fields, as in wasm/API.md (needed before the module is loaded).
export const FIELD_ATTRS = ['x1', 'scale', 'd', 't', 'm', 'init', 'a0', 'b0', 'sigma-w', 'lr', 'epochs', 'eval-every', 'test-m', 'clip', 'seed', 'method'];

const shown = (s) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

// Parses one text value for a field. Returns {value} or {error}; error names the field and range.
export function parseField(field, text) {
  const s = String(text).trim();
  if (field.type === 'bool') {
    if (['', 'true', '1', 'yes', 'on'].includes(s.toLowerCase())) return { value: true };
    if (['false', '0', 'no', 'off'].includes(s.toLowerCase())) return { value: false };
    return { error: `${field.name}: "${shown(s)}" is not true or false` };
  }
  if (field.type === 'enum') {
    if (field.choices.includes(s)) return { value: s };
    return { error: `${field.name}: "${shown(s)}" is not one of ${field.choices.join(', ')}` };
  }
  const v = s === '' ? NaN : Number(s);
  const range = `${field.min_open ? '(' : '['}${field.min}, ${field.max}]`;
  if (!Number.isFinite(v)) return { error: `${field.name}: "${shown(s)}" is not a number (allowed ${range})` };
  if (field.type === 'int' && !Number.isInteger(v)) return { error: `${field.name}: ${v} is not an integer (allowed ${range})` };
  if (v < field.min || (field.min_open && v === field.min) || v > field.max) return { error: `${field.name}: ${v} is out of range ${range}` };
  return { value: v };
}

export function formatValue(field, v) {
  if (field.type === 'bool') return v ? 'true' : 'false';
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

// Reads text pairs (URL params or attributes). Returns {explicit, errors, unknown, extras}.
// Keys are matched case-sensitively, except that "t" means "T" (HTML lower-cases attributes).
export function readPairs(fields, pairs) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  byName.set('t', byName.get('T'));
  const explicit = {};
  const errors = [];
  const unknown = [];
  const extras = {};
  for (const [k, text] of pairs) {
    const f = byName.get(k);
    if (f) {
      const r = parseField(f, text);
      if (r.error) errors.push({ field: f.name, message: r.error });
      else explicit[f.name] = r.value;
    } else if (EXTRA_KEYS.includes(k)) extras[k] = text;
    else unknown.push(k);
  }
  return { explicit, errors, unknown, extras };
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
