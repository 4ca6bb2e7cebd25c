// The settings form, built from mf.fields(): one labelled input per config field, each with
// an inline error message (aria-describedby) that names the field and its allowed range.
import { formatValue } from './state.js';

export class SettingsForm {
  // onChange(name, text) is called with the text of an edited field (the caller parses it and
  // shows any error with setError).
  constructor(form, fields, onChange) {
    this.form = form;
    this.fields = fields;
    this.inputs = new Map();
    this.errors = new Map();
    this.textProblems = new Map(); // field name -> problem of its text
    this.configProblem = null;
    form.replaceChildren();
    for (const f of fields) {
      const row = document.createElement('div');
      row.className = 'field';
      const id = `f-${f.name}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = f.name;
      label.title = f.help || '';
      let input;
      if (f.kind === 'choice') {
        input = document.createElement('select');
        for (const c of f.choices) input.append(new Option(c, c));
      } else if (f.kind === 'flag') {
        input = document.createElement('input');
        input.type = 'checkbox';
      } else {
        input = document.createElement('input');
        input.type = 'text';
        input.inputMode = f.kind === 'integer' ? 'numeric' : 'decimal';
        input.autocomplete = 'off';
        input.spellcheck = false;
      }
      input.id = id;
      input.name = f.name;
      const err = document.createElement('span');
      err.className = 'err';
      err.id = `${id}-err`;
      const help = document.createElement('span');
      help.className = 'help';
      help.id = `${id}-help`;
      help.textContent = f.kind === 'integer' || f.kind === 'number' ? `${f.help || ''} ${f.min_open ? '(' : '['}${f.min}, ${f.max}]` : f.help || '';
      input.setAttribute('aria-describedby', `${help.id} ${err.id}`);
      input.addEventListener('change', () => onChange(f.name, f.kind === 'flag' ? String(input.checked) : input.value.trim()));
      row.append(label, input, help, err);
      form.append(row);
      this.inputs.set(f.name, input);
      this.errors.set(f.name, err);
    }
    form.addEventListener('submit', (e) => e.preventDefault());
  }

  // cfg keyed by field key (as mf.defaults()).
  show(cfg) {
    for (const f of this.fields) {
      const input = this.inputs.get(f.name);
      if (f.kind === 'flag') input.checked = !!cfg[f.key];
      else input.value = formatValue(f, cfg[f.key]);
    }
  }

  // Problems (the core's {field, fields, message}) are shown under every field they involve: those
  // of the texts typed or linked (one per field, until that text is parsed again) and the one of
  // the configuration (a budget: under m, test-m, T and d), until the next configuration.
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

  #render() {
    const shown = new Map();
    for (const p of [this.configProblem, ...this.textProblems.values()]) for (const name of p?.fields ?? []) shown.set(name, p.message);
    for (const [name, input] of this.inputs) {
      const message = shown.get(name) ?? '';
      this.errors.get(name).textContent = message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }
}
