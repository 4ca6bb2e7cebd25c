// Main thread, no DOM. What the demo is set to (preset, explicit fields, compare, workers).
// What the demo is set to: the preset, the field values given explicitly (attributes, links, the
// settings form), compare and workers. Texts are checked here, on the page, by the core's rules
// generated into JS (model/field-parse.js: the same kinds, ranges and words as the CLI's options
// and the JS API's config objects), so every message reads the same everywhere and no worker
// round trip is needed; problems are shown in the settings form (element/settings-form.js).
import { PRESETS, DEFAULT_PRESET, PAPER_INITS } from '../model/presets.js';
import { readPairs, resolveConfig, configToParams, readExtras } from '../model/config-text.js';
import { parseField, invalid } from '../model/field-parse.js';

// Field texts [[name, text]] and the page's own keys ({preset, compare, workers} as texts):
// {explicit: {field name: value} of the valid texts, extras: {preset, compare, workers} as
// values (a bad or absent one: its default), problems: one per bad text}.
/** @param {string[][]} pairs @param {{preset?: string, compare?: string, workers?: string}} [extras] */
export function parseTexts(pairs, extras = {}) {
  const explicit = {};
  const problems = [];
  for (const [name, text] of pairs) {
    const r = parseField(name, text);
    if ('message' in r) problems.push(r);
    else explicit[r.field] = r.value;
  }
  const { values, bad } = readExtras({ preset: extras.preset, compare: extras.compare, workers: extras.workers });
  for (const [key, text, expected] of bad) problems.push(invalid(key, text, expected));
  return { explicit, extras: values, problems };
}

export class Settings {
  // form: the SettingsForm.
  constructor(form) {
    this.form = form;
    this.preset = DEFAULT_PRESET;
    /** @type {boolean | 'depths'} */
    this.compare = false; // true: the paper's three initialisations; 'depths': layers 1, 2, 3
    this.workers = null; // as set; null: automatic
    this.explicit = {}; // field name -> value
    this.data = null; // {m, d, T, test_m} of a data file the runs train on: they override the fields
  }

  // The configuration: mf.defaults() <- the preset <- the explicit values (<- a data file's shape).
  config() {
    return { ...resolveConfig(this.preset, this.explicit), ...this.data };
  }

  // Attribute (or URL) pairs [[key, text]], all of them: {cfg, messages (of the bad texts)}.
  read(pairs) {
    const { texts, extras } = readPairs(pairs);
    const parsed = parseTexts(texts, extras);
    this.form.setTextProblems(parsed.problems);
    ({ preset: this.preset, compare: this.compare, workers: this.workers } = parsed.extras);
    this.explicit = parsed.explicit;
    return { cfg: this.config(), messages: parsed.problems.map((p) => p.message) };
  }

  // A settings-form edit (text as typed): the new configuration, or null (a problem, shown under
  // the field).
  edit(name, text) {
    const parsed = parseTexts([[name, text]]);
    const problem = parsed.problems[0] ?? null;
    this.form.setTextProblem(name, problem);
    if (problem) return null;
    this.explicit[name] = parsed.explicit[name];
    return this.config();
  }

  // Compare mode: true (the paper's other initialisations beside the run), 'depths' (the other
  // depths of layers 1, 2, 3 beside the run's, on the same data) or false.
  setCompare(on) {
    this.compare = on;
  }

  // The shape of a data file the runs train on ({m, d, T, test_m}), or null: generated data.
  useData(shape) {
    this.data = shape;
  }

  // The explicit values as they are (restore puts them back: an edit the reader took back).
  snapshot() {
    return { ...this.explicit };
  }

  restore(explicit) {
    this.explicit = { ...explicit };
  }

  // Another preset from the menu: its values, none explicit but the precision the reader picked
  // (a preset sets what is trained, not the arithmetic it is trained in).
  choose(preset) {
    this.preset = Object.hasOwn(PRESETS, preset) ? preset : DEFAULT_PRESET;
    this.explicit = 'precision' in this.explicit ? { precision: this.explicit.precision } : {};
    this.form.setTextProblems([]);
    return this.config();
  }

  // The runs of cfg, each as {a0, b0} (and {layers, depth: true} across depths): its own, and in
  // compare mode (diagonal init) the paper's other initialisations, three at most; across depths
  // (linear attention) the other depths of 1, 2, 3 with the run's (a0, b0), on the same data.
  inits(cfg) {
    if (this.compare === 'depths') {
      const deep = cfg.model === 'attention' && cfg.attention !== 'softmax';
      const depths = deep ? [cfg.layers, ...[1, 2, 3].filter((L) => L !== cfg.layers)].slice(0, 3) : [cfg.layers];
      return depths.map((layers) => ({ a0: cfg.a0, b0: cfg.b0, layers, depth: true }));
    }
    const inits = [[cfg.a0, cfg.b0]];
    if (this.compare && cfg.init === 'diagonal') {
      for (const p of PAPER_INITS) if (inits.length < 3 && !inits.some((q) => q[0] === p[0] && q[1] === p[1])) inits.push(p);
    }
    return inits.map(([a0, b0]) => ({ a0, b0 }));
  }

  // cfg as URL parameters (keys = attribute names); hidden: the parts hidden ('controls', 'text').
  // A data file cannot go in a link: its shape is left out (the link has the generated data's).
  params(cfg, hidden) {
    const extras = this.compare ? { compare: String(this.compare) } : {};
    for (const k of hidden) extras[k] = 'hide';
    if (this.workers !== null) extras.workers = String(this.workers);
    const own = resolveConfig(this.preset, this.explicit);
    const shown = this.data ? { ...cfg, ...Object.fromEntries(Object.keys(this.data).map((k) => [k, own[k]])) } : cfg;
    return configToParams(this.preset, shown, extras);
  }
}
