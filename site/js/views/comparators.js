// Main thread. The mesa card: its lines, its data and its notes (loaded with the first mesa view).
// The error versus context position of the trained model against what it could be computing
// (issue 23; core/THEORY.md §13, §14), from the core's mesa view (s.mesa()): K steps of gradient
// descent on the in-context least squares from W = 0 for K = 1..4, each K with the step size that
// is best at the last position on the view's sequences (gd_steps), the causal variant where each
// context token sees only its own prefix (gd_steps_causal: what a causal stack can compute), least
// squares and ridge on the context, the true W, for softmax attention the kernel smoother with the
// model's own scores at its best temperature (smoother, when the core has it), and for the
// one-layer linear model its one GD step with the trained ab (gd1). "Worth N GD steps" is the
// core's gd_worth (or its reason). With runs of several depths (compare across depths) each run's
// model curve is drawn in its colour; the comparators do not depend on the model (the same test
// sequences), so they are the first run's.
import { LineChart, OKABE_ITO, DASH, DOTS } from './charts.js';
import { fillHints } from './hints.js';
import { num, pct, words, mesaClaim, baselinesClaim, trueWClaim, modelName, measuredModel } from '../model/claims.js';
import { worthClaim } from '../model/claims-models.js';

// K = 1..4: light to dark grey (the page's colour for what the theory or a method gives).
const STEPS = ['#b0b0b0', '#8a8a8a', '#5e5e5e', '#2e2e2e'];
const lastOf = (a) => (a?.length ? a[a.length - 1] : null);

// The lines [{label, colour, dash, width, atFloor, values}] (values: the per-position errors) of
// runs (their mesa views: mesas[i] is run i's, mesas[0] the comparators'). noisy: generated data
// with noise (the noise floor is drawn). compact (the element's compact mode, a card in a course
// page's column): K-step GD for K up to the deepest run's layers, without the causal
// variant; the laboratory draws them all.
export function comparatorLines(cfg, runs, mesas, noisy = false, compact = false) {
  const m = mesas[0];
  const lines = runs.map((r, i) => ({ label: runs.length > 1 ? `${r.label}: trained model` : 'trained model', colour: r.colour, width: i ? 2.5 : 3, values: mesas[i]?.model ?? null }));
  if (runs.length === 1 && m.gd1) lines.push({ label: 'one GD step with the trained ab', colour: OKABE_ITO.orange, dash: DASH, values: m.gd1 });
  const deepest = Math.max(...runs.map((r) => (r.cfg ?? cfg).layers ?? 1));
  const steps = (m.gd_steps ?? []).filter((g) => !compact || g.k <= deepest);
  steps.forEach((g, k) => lines.push({ label: `${g.k}-step GD (η = ${num(g.eta, 3)})`, colour: STEPS[k], width: 1.5, atFloor: true, values: g.error }));
  (compact ? [] : m.gd_steps_causal ?? []).forEach((g, k) => lines.push({ label: `${g.k}-step causal GD (η = ${num(g.eta, 3)})`, colour: STEPS[k], dash: DOTS, width: 2, atFloor: true, values: g.error }));
  if (m.smoother) lines.push({ label: `kernel smoother, the model’s scores (τ = ${num(m.smoother.temperature, 3)})`, colour: OKABE_ITO.yellow, width: 2.5, values: m.smoother.error });
  lines.push(
    { label: 'least squares on the context', colour: OKABE_ITO.green, atFloor: true, values: m.ls },
    { label: `ridge on the context (λ = ${cfg.ridge})`, colour: OKABE_ITO.sky, dash: DASH, atFloor: true, values: m.ridge },
    { label: noisy ? 'true W (its error: the noise)' : 'true W (0 up to rounding)', colour: OKABE_ITO.purple, dash: DOTS, atFloor: true, values: m.true_w },
  );
  if (noisy && m.noise_floor) lines.push({ label: 'noise floor σ²d', colour: OKABE_ITO.grey, dash: DASH, values: m.noise_floor });
  return lines;
}

// The last position's errors of a list of {k, error}, "1: 0.31, 2: 0.2, ...".
const atLast = (steps) => steps.map((g) => `${g.k}: ${num(lastOf(g.error), 3)}`).join(', ');

// What run r's mesa view m is worth in GD steps, as a clause: "worth 1.6 GD steps", "worth no whole
// number of GD steps: REASON" (the core's gd_worth, gd_worth_reason); many: named ("layers 2: ...").
function worthOf(r, m, many) {
  if (!m || !('gd_worth' in m)) return null;
  const who = many ? `${r.label}: ` : 'the trained model is ';
  if (m.gd_worth == null) return m.gd_worth_reason ? `${who}worth no number of GD steps here: ${words(m.gd_worth_reason)}` : null;
  return `${who}${worthClaim(m).text.replace(/^at the last position the trained model is /, '').replace(/ \(K steps.*$/, '')}`;
}

// The notes under the mesa card: the one-layer model against its one GD step (model/claims.js
// mesaClaim), what the model is worth in GD steps, the comparators' last-position errors, the
// smoother, the baselines beyond the paper's process and the true W's line. compact: the first
// of them only (the one GD step's for the one-layer model, else the K-step GD one), with the
// K-step errors of the lines drawn.
export function comparatorNotes(cfg, runs, mesas, th, compact = false) {
  const m = mesas[0];
  const k = m.t.length - 1;
  const T = m.t[k];
  const out = [];
  const one = mesaClaim(m, runs[0].hist, th, cfg).text;
  if (runs.length === 1 && one) out.push(one);
  const model = runs.map((r, i) => `${runs.length > 1 ? `${r.label} ` : ''}${num(lastOf(mesas[i]?.model), 3)}`).join(', ');
  if (compact && out.length) return out;
  const deepest = Math.max(...runs.map((r) => (r.cfg ?? cfg).layers ?? 1));
  const steps = (m.gd_steps ?? []).filter((g) => !compact || g.k <= deepest);
  if (steps.length) {
    const worth = runs.map((r, i) => worthOf(r, mesas[i], runs.length > 1)).filter(Boolean);
    const name = runs.length > 1 ? 'the trained models' : runs[0].cfg && measuredModel(runs[0].cfg) ? `the trained model (${modelName(runs[0].cfg)})` : 'the trained model';
    out.push(`At t = ${T}, ${name}: ${model}; K-step gradient descent from W = 0 with its best step size (grey, solid), K = ${atLast(steps)}.${worth.length ? ` At the last position ${worth.join('; ')} (the smallest K whose K-step GD matches the model, interpolated between whole steps in log error).` : ''}`);
  }
  if (compact) return out.slice(0, 1);
  if (m.gd_steps_causal?.length) out.push(`Causal K-step GD (grey, dotted), where each context token’s update sees only its own prefix, as a causal stack of layers can compute it: at t = ${T}, K = ${atLast(m.gd_steps_causal)}.`);
  if (m.smoother && runs.length === 1) {
    const s = lastOf(m.smoother.error);
    const mm = lastOf(m.model);
    out.push(`Kernel smoother with the model’s own scores at its best temperature τ = ${num(m.smoother.temperature, 3)} (yellow): ${num(s, 3)} at t = ${T}, ${pct(Math.abs(s - mm) / mm)} ${s > mm ? 'above' : 'below'} the trained model’s ${num(mm, 3)}.`);
  }
  const b = baselinesClaim(m, cfg).text;
  if (b) out.push(b);
  if (!one || runs.length > 1) {
    let top = 0;
    for (const x of mesas) for (const v of x?.model ?? []) top = Math.max(top, v);
    let ls = 0;
    for (const v of m.ls) ls = Math.max(ls, v);
    out.push(trueWClaim(m, cfg, Math.max(...Array.from(m.true_w)), ls, top));
  }
  return out;
}

// Draws the mesa card of the Views v (axes: the card's chart axes): its chart made again when its
// lines change, the data and the notes. Views without comparators (none from the core today: every
// mesa view has gd_steps) draw the same lines without the grey ones.
export function draw(v, axes) {
  const m = v.mesas[0];
  if (!m || !v.runs) return;
  // The trained models' lines are drawn last, on top of the comparators; the legend lists them first.
  const listed = comparatorLines(v.cfg, v.runs, v.mesas, v.cfg.noise > 0 && !v.file, compactOf(v));
  const n = v.runs.length;
  const lines = [...listed.slice(n), ...listed.slice(0, n)];
  const key = lines.map((l) => l.label).join('\n');
  if (key !== v.mesaKey) {
    v.mesaKey = key;
    v.charts.mesa.destroy();
    const legend = listed.map((l, i) => ({ ...l, series: i < n ? lines.length - n + i : i - n }));
    v.charts.mesa = new LineChart(v.root.getElementById('plot-mesa'), { ...axes, series: lines, legend });
  }
  // The log axis spans the errors above rounding (12 decades under the largest; least squares, the
  // true W and an exact K-step GD are below and drawn along the floor) and a decade more, so that
  // the model and the comparators it is told apart from are not pressed together at the top.
  const ys = lines.flatMap((l) => Array.from(l.values ?? [])).filter((y) => y > 0);
  const top = Math.max(...ys);
  const low = Math.min(...ys.filter((y) => y > 1e-12 * top));
  v.charts.mesa.decades = ys.length ? Math.min(12, Math.max(2, Math.ceil(Math.log10(top / low)) + 1)) : 12;
  v.charts.mesa.setData(Array.from(m.t), lines.map((l) => Array.from(l.values ?? [])));
  v.showNotes('mesa', v.mesaNotes());
  fillHints(v.root, v.cfg, v.runs, v.sparse, m);
}

// The notes of the Views v's mesa card (comparatorNotes), or null before its first view.
export const notes = (v) => (v.mesas[0] ? comparatorNotes(v.cfg, v.runs, v.mesas, v.th, compactOf(v)) : null);

// Whether the Views v are an element's in compact mode.
const compactOf = (v) => !!v.root.host?.hasAttribute('compact');
