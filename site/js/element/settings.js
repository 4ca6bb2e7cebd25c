// Main thread, no DOM. What the demo is set to (preset, explicit fields, compare, workers).
// What the demo is set to: the preset, the field values given explicitly (attributes, links, the
// settings form), compare and workers. Texts are parsed by the core in the training worker (the
// same set_field as the CLI's options and the JS API's config objects), so every message reads
// the same everywhere; problems are shown in the settings form (element/settings-form.js).
import { PRESETS, DEFAULT_PRESET, PAPER_INITS } from '../model/presets.js';
import { readPairs, resolveConfig, configToParams } from '../model/config-text.js';

export class Settings {
  // client: {parse(pairs, extras)}, the element's trainer client (element/trainer-client.js);
  // form: the SettingsForm.
  constructor(client, form) {
    this.client = client;
    this.form = form;
    this.preset = DEFAULT_PRESET;
    this.compare = false;
    this.workers = null; // as set; null: automatic
    this.explicit = {}; // field name -> value
    this.attrSeq = 0;
    this.formSeq = {};
    this.data = null; // {m, d, T, test_m} of a data file the runs train on: they override the fields
  }

  // The configuration: mf.defaults() <- the preset <- the explicit values (<- a data file's shape).
  config() {
    return { ...resolveConfig(this.preset, this.explicit), ...this.data };
  }

  // Attribute (or URL) pairs [[key, text]], all of them: {cfg, messages (of the bad texts)}, or
  // null if newer pairs came meanwhile or the worker went away.
  async read(pairs) {
    const { texts, extras } = readPairs(pairs);
    const mine = ++this.attrSeq;
    const parsed = await this.client.parse(texts, extras);
    if (!parsed || mine !== this.attrSeq) return null;
    this.form.setTextProblems(parsed.problems);
    ({ preset: this.preset, compare: this.compare, workers: this.workers } = parsed.extras);
    this.explicit = parsed.explicit;
    return { cfg: this.config(), messages: parsed.problems.map((p) => p.message) };
  }

  // A settings-form edit (text as typed): the new configuration, or null (a problem, shown under
  // the field, or a newer edit of the field came meanwhile).
  async edit(name, text) {
    const mine = (this.formSeq[name] = (this.formSeq[name] ?? 0) + 1);
    const parsed = await this.client.parse([[name, text]]);
    if (!parsed || mine !== this.formSeq[name]) return null;
    const problem = parsed.problems[0] ?? null;
    this.form.setTextProblem(name, problem);
    if (problem) return null;
    this.explicit[name] = parsed.explicit[name];
    return this.config();
  }

  // Compare mode (the paper's other initialisations beside the run) on or off.
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

  // (a0, b0) of every run of cfg: its own, and in compare mode (diagonal init) the paper's other
  // initialisations, three at most.
  inits(cfg) {
    const inits = [[cfg.a0, cfg.b0]];
    if (this.compare && cfg.init === 'diagonal') {
      for (const p of PAPER_INITS) if (inits.length < 3 && !inits.some((q) => q[0] === p[0] && q[1] === p[1])) inits.push(p);
    }
    return inits.map(([a0, b0]) => ({ a0, b0 }));
  }

  // cfg as URL parameters (keys = attribute names); hidden: the parts hidden ('controls', 'text').
  // A data file cannot go in a link: its shape is left out (the link has the generated data's).
  params(cfg, hidden) {
    const extras = this.compare ? { compare: 'true' } : {};
    for (const k of hidden) extras[k] = 'hide';
    if (this.workers !== null) extras.workers = String(this.workers);
    const own = resolveConfig(this.preset, this.explicit);
    const shown = this.data ? { ...cfg, ...Object.fromEntries(Object.keys(this.data).map((k) => [k, own[k]])) } : cfg;
    return configToParams(this.preset, shown, extras);
  }
}
