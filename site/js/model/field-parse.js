// Any thread, no DOM. A field's text read as the core's set_field reads it, without the module.
// The page checks a field where it is typed (the settings form, an attribute, a link) with the
// core's rules, generated into fields.js and model/core-tables.js (kinds, choices, ranges and the
// words of each refusal), so no worker round trip is needed and every message reads as the CLI's
// and the JS API's: "lr: '0' is not valid; expected a number in (0, 10]". The parse rules are
// the core's (core/src/fields.cpp parse_value, core/src/magnitude.cpp parse_magnitude), written
// here once; tests/node/field-parse.test.mjs feeds the same texts to both and compares.
import { FIELDS } from '../fields.js';
import { RANGES, TEXT_RULES } from './core-tables.js';

// A number as the core reads one: decimal, an optional fraction and exponent; no hex, no sign
// but a leading minus, no blanks, no inf or nan.
const NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const FLAG_ON = ['', 'true', '1', 'yes', 'on'];
const FLAG_OFF = ['false', '0', 'no', 'off'];
const MAX_NUMBER_TEXT = 64; // characters of a numeric field's text (fields.cpp)
const MAX_LAW_TEXT = 400; // of a magnitude law, and 32 of each of its numbers, 16 numbers at most (magnitude.cpp)
const MAX_LAW_NUMBER = 32;
const MAX_LAW_VALUES = 16;
const MAX_MAGNITUDE = 1000;

const BY_NAME = new Map(FIELDS.flatMap((f) => [[f.name, f], [f.key, f]]));

// The number of a text in the grammar above, or null.
export function readNumber(text) {
  return typeof text === 'string' && NUMBER.test(text) ? Number(text) : null;
}

// C's printf("%.*g", p, v): p significant digits, the exponent form when the exponent is below -4
// or at least p, trailing zeros dropped.
function printfG(v, p) {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = v.toExponential(p - 1).split('e');
  const x = Number(exp);
  const trim = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (x < -4 || x >= p) return `${trim(mantissa)}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return trim(v.toFixed(p - 1 - x));
}

// The shortest %g text that reads back exactly: the core's get_field of a number and the numbers
// of a magnitude law's text ("0.1", "1e-05", "2.5e+20").
export function shortestText(v) {
  for (let p = 1; p < 17; p++) {
    const s = printfG(v, p);
    if (Number(s) === v) return s;
  }
  return printfG(v, 17);
}

// A value in quotes, as a refusal shows it (problem.cpp shown): its first 40 bytes (UTF-8), any
// byte outside printable ASCII as '?', "..." after a longer one.
export function shown(text) {
  const bytes = new TextEncoder().encode(text);
  const s = Array.from(bytes.subarray(0, 40), (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '?')).join('');
  return `'${s}${bytes.length > 40 ? '...' : ''}'`;
}

// Whether v is an allowed value of numeric field f (fields.cpp allowed).
function allowed(f, v) {
  if (!Number.isFinite(v)) return false;
  const below = f.min_open ? !(v > f.min) : !(v >= f.min);
  if (below || !(v <= f.max)) return false;
  return f.kind !== 'integer' || v === Math.floor(v);
}

// Comma-separated positive finite numbers, 16 at most (magnitude.cpp numbers), or null.
function lawNumbers(s) {
  const items = s.split(',');
  if (items.length > MAX_LAW_VALUES) return null;
  const out = [];
  for (const item of items) {
    const v = item.length > MAX_LAW_NUMBER ? null : readNumber(item);
    if (v === null || !Number.isFinite(v) || !(v > 0)) return null;
    out.push(v);
  }
  return out;
}

// A magnitude law's text -> its canonical text (magnitude.cpp magnitude_text), or null.
export function readMagnitude(text) {
  if (text.length > MAX_LAW_TEXT) return null;
  if (text === 'const') return 'const';
  if (text.startsWith('uniform:')) {
    const rest = text.slice(8);
    const colon = rest.indexOf(':');
    if (colon < 0) return null;
    const lo = lawNumbers(rest.slice(0, colon));
    const hi = lawNumbers(rest.slice(colon + 1));
    if (!lo || !hi || lo.length !== 1 || hi.length !== 1 || !(lo[0] <= hi[0]) || hi[0] > MAX_MAGNITUDE) return null;
    return `uniform:${shortestText(lo[0])}:${shortestText(hi[0])}`;
  }
  if (text.startsWith('values:')) {
    const rest = text.slice(7);
    const at = rest.indexOf('@');
    if (at < 0) return null;
    const values = lawNumbers(rest.slice(0, at));
    const probs = lawNumbers(rest.slice(at + 1));
    if (!values || !probs || values.length !== probs.length) return null;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      if (values[i] > MAX_MAGNITUDE) return null;
      sum += probs[i];
    }
    if (!(Math.abs(sum - 1) <= 1e-9)) return null;
    return `values:${values.map(shortestText).join(',')}@${probs.map(shortestText).join(',')}`;
  }
  return null;
}

// The value of field f given as text (as config objects hold it: a number, a choice's text, a
// boolean, a Text field's canonical text), or undefined.
function valueOf(f, text) {
  switch (f.kind) {
    case 'choice':
      return f.choices.includes(text) ? text : undefined;
    case 'flag':
      return FLAG_ON.includes(text) ? true : FLAG_OFF.includes(text) ? false : undefined;
    case 'integer':
    case 'number': {
      const v = text.length > MAX_NUMBER_TEXT ? null : readNumber(text);
      if (v === null || !allowed(f, v)) return undefined;
      return f.kind === 'integer' ? v + 0 : v; // an integer field holds no -0 (config_json: int64)
    }
    case 'text':
      return f.name === 'magnitude' ? readMagnitude(text) ?? undefined : undefined;
    default:
      return undefined;
  }
}

// What mf.parseField(name, text) answers: {field (CLI name), value}, or the problem {field,
// fields, message} in the core's words.
export function parseField(name, text) {
  name = String(name);
  text = String(text);
  const f = BY_NAME.get(name);
  if (!f) return { field: name, fields: name ? [name] : [], message: `unknown option ${shown(name)}` };
  const value = valueOf(f, text);
  if (value !== undefined) return { field: f.name, value };
  const why = f.kind === 'text' ? TEXT_RULES[f.name] : `expected ${RANGES[f.name]}`;
  return { field: f.name, fields: [f.name], message: `${f.name}: ${shown(text)} is not valid; ${why}` };
}

// A refusal of one of the page's own keys (preset, compare, workers), worded as the core words
// every refusal (mf.invalid).
export const invalid = (name, text, expected) => ({ field: name, fields: [name], message: `${name}: ${shown(String(text))} is not valid; expected ${expected}` });
