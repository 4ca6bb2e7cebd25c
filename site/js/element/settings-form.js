// Main thread. The settings form (one input per field of mf.fields()), the preset menu, Copy link.
// The settings form, built from mf.fields(): one labelled input per config field (named in words,
// the CLI option as a hint), grouped (data, model, training), a slider beside the numbers that
// have a usual range (log scale for the ones that span decades), and the problems: under the field
// that caused each one, the memory budget at the top of the form (#wide); while
// there is one, Play is off and says which field to fix. Also the preset menu and Copy link.
import { formatValue, resolveConfig } from '../model/config-text.js';
import { PRESETS } from '../model/presets.js';
import { MEMORY } from '../model/core-tables.js';

// Slider ranges (the text box takes every value the field allows).
const SLIDERS = {
  d: { min: 1, max: 16, step: 1 },
  T: { min: 3, max: 1000, log: true },
  m: { min: 10, max: 100000, log: true },
  'test-m': { min: 10, max: 100000, log: true },
  scale: { min: 0.1, max: 10, log: true },
  a0: { min: -3, max: 3, step: 0.05 },
  b0: { min: -3, max: 3, step: 0.05 },
  'sigma-w': { min: 0, max: 1, step: 0.01 },
  lr: { min: 1e-6, max: 1, log: true },
  epochs: { min: 10, max: 100000, log: true },
};
const STEPS = 1000; // slider positions
const GROUPS = [['data', 'Data'], ['model', 'Model'], ['training', 'Training']];

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const toPos = (s, v) => Math.round(STEPS * clamp(s.log ? Math.log(v / s.min) / Math.log(s.max / s.min) : (v - s.min) / (s.max - s.min), 0, 1));
function fromPos(s, pos, integer) {
  const v = s.log ? s.min * (s.max / s.min) ** (pos / STEPS) : s.min + ((s.max - s.min) * pos) / STEPS;
  if (integer) return Math.round(v);
  if (s.log) return Number(v.toPrecision(2));
  return Number((Math.round(v / s.step) * s.step).toPrecision(6));
}

export class SettingsForm {
  // onChange(name, text) is called with the text of an edited field (the caller parses it and
  // shows any problem with setTextProblem). play / why: the Play button and where to say why it
  // is off. mirrors: {field key: a <select> outside the form that shows the same value}.
  constructor(form, fields, onChange, { play = null, why = null, mirrors = {} } = {}) {
    this.form = form;
    this.fields = fields;
    this.mirrors = mirrors;
    this.play = play;
    this.why = why;
    this.inputs = new Map();
    this.sliders = new Map();
    this.errors = new Map();
    this.textProblems = new Map(); // field name -> problem of its text
    this.configProblem = null;
    this.locked = new Map(); // field name -> the text it shows while locked (null: its value)
    const root = form.getRootNode();
    this.top = root.getElementById('form-problem');
    this.panel = root.getElementById('settings');
    this.toggle = root.getElementById('settings-toggle');
    this.toggle.addEventListener('click', () => this.open(this.toggle.getAttribute('aria-expanded') !== 'true'));
    form.replaceChildren();
    for (const [group, title] of GROUPS) {
      const set = document.createElement('fieldset');
      set.append(Object.assign(document.createElement('legend'), { textContent: title }));
      for (const f of fields.filter((x) => (x.group ?? 'data') === group)) set.append(this.#row(f, onChange));
      if (set.children.length > 1) form.append(set);
    }
    form.addEventListener('submit', (e) => e.preventDefault());
  }

  #row(f, onChange) {
    const row = document.createElement('div');
    row.className = 'field';
    const id = `f-${f.name}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.append(`${f.label ?? f.name} `, Object.assign(document.createElement('code'), { className: 'cli', textContent: f.name }));
    label.title = f.help || '';
    let input;
    if (f.kind === 'choice') {
      input = document.createElement('select');
      for (const c of f.choices) input.append(new Option(c, c));
    } else if (f.kind === 'flag') {
      input = Object.assign(document.createElement('input'), { type: 'checkbox' });
    } else {
      input = Object.assign(document.createElement('input'), { type: 'text', autocomplete: 'off', spellcheck: false });
      input.inputMode = f.kind === 'integer' ? 'numeric' : f.kind === 'text' ? 'text' : 'decimal';
    }
    input.id = id;
    input.name = f.name;
    const err = Object.assign(document.createElement('span'), { className: 'err', id: `${id}-err` });
    const help = Object.assign(document.createElement('span'), { className: 'help', id: `${id}-help` });
    const range = f.kind === 'integer' || f.kind === 'number' ? ` ${f.min_open ? '(' : '['}${f.min}, ${f.max}]` : '';
    const words = f.help && f.help.toLowerCase() !== String(f.label).toLowerCase() ? f.help : '';
    help.textContent = `${words}${range}`.trim();
    input.setAttribute('aria-describedby', `${help.id} ${err.id}`);
    const commit = () => onChange(f.name, f.kind === 'flag' ? String(/** @type {HTMLInputElement} */ (input).checked) : input.value.trim());
    input.addEventListener('change', commit);
    const box = document.createElement('div');
    box.className = 'inputs';
    box.append(input);
    const s = SLIDERS[f.name];
    if (s) {
      const slider = Object.assign(document.createElement('input'), { type: 'range', min: '0', max: String(STEPS), step: '1', className: 'slider' });
      slider.setAttribute('aria-label', `${f.label ?? f.name}${s.log ? ' (log scale)' : ''}`);
      slider.addEventListener('input', () => {
        input.value = String(fromPos(s, Number(slider.value), f.kind === 'integer'));
        slider.setAttribute('aria-valuetext', input.value);
      });
      slider.addEventListener('change', commit);
      box.prepend(slider);
      this.sliders.set(f.name, slider);
    }
    row.append(label, box, help, err);
    this.inputs.set(f.name, input);
    this.errors.set(f.name, err);
    return row;
  }

  // Fields whose values come from elsewhere (a data file): shown but not editable, why says so
  // (in the field's title and under it); shown: {field name: the text shown in place of the form's
  // value} for the fields the file makes moot (the first-token law: the file's own first tokens),
  // the others show the configuration's value, which is the file's (its d, T, m). [] makes every
  // field editable again, with its own value.
  lock(names, why, shown = {}) {
    this.locked = new Map(names.map((n) => [n, shown[n] ?? null]));
    for (const [name, input] of this.inputs) {
      const on = names.includes(name);
      input.disabled = on;
      input.title = on ? why : '';
      const slider = this.sliders.get(name);
      if (slider) slider.disabled = on;
      const help = /** @type {HTMLElement} */ (input.closest('.field')?.querySelector('.help'));
      if (help) {
        help.dataset.own ??= help.textContent;
        help.textContent = on ? why : help.dataset.own;
      }
    }
    this.#showLocked();
  }

  // The text a locked field shows in place of its value ("from the file"): a select gets an option
  // of that text (removed once the field is free again).
  #showLocked() {
    for (const [name, input] of this.inputs) {
      const text = this.locked?.get(name) ?? null;
      const extra = input.querySelector?.('option.locked');
      input.classList.toggle('from-file', text !== null);
      if (text === null) {
        extra?.remove();
        continue;
      }
      if (input instanceof HTMLSelectElement) {
        const o = extra ?? Object.assign(new Option(text, ''), { className: 'locked' });
        o.textContent = text;
        if (!extra) input.append(o);
        input.value = '';
      } else /** @type {HTMLInputElement} */ (input).value = text;
    }
  }

  // Narrow layouts: the settings open or closed (wide ones always show them, demo.css).
  open(on) {
    this.panel.classList.toggle('open', on);
    this.toggle.setAttribute('aria-expanded', String(on));
    this.toggle.textContent = on ? 'Hide' : 'Show';
  }

  // cfg keyed by field key (as mf.defaults()).
  show(cfg) {
    for (const f of this.fields) {
      const input = this.inputs.get(f.name);
      if (f.kind === 'flag') input.checked = !!cfg[f.key];
      else input.value = formatValue(f, cfg[f.key]);
      const slider = this.sliders.get(f.name);
      if (slider) {
        slider.value = String(toPos(SLIDERS[f.name], Number(cfg[f.key])));
        slider.setAttribute('aria-valuetext', input.value);
      }
    }
    for (const [key, select] of Object.entries(this.mirrors)) select.value = String(cfg[key]);
    this.#showLocked();
  }

  // Problems (the core's {field, fields, message}): those of the texts typed or linked (one per
  // field, until that text is parsed again) and the one of the configuration (until the next).
  setTextProblem(name, problem) {
    if (problem) this.textProblems.set(name, problem);
    else this.textProblems.delete(name);
    this.#render();
  }

  // Replaces the problems of every text (an attribute or link read again).
  setTextProblems(problems) {
    this.textProblems = new Map(problems.map((p) => [p.field, p]));
    this.#render();
  }

  setConfigProblem(problem) {
    this.configProblem = problem;
    this.#render();
  }

  #label(name) {
    const f = this.fields.find((x) => x.name === name);
    return f ? `${f.label} (${name})` : name;
  }

  // A problem of several fields is said once: the memory budget (the core's refusal of the sizes,
  // model/memory.js) or one whose field is not in the form (a W file) at the top of the form; any
  // other (a bad combination, e.g. attention softmax with layers 2; the time budget) under the
  // field to fix, the core's first, and each other field it involves points there.
  #wide(p) {
    const many = (p.fields ?? []).length > 1;
    return many && (!this.inputs.has(p.field) || (p.field === MEMORY.field && MEMORY.fields.every((f) => p.fields.includes(f))));
  }

  #render() {
    const problems = [this.configProblem, ...this.textProblems.values()].filter(Boolean);
    const under = new Map();
    const wide = problems.filter((p) => this.#wide(p));
    for (const p of problems) {
      const here = this.#wide(p) ? 'part of the problem above the form' : `part of the problem under ${this.#label(p.field)}`;
      for (const name of p.fields ?? []) if (name !== p.field || this.#wide(p)) under.set(name, here);
      if (!this.#wide(p)) under.set(p.field, p.message);
    }
    for (const [name, input] of this.inputs) {
      const message = under.get(name) ?? '';
      this.errors.get(name).textContent = message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    this.top.replaceChildren(...wide.map((p) => Object.assign(document.createElement('p'), { textContent: `${p.message} (fields: ${p.fields.map((n) => this.#label(n)).join(', ')})` })));
    this.top.hidden = wide.length === 0;
    const names = [...new Set(problems.flatMap((p) => (p.fields?.length ? p.fields : [p.field])))].filter((n) => this.inputs.has(n));
    if (names.length) this.open(true);
    if (this.play) this.play.disabled = names.length > 0;
    if (this.why) {
      this.why.hidden = names.length === 0;
      this.why.textContent = names.length ? `Play is off until ${names.map((n) => this.#label(n)).join(', ')} ${names.length > 1 ? 'are' : 'is'} fixed (see the settings).` : '';
    }
  }
}

// The preset menu: settings that train in seconds, then the paper's (labels "paper: ..."),
// plus "custom" once a field differs from the preset.
export function fillPresets(select) {
  const names = Object.keys(PRESETS);
  const paper = (n) => PRESETS[n].label.startsWith('paper: ');
  const group = (label, list) => {
    const g = Object.assign(document.createElement('optgroup'), { label });
    for (const n of list) g.append(Object.assign(new Option(PRESETS[n].label.replace(/^paper: /, ''), n), { title: PRESETS[n].title ?? '' }));
    return g;
  };
  const custom = new Option('custom', 'custom');
  custom.disabled = true;
  select.replaceChildren(group('In seconds', names.filter((n) => !paper(n))), group('The paper’s settings (minutes)', names.filter(paper)), custom);
}

// Shows preset, or "custom (from PRESET)" when cfg differs from it (in anything but precision,
// which is the arithmetic a preset is trained in: the toolbar's menu shows it).
export function showPreset(select, preset, cfg) {
  const base = resolveConfig(preset, {});
  const custom = Object.keys(base).some((k) => k !== 'precision' && base[k] !== cfg[k]);
  const opt = select.querySelector('option[value="custom"]');
  opt.textContent = custom ? `custom (from ${preset})` : 'custom';
  select.value = custom ? 'custom' : preset;
}

// What a link of a view trained on a file gives (name: the file's): a link cannot carry a file,
// and it holds the settings' own d, T, m (element/settings.js, params), not the file's.
export const linkWithoutFile = (name) =>
  `This link holds the settings but not ${name} (a link cannot carry a file): it opens on data generated from the settings, with their own d, T and m, not the file’s.`;

// The same for process fixed's W file (name): the link opens on the W drawn from the seed.
export const linkWithoutW = (name) =>
  `This link holds the settings but not ${name} (a link cannot carry a file): with process fixed it opens on the W drawn from the seed, not the file’s.`;

// The note of a link of the element's data (el.data), or ''.
export const linkNote = (data) => (data?.source === 'file' ? linkWithoutFile(data.name) : data?.w?.used ? linkWithoutW(data.w.name) : '');

// Copies the page's link (its hash holds the configuration) and says so in out; file: the name of
// the data file the runs train on (the link does not hold it), or null.
export async function copyLink(out, file = null) {
  try {
    await navigator.clipboard.writeText(location.href);
    out.textContent = file ? `link copied, without ${file} (a link cannot carry a file)` : 'link copied';
  } catch {
    out.textContent = 'copy failed: copy the address bar';
  }
}
