// Main thread. The notes under the first two charts, from the run's numbers.
// The notes under the first two charts: sentences about the run they sit next to, each true of
// it (its theory object, its history, its ODE), with the numbers. Plain text (textContent).
import { num } from './status.js';

const pct = (x) => (Math.abs(x) < 1e-4 ? 'less than 0.01%' : `${Number((100 * x).toPrecision(2))}%`);
// The core's words with their ASCII notation typeset.
const SUB = '₀₁₂₃₄₅₆₇₈₉';
const words = (s) => String(s).replace(/->/g, '→').replace(/\binfinity\b|\binf\b/g, '∞').replace(/\^2/g, '²').replace(/x_1/g, 'x₁')
  .replace(/\bM(\d+)/g, (m, k) => `M${[...k].map((c) => SUB[c]).join('')}`);
const STABLE = 0.2; // lr x curvature above this: gradient descent does not follow the flow closely

// The ODE's value (ab_empirical) at epoch e, if drawn.
const odeAt = (o, e) => (o.epoch.length ? o.ab_empirical[Math.round(e / (o.stride || 1))] ?? null : null);

// Where the step is too large for gradient descent to follow the gradient flow (ode.stability:
// lr times the largest curvature of the diagonal family's loss along the ODE).
export function stabilityNote(cfg, runs) {
  let worst = 0;
  let who = null;
  for (const r of runs) {
    for (const v of r.ode.stability ?? []) {
      if (v > worst) {
        worst = v;
        who = r;
      }
    }
  }
  if (!(worst > STABLE)) return null;
  const run = runs.length > 1 ? ` (run (a0, b0) = ${who.label})` : '';
  return `This step (lr = ${cfg.lr}) is too large for gradient descent to follow the gradient flow: lr × curvature reaches ${num(worst, 3)}${run}; the curves differ.`;
}

// What the weights' structure measures (history columns at row i).
const structure = (h, i) =>
  `measured: off-diagonal mass of the red blocks ${pct(Math.max(h.offdiag_kq[i], h.offdiag_pv[i]))}, mass outside them ${pct(h.outside[i])}`;

// Where ab is against the optimum of this training set, and why it is off when it is.
function convergence(cfg, r, many) {
  const h = r.hist;
  const i = h.epoch.length - 1;
  if (i < 0) return null;
  const th = r.theory;
  const who = many ? `(a0, b0) = ${r.label}: ` : '';
  const ab = h.ab[i];
  if (cfg.init === 'gaussian') {
    const base = `${who}from a gaussian initialisation each diagonal pair settles at its own phase, which the authors’ ab (Re × Re) does not see: ab = ${num(ab)}, the phase-invariant mean of Re(W_KQ[d+j, j] W_PV[j, j]) = ${num(h.ab_complex[i])} ± ${num(h.ab_spread[i])} over j`;
    return `${base}${th.applies ? `; this training set’s optimum is ${num(th.c_star_empirical ?? th.c_star_T)}` : ''}.`;
  }
  const opt = th.c_star_empirical;
  if (!th.applies || opt == null || !Number.isFinite(ab)) return null;
  const gap = (ab - opt) / opt;
  const off = `${who}ab = ${num(ab)}, ${pct(Math.abs(gap))} ${gap > 0 ? 'above' : 'below'} this training set’s optimum ${num(opt)}`;
  if (Math.abs(gap) <= 0.01) return `${who}ab = ${num(ab)}, within ${pct(Math.abs(gap)).replace('less than ', '')} of this training set’s optimum ${num(opt)} (c*(T) = ${num(th.c_star_T)} for the population).`;
  const flow = odeAt(r.ode, h.epoch[i]);
  if (flow != null && Math.abs(flow - opt) > 0.01 * Math.abs(opt)) return `${who}ab = ${num(ab)} on its way: the gradient-flow ODE is at ${num(flow)} at epoch ${h.epoch[i]}; this training set’s optimum is ${num(opt)}.`;
  if (!r.done) return `${off} (still training).`;
  const k = Math.max(0, Math.floor(i * 0.95));
  const moved = Math.abs(ab - h.ab[k]) / Math.abs(ab);
  if (k < i && moved > 1e-3) return `${off}: still moving when training ended (${pct(moved)} over the last ${h.epoch[i] - h.epoch[k]} epochs).`;
  return `${off}: at m = ${cfg.m} the full model has more freedom than the diagonal family (${structure(h, i)}).`;
}

// The paper's two conditions on x_1, as this project reads them (core/THEORY.md §5, §6).
export function assumptionsNote(cfg, th) {
  const a1 = th.assumption_4_1;
  const a2 = th.assumption_4_2;
  const measured = a1.source && a1.source !== 'closed form' ? `, ${a1.source}` : '';
  const one = a1.holds ? 'holds' : `fails (the mixed moments are ${pct(a1.mixed_moment_ratio)} of their largest possible size${measured})${cfg.clip ? '; clip keeps the red blocks diagonal, so the theory applies again' : ''}`;
  const two = `${a2.holds ? 'holds' : 'fails'} (M₄²/(M₂M₆) = ${num(a2.moment_ratio)})`;
  return `Assumption 4.1 (our reading: the mixed moments of x₁ vanish, so training keeps the diagonal structure) ${one}. Assumption 4.2 (M₄² = M₂M₆: every non-zero coordinate of x₁ has one modulus, so the learned optimizer can recover the sequence) ${two}.`;
}

export function notesAb(cfg, runs) {
  const th = runs[0].theory;
  const out = [];
  if (!th.applies) out.push(`No theory line: ${words(th.reason)}.`);
  const st = stabilityNote(cfg, runs);
  if (st) out.push(st);
  for (const r of runs) {
    const c = convergence(cfg, r, runs.length > 1);
    if (c) out.push(c);
  }
  out.push(assumptionsNote(cfg, th));
  return out;
}

// sparse: the chart shows the last position's error (views/views.js), not the ratio.
export function notesRatio(cfg, runs, sparse = cfg.x1 === 'sparse') {
  const th = runs[0].theory;
  const out = [];
  if (sparse) out.push('Test loss: the loss over every position t = 2..T−1, the curve the authors label “MSE loss at T_te”; last-position MSE: the squared error at t = T−1 only.');
  if (!th.applies && (cfg.model ?? 'attention') !== 'attention')
    return [...out, 'No prediction: the paper’s theory is about the attention model; for this baseline the derived optimum A = 0 gives the ratio 0 and the last-position error M2/d (core/THEORY.md §9).'];
  if (!th.applies) return [...out, 'No prediction: the diagonal theory does not apply to this run (see the first chart).'];
  const h = runs[0].hist;
  const i = h.epoch.length - 1;
  const predicted = sparse
    ? `predicted last-position MSE at c*(T): ${num(th.last_mse_pred)}${i >= 0 ? `; measured ${num(h.last_mse[i])}` : ''}`
    : `predicted ratio at c*(T): ${num(th.ratio_pred)}${i >= 0 ? `; measured ${num(h.ratio[i])}` : ''}`;
  out.push(`Verdict of the theory: ${words(th.verdict)}; ${predicted}.`);
  return out;
}

// Fills the list ul with the notes, one item each.
export function showNotes(ul, notes) {
  ul.replaceChildren(...notes.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
}
