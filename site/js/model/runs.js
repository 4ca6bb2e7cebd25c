// Any thread, no DOM. The page's record of each run: history rows, theory, ODE, last checkpoint.
// The page's record of each run: its initialisation, theory, ODE curve, the history rows the
// worker sent, and its last checkpoint (what a new worker needs to go on from there).
import { RUN_COLOURS, DEPTH_COLOURS } from './colours.js';
import { HISTORY_COLUMNS } from './core-tables.js';

// The columns of s.history(), in the order of the CLI's output (History::columns, generated): the
// evaluation, then the weights' structure (model.hpp's Structure).
export const COLUMNS = HISTORY_COLUMNS;

const columns = (f) => Object.fromEntries(COLUMNS.map((k) => [k, f(k)]));
export const emptyHistory = () => columns(() => []);
export const copyHistory = (h, n = h.epoch.length) => columns((k) => h[k].slice(0, n));

// A run of `created`: i is its place (colour, index in events); cfg its configuration; depth: one
// of compare mode's depths (its label is its layers, its colour that depth's), else an initialisation.
// who: the run named in a sentence ("(a0, b0) = (0.1, 0.1)", "layers 2").
function newRun(i, id, cfg, { theory, ode, vanilla_gd: vanilla }, depth = false) {
  const { a0, b0, layers = 1 } = cfg;
  const label = depth ? `layers ${layers}` : `(${a0}, ${b0})`;
  return { index: i, id, a0, b0, layers, depth, cfg, label, who: depth ? label : `(a0, b0) = ${label}`, colour: depth ? DEPTH_COLOURS[layers - 1] : RUN_COLOURS[i],
    theory, ode, vanilla, hist: emptyHistory(), epoch: 0, done: false, diverged: false, state: null, weights: null, changes: [], abLayers: [] };
}

// The row of hist at i as the data keys of the JSON.
const rowAt = (h, i) => columns((k) => h[k][i]);

// The create spec that goes on from the run's last checkpoint (rows after it, from a chunk whose
// checkpoint never arrived, are computed again); without one, the run starts again.
function resumeSpec(run) {
  const own = { a0: run.a0, b0: run.b0, ...(run.depth ? { layers: run.layers } : {}) };
  if (!run.state) return own;
  const keep = run.hist.epoch.filter((e) => e <= run.state.epoch).length;
  // The changes made up to the checkpoint (the resumed run's ODE is built with their step sizes).
  const changes = run.changes.filter((c) => c.epoch <= run.state.epoch);
  // Each layer's ab per row (s.history().ab_layers), when the page has it for every kept row: the
  // resumed run keeps it (else the resumed session says null for it, as the core does).
  const abLayers = run.abLayers.slice(0, keep);
  const ab = abLayers.length === keep && abLayers.every(Array.isArray) ? { ab_layers: abLayers.map((r) => r.slice()) } : {};
  return { ...own, resume: { ...run.state, history: { ...copyHistory(run.hist, keep), ...ab, changes } } };
}

// A copy of an object whose values are numbers, booleans or arrays of numbers.
export const copyOf = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]));

// The current runs (list; list[0] is the one the summary, the heatmaps and history follow).
export class Runs {
  constructor() {
    this.list = [];
    this.announced = []; // per run index: the last epoch of its mesaflow-step (also across a resume)
  }

  get first() {
    return this.list[0] ?? null;
  }

  get allDone() {
    return this.list.every((r) => r.done);
  }

  get resumable() {
    return this.list.some((r) => r.state);
  }

  byId(id) {
    return this.list.find((r) => r.id === id) ?? null;
  }

  // No runs (new ones are on their way); fresh: of a new configuration, so announced anew.
  clear(fresh = false) {
    this.list = [];
    if (fresh) this.announced = [];
  }

  // The runs of `created` (specs: the create's, with each run's cfg).
  created(msg, specs) {
    this.list = msg.runs.map((r, i) => newRun(i, r.id, specs[i].cfg, r, specs[i].depth));
  }

  // Appends the rows of a `rows` message to its run; returns the mesaflow-step details of the
  // epochs not announced before (a resumed run sends the rows up to its checkpoint again).
  append(msg) {
    const run = this.byId(msg.id);
    if (!run) return [];
    run.epoch = msg.epoch;
    run.done = msg.done;
    if (msg.state) run.state = msg.state;
    const details = [];
    for (let i = 0; i < msg.rows.epoch.length; i++) {
      for (const k of COLUMNS) run.hist[k].push(msg.rows[k][i]);
      run.abLayers.push(msg.rows.ab_layers?.[i] ?? null);
      const epoch = msg.rows.epoch[i];
      if (epoch <= (this.announced[run.index] ?? -1)) continue;
      this.announced[run.index] = epoch;
      details.push({ run: run.index, a0: run.a0, b0: run.b0, layers: run.layers, ...rowAt(msg.rows, i) });
    }
    return details;
  }

  // A `weights` message: the run's current weights (null: not one of these runs).
  weights(msg) {
    const run = this.byId(msg.id);
    if (run) run.weights = msg.weights;
    return run;
  }

  // A `diverged` message: the run is marked (null: not one of these runs).
  diverged(msg) {
    const run = this.byId(msg.id);
    if (run) run.diverged = true;
    return run;
  }

  // A `changed` message: the run's new ODE, theory and changes.
  changed(msg) {
    const run = this.byId(msg.id);
    if (!run) return null;
    Object.assign(run, { ode: msg.ode, theory: msg.theory, changes: msg.changes, epoch: msg.epoch, done: msg.done });
    return run;
  }

  // Create specs that go on from every run's last checkpoint.
  resumeSpecs() {
    return this.list.map(resumeSpec);
  }

  // What the element shows of every run: copies, so callers cannot change the records.
  copies() {
    return this.list.map((r) => ({ a0: r.a0, b0: r.b0, layers: r.layers, label: r.label, history: { ...copyHistory(r.hist), changes: r.changes.map((c) => ({ ...c })) },
      theory: copyOf(r.theory), ode: copyOf(r.ode) }));
  }

  // For the exports (views/export.js): [{a0, b0, theory, history}].
  exported() {
    return this.list.map((r) => ({ a0: r.a0, b0: r.b0, layers: r.layers, theory: r.theory, history: r.hist, changes: r.changes }));
  }
}
