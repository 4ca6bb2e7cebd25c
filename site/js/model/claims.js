// Any thread, no DOM. The sentences the page says about a run, each derived from the run's numbers.
// Every hint, caption and verdict with a number is a claim: a function of the run it sits next to
// (its theory, history, ODE curve, mesa view) that returns {kind, text}. kind names which of the
// claim's conditions held (the node tests, tests/node/claims.test.mjs, build synthetic histories
// that make each condition hold or fail); text says what is true of the run, with its numbers. A
// claim never states a prediction as an outcome: where the numbers differ from the theory, it
// says by how much and why, when the run's own numbers show why, and else only that they differ.
// run: {label, theory, hist (model/runs.js's columns), ode ({epoch, ab_empirical, stability,
// stride}), done, diverged}; cfg: the configuration (init, lr, m, epochs, clip, x1).

// A number for reading: 4 significant digits, tiny ones in exponent form, '–' if not finite.
export const num = (v, p = 4) =>
  v == null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(p)).toString() : v.toExponential(2);
export const pct = (x) => (Math.abs(x) < 1e-4 ? 'less than 0.01%' : `${Number((100 * x).toPrecision(2))}%`);

// The tolerances of the conditions (relative, unless said otherwise).
export const TOL = {
  converged: 0.01, // ab within 1% of this training set's optimum: "reached it"
  follows: 0.02, // ab within 2% of the ODE at the same epoch: "follows the gradient flow"
  moving: 1e-3, // a change of more than 0.1% over the last 5% of the epochs: "still moving"
  levels: 0.03, // a measured ratio or error within 3% of the predicted one: "at the prediction"
  stable: 0.2, // lr x curvature above this: gradient descent does not follow the flow closely
  diagonal: 0.01, // off-diagonal and outside masses under 1%: "stays near 0"
  sameCurve: 0.05, // mesa: the model's error within 5% of one GD step's at every position
  close: 0.01, // mesa: their difference under 1% of the largest error
};

// The core's words with their ASCII notation typeset.
const SUB = '₀₁₂₃₄₅₆₇₈₉';
export const words = (s) => String(s).replace(/->/g, '→').replace(/sigma_eps/g, 'σ_ε').replace(/\blambda\b/g, 'λ').replace(/\beps_t\b/g, 'ε_t').replace(/\binfinity\b|\binf\b/g, '∞').replace(/\^2/g, '²').replace(/x_1/g, 'x₁')
  .replace(/\bM(\d+)/g, (m, k) => `M${[...k].map((c) => SUB[c]).join('')}`);

const rel = (a, b) => Math.abs(a - b) / Math.abs(b);
const lastRow = (h) => h.epoch.length - 1;

// The ODE's value (ab_empirical) at epoch e, or null where it is not drawn.
// The paper's theory is about the attention model; another model (the linear-map baseline,
// core/THEORY.md §9) gets no claim of it.
const attention = (cfg) => (cfg.model ?? 'attention') === 'attention';
// The attention models the paper's theory is not about (issue 23; core/THEORY.md §11, §12): L > 1
// layers of linear attention, softmax attention. Measured only: no theory line, no prediction.
export const measuredModel = (cfg) => attention(cfg) && ((cfg.layers ?? 1) > 1 || cfg.attention === 'softmax');
export const modelName = (cfg) => (cfg.attention === 'softmax' ? 'softmax attention' : `${cfg.layers} layers of linear attention`);
// Their claims (ab, the hints) are model/claims-models.js's, loaded with the first such run
// (views/views.js) and registered here; until then those claims have no text.
export const MODEL_CLAIMS = { ab: null, hints: null };
const BASELINE_HINTS = [
  'Press Play and watch the loss chart: this baseline predicts y = A x with one matrix A for every sequence, with no attention to the context.',
  'Then chart 2, the prediction at the last position: the paper’s theory is about the attention model, so there is no prediction to compare it with (core/THEORY.md §9).',
  'Third, chart 3, the weights: a map shared by all sequences cannot know each one’s own W, so its population optimum is A = 0 (core/THEORY.md §9).',
];

export function odeAt(ode, e) {
  if (!ode?.epoch?.length) return null;
  const v = ode.ab_empirical[Math.round(e / (ode.stride || 1))];
  return Number.isFinite(v) ? v : null;
}

// How much column key moved over the last 5% of the recorded epochs (relative to its last value).
export function movement(h, key) {
  const i = lastRow(h);
  const k = Math.max(0, Math.floor(i * 0.95));
  if (k >= i) return { moved: Infinity, over: 0 };
  const v = h[key][i];
  return { moved: Math.abs(v - h[key][k]) / Math.abs(v || 1), over: h.epoch[i] - h.epoch[k] };
}

const diverged = (r) => r.diverged || r.hist.ab.some((v) => !Number.isFinite(v));

// lr x curvature along the ODE: where it passes TOL.stable, gradient descent does not follow the flow.
export function stabilityClaim(cfg, runs) {
  let worst = 0;
  let who = null;
  for (const r of runs) {
    for (const v of r.ode?.stability ?? []) {
      if (v > worst) {
        worst = v;
        who = r;
      }
    }
  }
  if (!(worst > TOL.stable)) return { kind: 'stable', text: null, worst };
  const run = runs.length > 1 ? ` (run ${who.who ?? `(a0, b0) = ${who.label}`})` : '';
  return { kind: 'unstable', worst, text: `This step (lr = ${cfg.lr}) is too large for gradient descent to follow the gradient flow: lr × curvature reaches ${num(worst, 3)}${run}; the curves differ.` };
}

export const structure = (h, i) =>
  `measured: off-diagonal mass of the red blocks ${pct(Math.max(h.offdiag_kq[i], h.offdiag_pv[i]))}, mass outside them ${pct(h.outside[i])}`;
const offDiagonal = (h, i) => Math.max(h.offdiag_kq[i], h.offdiag_pv[i], h.outside[i]);

// Where ab stands against this training set's optimum, and why it is off when it is.
// Kinds: empty, diverged, gaussian-init, no-theory, converged, on-its-way, off-flow, training,
// still-moving, finite-m, unexplained.
export function abClaim(cfg, r, many = false) {
  const h = r.hist;
  const i = lastRow(h);
  const who = many ? `${r.who ?? `(a0, b0) = ${r.label}`}: ` : '';
  if (i < 0) return { kind: 'empty', text: null };
  const th = r.theory;
  const ab = h.ab[i];
  if (diverged(r)) return { kind: 'diverged', text: `${who}diverged (last evaluated at epoch ${h.epoch[i]}${Number.isFinite(ab) ? `: ab = ${num(ab)}` : ''}): the step size is too large for this setting; no claim about where ab goes.` };
  if (measuredModel(r.cfg ?? cfg)) return MODEL_CLAIMS.ab?.(r.cfg ?? cfg, r, who, ab) ?? { kind: 'model-loading', text: null };
  if (cfg.init === 'gaussian') {
    const base = `${who}from a gaussian initialisation each diagonal pair settles at its own phase, which the authors’ ab (Re × Re) does not see: ab = ${num(ab)}, the phase-invariant mean of Re(W_KQ[d+j, j] W_PV[j, j]) = ${num(h.ab_complex[i])} ± ${num(h.ab_spread[i])} over j`;
    return { kind: 'gaussian-init', text: `${base}${th.applies ? `; this training set’s optimum is ${num(th.c_star_empirical ?? th.c_star_T)}` : ''}.` };
  }
  const opt = th.c_star_empirical;
  if (opt == null) return { kind: 'no-theory', text: null };
  if (!th.applies) return measuredAbClaim(cfg, r, who, ab, opt);
  const gap = (ab - opt) / opt;
  const pop = rel(opt, th.c_star_T) > TOL.converged
    ? ` (c*(T) = ${num(th.c_star_T)} is the optimum over infinitely many sequences; at m = ${cfg.m} this training set’s is ${pct(rel(opt, th.c_star_T))} ${opt > th.c_star_T ? 'above' : 'below'} it)`
    : ` (c*(T) = ${num(th.c_star_T)} for the population)`;
  if (Math.abs(gap) <= TOL.converged) return { kind: 'converged', text: `${who}ab = ${num(ab)}, within ${pct(Math.abs(gap)).replace('less than ', '')} of this training set’s optimum ${num(opt)}${pop}.` };
  const off = `${who}ab = ${num(ab)}, ${pct(Math.abs(gap))} ${gap > 0 ? 'above' : 'below'} this training set’s optimum ${num(opt)}`;
  const flow = odeAt(r.ode, h.epoch[i]);
  if (flow != null && rel(flow, opt) > TOL.converged) {
    if (rel(ab, flow) <= TOL.follows) return { kind: 'on-its-way', text: `${who}ab = ${num(ab)} on its way: it follows the gradient-flow ODE, at ${num(flow)} at epoch ${h.epoch[i]}; this training set’s optimum is ${num(opt)}.` };
    return { kind: 'off-flow', text: `${off}; the gradient-flow ODE is at ${num(flow)} at epoch ${h.epoch[i]}, ${pct(rel(ab, flow))} from ab: gradient descent does not follow the flow here.` };
  }
  if (!r.done) return { kind: 'training', text: `${off} (still training).` };
  const { moved, over } = movement(h, 'ab');
  if (moved > TOL.moving) return { kind: 'still-moving', text: `${off}: still moving when training ended (${pct(moved)} over the last ${over} epochs).` };
  if (offDiagonal(h, i) > 1e-4) return { kind: 'finite-m', text: `${off}: at m = ${cfg.m} the full model has more freedom than the diagonal family (${structure(h, i)}).` };
  return { kind: 'unexplained', text: `${off}, and it has stopped moving while the weights stay diagonal (${structure(h, i)}): this page does not know why.` };
}

// Where the theory does not apply (a process, a file, Assumption 4.1): ab against the optimum of
// the diagonal family measured on this training set (the family's training loss is quadratic in
// c = ab, so its optimum is one ratio of sums, core/THEORY.md §3), no prediction. Kinds:
// measured-converged, measured-training, measured-moving, measured-off-family, measured-unexplained.
function measuredAbClaim(cfg, r, who, ab, opt) {
  const h = r.hist;
  const i = lastRow(h);
  const gap = (ab - opt) / opt;
  const family = 'this training set’s optimum within the diagonal family';
  if (Math.abs(gap) <= TOL.converged) return { kind: 'measured-converged', text: `${who}ab = ${num(ab)}, within ${pct(Math.abs(gap)).replace('less than ', '')} of ${family}, ${num(opt)} (measured on the set, not predicted).` };
  const off = `${who}ab = ${num(ab)}, ${pct(Math.abs(gap))} ${gap > 0 ? 'above' : 'below'} ${family}, ${num(opt)} (measured on the set, not predicted)`;
  if (!r.done) return { kind: 'measured-training', text: `${off} (still training).` };
  const { moved, over } = movement(h, 'ab');
  if (moved > TOL.moving) return { kind: 'measured-moving', text: `${off}: still moving when training ended (${pct(moved)} over the last ${over} epochs).` };
  if (offDiagonal(h, i) > 1e-4) return { kind: 'measured-off-family', text: `${off}: the weights are outside the diagonal family (${structure(h, i)}), so the family’s optimum need not be the model’s.` };
  return { kind: 'measured-unexplained', text: `${off}, and it has stopped moving while the weights stay near the family (${structure(h, i)}): this page does not know why.` };
}

// Which theory a run has, in one sentence (null: the paper's own, diagonal W, said elsewhere).
export function theoryClaim(cfg, th) {
  if (th.applies && cfg.process === 'unitary')
    return { kind: 'rotated', text: 'Theory: the paper’s, in W’s eigenbasis: y₁ = Uᴴx₁ takes the place of x₁ (its mixed moments vanish), with its moments in closed form from the law of |x₁| (core/THEORY.md §10).' };
  if (th.applies) return { kind: 'paper', text: null };
  if (th.byProcess) return { kind: 'no-prediction', text: `No prediction for this process: ${words(th.reason)}.` };
  return { kind: 'no-theory', text: `No theory line: ${words(th.reason)}.` };
}

// Where no theory applies, chart 1's one line that is not the model's, said for what it is (where
// the theory applies, its lines are the paper's and the legend names them). Kinds: none, measured.
export function abLinesClaim(th, cfg = {}) {
  if (th.applies || th.c_star_empirical == null || measuredModel(cfg)) return { kind: 'none', text: null };
  return { kind: 'measured', text: `Line: orange dashed, this training set’s optimum within the diagonal family, ${num(th.c_star_empirical)}: measured on the set (the family’s loss is quadratic in ab), the only line where no theory applies.` };
}

// The paper's process: a fresh diagonal unitary W per sequence, no noise, no contraction.
export const paperProcess = (cfg) => (cfg?.process ?? 'diagonal') === 'diagonal' && !(cfg?.noise > 0) && !((cfg?.radius ?? 1) < 1);

// The noise floor at the last position (per coordinate, as last_mse): sigma^2, the expected error
// of the true W (core/THEORY.md §10); null without noise.
const floorOf = (cfg) => (cfg.noise > 0 ? cfg.noise * cfg.noise : null);

// Where no theory applies: what the last position measured, against the noise floor with noise.
// Kinds: no-theory, floor-above, floor-at (within 3%), floor-below.
function measuredLastClaim(cfg, r, sparse) {
  const head = 'No prediction: the diagonal theory does not apply to this run (see the first chart)';
  const h = r.hist;
  const i = lastRow(h);
  const key = sparse ? 'last_mse' : 'ratio';
  if (i < 0 || diverged(r) || !Number.isFinite(h[key][i])) return { kind: 'no-theory', text: `${head}.` };
  const v = h[key][i];
  const measured = `${head}; measured ${sparse ? 'last-position MSE' : 'ratio'} ${num(v)} at epoch ${h.epoch[i]}`;
  const floor = floorOf(cfg);
  if (!sparse || floor == null) return { kind: 'no-theory', text: `${measured}.` };
  const line = `the noise floor σ² = ${num(floor)} per coordinate (grey dashed: the error of the true W, which no prediction from the past beats on average)`;
  if (rel(v, floor) <= TOL.levels) return { kind: 'floor-at', text: `${measured}, within ${pct(rel(v, floor))} of ${line}.` };
  if (v > floor) return { kind: 'floor-above', text: `${measured}, ${num(v / floor, 3)}× ${line}.` };
  return { kind: 'floor-below', text: `${measured}, ${pct(1 - v / floor)} below ${line}: a sampling fluctuation of the ${cfg.test_m} test sequences.` };
}

// The measured ratio (or last-position error) against the prediction. Kinds: no-theory, empty,
// diverged, at-prediction, moving, ab-off (the gap is what ab's distance from c*(T) makes),
// differs (a gap ab does not explain, told with its numbers).
export function lastClaim(cfg, r, sparse = cfg.x1 === 'sparse') {
  const th = r.theory;
  if (!attention(cfg))
    return { kind: 'no-theory', text: 'No prediction: the paper’s theory is about the attention model; for this baseline the derived optimum A = 0 gives the ratio 0 and the last-position error M2/d (core/THEORY.md §9).' };
  if (!th.applies) return measuredLastClaim(cfg, r, sparse);
  const h = r.hist;
  const i = lastRow(h);
  const key = sparse ? 'last_mse' : 'ratio';
  const what = sparse ? 'last-position MSE' : 'ratio';
  const pred = sparse ? th.last_mse_pred : th.ratio_pred;
  const head = `Verdict of the theory: ${words(th.verdict)}; predicted ${what} at c*(T): ${num(pred)}`;
  if (i < 0) return { kind: 'empty', text: `${head}.` };
  const v = h[key][i];
  const ab = cfg.init === 'gaussian' ? h.ab_complex[i] : h.ab[i]; // from a gaussian start: the phase-invariant product
  if (diverged(r) || !Number.isFinite(v)) return { kind: 'diverged', text: `${head}; the run diverged at epoch ${h.epoch[i]}, so its ${what} says nothing about the prediction.` };
  const measured = `${head}; measured ${num(v)} at epoch ${h.epoch[i]}`;
  // The prediction at this run's ab instead of c*(T): the ratio is linear in ab (core/THEORY.md
  // §6: ratio_pred = c*(T) M2 / nonzero); the sparse error is not given in closed form here.
  const atAb = !sparse && th.c_star_T ? (pred * ab) / th.c_star_T : null;
  const close = sparse ? (pred > 0 ? rel(v, pred) <= TOL.levels : v <= 1e-3 * th.M2) : rel(v, pred) <= TOL.levels;
  const { moved, over } = movement(h, key);
  if (close && sparse && !(pred > 0)) return { kind: 'at-prediction', text: `${measured}, ${pct(v / th.M2)} of M₂ (the error of predicting 0): near 0, as predicted.` };
  if (!r.done || moved > 10 * TOL.moving) return { kind: 'moving', text: `${measured}, still ${h[key][i] > h[key][Math.max(0, Math.floor(i * 0.95))] ? 'rising' : 'falling'} (${pct(moved)} over the last ${over} epochs).` };
  if (close) return { kind: 'at-prediction', text: `${measured}, within ${pct(rel(v, pred))} of the prediction.` };
  const abGap = rel(ab, th.c_star_T);
  if (atAb != null && abGap > TOL.converged) {
    const rest = rel(v, atAb);
    const tail = rest <= TOL.levels
      ? `: ab = ${num(ab)} is ${pct(abGap)} from c*(T), and at this ab the predicted ratio is ${num(atAb)}, within ${pct(rest)} of the measured one`
      : `: ab = ${num(ab)} is ${pct(abGap)} from c*(T); at this ab the predicted ratio is ${num(atAb)}, and the measured one is ${pct(rest)} from that too, which the diagonal theory does not explain (the test set has ${cfg.test_m} sequences)`;
    return { kind: rest <= TOL.levels ? 'ab-off' : 'differs', text: `${measured}, ${pct(rel(v, pred))} ${v > pred ? 'above' : 'below'} the prediction${tail}.` };
  }
  if (sparse && abGap > TOL.converged) return { kind: 'ab-off', text: `${measured}, not the prediction: ab = ${num(ab)} is ${pct(abGap)} from c*(T) = ${num(th.c_star_T)}, where the prediction is made.` };
  return { kind: 'differs', text: `${measured}, ${pct(pred ? rel(v, pred) : v)} ${v > pred ? 'above' : 'below'} the prediction, with ab at c*(T): the diagonal theory does not explain the difference (the test set has ${cfg.test_m} sequences).` };
}

// The error versus position: is the trained model one step of gradient descent? mesa: the core's
// mesa view ({t, model, gd1, ls, ridge, true_w, noise_floor}). Kinds: none, same, close, differs.
// The scale of "close": M2, the error of predicting 0 (th: the theory, or null: the largest error).
// cfg (optional): the run's configuration, for the noise and the ridge's lambda.
export function mesaClaim(mesa, hist, th = null, cfg = null) {
  // gd1 is null for layers > 1 and softmax (no trained ab makes them one GD step): nothing to compare here.
  if (!mesa || !mesa.t?.length || !mesa.gd1) return { kind: 'none', text: null };
  const n = mesa.t.length;
  let worstRel = 0;
  let worstAbs = 0;
  let at = 0;
  let top = 0;
  for (let k = 0; k < n; k++) {
    const a = mesa.model[k];
    const b = mesa.gd1[k];
    top = Math.max(top, a, b);
    const d = Math.abs(a - b);
    if (d > worstAbs) worstAbs = d;
    const r = d / Math.max(Math.abs(b), Number.MIN_VALUE);
    if (r > worstRel) {
      worstRel = r;
      at = k;
    }
  }
  // M2 is the error of predicting 0 only where |x_t| = |x_1| (no contraction, no noise).
  const kept = !(cfg && (cfg.radius < 1 || cfg.noise > 0));
  const scale = th?.M2 > 0 && kept ? th.M2 : top;
  const of = th?.M2 > 0 && kept ? `of M₂ = ${num(th.M2, 3)}, the error of predicting 0` : `of the largest error (${num(top, 3)})`;
  const floor = Math.max(...Array.from(mesa.true_w));
  let ls = 0;
  for (const v of mesa.ls) ls = Math.max(ls, v);
  const tw = trueWClaim(mesa, cfg, floor, ls, top);
  const i = hist ? lastRow(hist) : -1;
  const struct = i >= 0 ? ` (${structure(hist, i)})` : '';
  if (worstRel <= TOL.sameCurve) return { kind: 'same', text: `The trained model’s error is that of one gradient-descent step with step ab/(t−1) at every position, within ${pct(worstRel)}: the model computes one step of gradient descent. ${tw}` };
  if (worstAbs <= TOL.close * scale) {
    return { kind: 'close', text: `The trained model and one gradient-descent step with step ab/(t−1) differ by at most ${num(worstAbs, 2)} in squared error, ${pct(worstAbs / scale)} ${of}; where both are small they differ by ${num(worstRel + 1, 2)}× (t = ${mesa.t[at]}: ${num(mesa.model[at], 3)} against ${num(mesa.gd1[at], 3)})${struct}. ${tw}` };
  }
  return { kind: 'differs', text: `The trained model is not one gradient-descent step here: their errors differ by up to ${num(worstAbs, 2)}, ${pct(worstAbs / scale)} ${of} (at t = ${mesa.t[at]}: ${num(mesa.model[at], 3)} against ${num(mesa.gd1[at], 3)})${struct}. ${tw}` };
}

// What the true W's line is (rounding, or the noise) and, with noise, the last position's baselines.
export function trueWClaim(mesa, cfg, floor, ls, top) {
  const noisy = cfg?.noise > 0 && mesa.noise_floor?.length;
  if (!noisy) {
    return ls != null && ls <= 1e-12 * top
      ? `True W and least squares: rounding (at most ${num(Math.max(floor, ls), 2)}), drawn along the axis floor.`
      : floor === 0 ? 'True W: its error is 0 here, drawn along the axis floor.' : `True W: rounding (at most ${num(floor, 2)}), drawn along the axis floor.`;
  }
  const k = mesa.t.length - 1;
  const nf = mesa.noise_floor[k];
  const tw = mesa.true_w[k];
  return `True W (purple dotted): its error is the noise, ${num(tw, 3)} at t = ${mesa.t[k]}, ${pct(rel(tw, nf))} ${tw > nf ? 'above' : 'below'} the noise floor σ²d = ${num(nf, 3)} (grey dashed, its expectation).`;
}

// The last position of the mesa view: the model against least squares, ridge and the noise floor,
// said beyond the paper's process only (there the curves and their legend say it). Kinds: none,
// better, worse (than least squares).
export function baselinesClaim(mesa, cfg) {
  if (!mesa || !mesa.t?.length || !mesa.ridge?.length || paperProcess(cfg)) return { kind: 'none', text: null };
  const k = mesa.t.length - 1;
  const [m, ls, rg] = [mesa.model[k], mesa.ls[k], mesa.ridge[k]];
  const nf = cfg?.noise > 0 ? `, the noise floor ${num(mesa.noise_floor[k], 3)} (the model’s error is ${num(m / mesa.noise_floor[k], 3)}× it)` : '';
  const vs = ls <= 1e-12 * Math.max(m, rg)
    ? 'least squares on the context is exact here (rounding)'
    : `the model’s error is ${num(m / ls, 3)}× that of least squares`;
  return { kind: m < ls ? 'better' : 'worse', text: `At t = ${mesa.t[k]}: trained model ${num(m, 3)}, least squares on the context (green) ${num(ls, 3)}, ridge with λ = ${cfg?.ridge ?? '–'} (sky blue) ${num(rg, 3)}${nf}: ${vs}.` };
}

// Process unitary: whether the rotation loses what the paper's diagonal W gives. Sparse first
// tokens of one modulus recover on the diagonal W (M4^2 = M2 M6); in W's eigenbasis the first token
// is y_1 = U^H x_1, no longer sparse (core/THEORY.md §10). Kinds: none, lost, kept.
export function rotatedClaim(cfg, th) {
  if (cfg.process !== 'unitary' || !th.applies || cfg.x1 !== 'sparse' || (cfg.magnitude ?? 'const') !== 'const') return { kind: 'none', text: null };
  const ratio = `M₄²/(M₂M₆) = ${num(th.moment_ratio)}`;
  if (th.recovery) return { kind: 'kept', text: `Rotated W: in W’s eigenbasis y₁ = Uᴴx₁ keeps ${ratio}, so the recovery of sparse first tokens holds.` };
  return { kind: 'lost', text: `Rotated W: the paper’s recovery is lost. On the diagonal W these sparse first tokens recover as T grows (M₄² = M₂M₆); here W’s eigenbasis sees y₁ = Uᴴx₁, which is not sparse: ${ratio} < 1, Assumption 4.2 fails, and the last-position error does not go to 0.` };
}

// The paper's two conditions on x_1, as this project reads them (core/THEORY.md §5, §6).
export function assumptionsClaim(cfg, th) {
  const a1 = th.assumption_4_1;
  const a2 = th.assumption_4_2;
  const measured = a1.source && a1.source !== 'closed form' ? `, ${a1.source}` : '';
  const one = a1.holds ? 'holds' : `fails (the mixed moments are ${pct(a1.mixed_moment_ratio)} of their largest possible size${measured})${cfg.clip ? '; clip keeps the red blocks diagonal, so the theory applies again' : ''}`;
  const two = `${a2.holds ? 'holds' : 'fails'} (M₄²/(M₂M₆) = ${num(a2.moment_ratio)})`;
  // process unitary: the theory's first token is y_1 = U^H x_1, W's eigenbasis (core/THEORY.md §10);
  // a process without theory: the assumptions are x_1's, said for the record.
  const x = cfg.process === 'unitary' && th.applies ? 'y₁ = Uᴴx₁ (the first token in W’s eigenbasis)' : 'x₁';
  const y = cfg.process === 'unitary' && th.applies ? 'y₁' : 'x₁';
  const record = measuredModel(cfg) ? `For the record, x₁’s law against the paper’s assumptions, which are about its one layer of linear attention, not ${modelName(cfg)}: `
    : th.byProcess ? 'For the record, x₁’s law against the paper’s assumptions, which are about its diagonal W without noise or contraction, not this process: ' : '';
  return { kind: `${a1.holds ? 'holds' : 'fails'}-${a2.holds ? 'holds' : 'fails'}`, text: `${record}Assumption 4.1 (our reading: the mixed moments of ${x} vanish, so training keeps the diagonal structure) ${one}. Assumption 4.2 (M₄² = M₂M₆: every non-zero coordinate of ${y} has one modulus, so the learned optimizer can recover the sequence) ${two}.` };
}

// The three numbered hints: before the first epoch, what to watch and what the theory predicts
// (said as a prediction); once the run has rows, what the run did, from the claims above.
export function hintClaims(cfg, runs, sparse = cfg.x1 === 'sparse', mesa = null) {
  if (!attention(cfg)) return BASELINE_HINTS.map((text) => ({ kind: 'baseline', text }));
  const r = runs[0];
  const th = r.theory;
  const h = r.hist;
  const i = lastRow(h);
  const ode = cfg.init === 'diagonal' && th.applies ? ' (dashed: the gradient-flow ODE)' : '';
  if (measuredModel(cfg)) return MODEL_CLAIMS.hints?.(cfg, r, mesa, sparse) ?? [1, 2, 3].map(() => ({ kind: 'model-loading', text: '' }));
  let first;
  if (!th.applies && th.withheld) first = { kind: 'withheld', text: `Chart 1: the theory draws no line: ${th.reason}.` };
  else if (!th.applies && th.byProcess && i < 0) first = { kind: 'no-prediction', text: 'Press Play and watch chart 1: for this process the theory makes no prediction (the note under the chart says why); the orange line will be this training set’s optimum within the diagonal family, measured.' };
  else if (!th.applies && th.byProcess) first = { kind: abClaim(cfg, r, false).kind, text: `Chart 1, no prediction for this process: ${abClaim(cfg, r, false).text ?? `ab = ${num(h.ab[i])}`}` };
  else if (!th.applies) first = { kind: 'no-theory', text: 'Chart 1: for this first-token law the theory draws no line (Assumption 4.1 fails); ab still moves, see the notes under the chart.' };
  else if (i < 0 && cfg.init === 'gaussian') first = { kind: 'predicted', text: `Press Play and watch chart 1: from a random start each diagonal pair of weights settles at its own phase, so the authors’ ab (Re × Re) need not reach this training set’s optimum ${num(th.c_star_empirical ?? th.c_star_T)}; the phase-invariant product (purple) is the one to compare with it.` };
  else if (i < 0) first = { kind: 'predicted', text: `Press Play and watch chart 1: the theory predicts that the step size ab the model learns moves to this training set’s optimum ${num(th.c_star_empirical ?? th.c_star_T)} (orange), near the population’s c*(T) = ${num(th.c_star_T)} (grey)${ode}.` };
  else {
    const c = abClaim(cfg, r, false);
    const say = {
      converged: `Chart 1: ab = ${num(h.ab[i])} has reached this training set’s optimum ${num(th.c_star_empirical)} (orange), as the theory predicts; c*(T) = ${num(th.c_star_T)} (grey) is the optimum over infinitely many sequences.`,
      'on-its-way': `Chart 1: ab = ${num(h.ab[i])} is on its way to this training set’s optimum ${num(th.c_star_empirical)} (orange), following the gradient-flow ODE${ode ? ' (dashed)' : ''}.`,
      training: `Chart 1: ab = ${num(h.ab[i])}, still training toward this training set’s optimum ${num(th.c_star_empirical)} (orange).`,
    }[c.kind];
    first = { kind: c.kind, text: say ?? `Chart 1: ${c.text}` };
  }
  let second;
  const l = lastClaim(cfg, r, sparse);
  if (!th.applies && th.byProcess && i >= 0) second = { kind: l.kind, text: `Chart 2: ${l.text.replace(/^No prediction: the diagonal theory does not apply to this run \(see the first chart\); m/, 'no prediction; m')}` };
  else if (!th.applies) second = { kind: 'no-theory', text: 'Chart 2, the prediction at the last position: there is no prediction to compare it with here.' };
  else if (i < 0) {
    const text = sparse
      ? `Then chart 2: the theory predicts that the error at the last position falls to ${num(th.last_mse_pred)}${th.recovery_at_T ? ': the learned optimizer recovers the sequence' : th.recovery ? ', reaching 0 only as T grows (the capability chart)' : ''}.`
      : `Then chart 2: the theory predicts that the ratio ŷ/x at the last position levels off at ${num(th.ratio_pred)}${th.recovery ? '' : ', not 1: this learned optimizer does not recover the sequence'}.`;
    second = { kind: 'predicted', text };
  } else second = { kind: l.kind, text: `Chart 2: ${l.text.replace(/^Verdict of the theory: /, 'the theory says ')}` };
  let third;
  if (i < 0 || (!th.applies && !th.byProcess)) {
    third = { kind: 'predicted', text: !th.applies
      ? `Chart 3, the weights: ${th.withheld ? 'for this file' : th.byProcess ? 'for this process' : 'where Assumption 4.1 fails'} the theory does not say the blocks stay diagonal; “Beyond the assumption” further down measures them.`
      : cfg.init === 'gaussian'
        ? 'Chart 3, the weights: from a random start the theory does not say the weights become diagonal; the masses off the diagonal are measured as it trains.'
        : 'Chart 3, the weights: the theory predicts that everything outside the outlined blocks stays 0, so that the model is one step of gradient descent (the error-versus-position chart compares them).' };
  } else {
    const m = offDiagonal(h, i);
    const mc = mesaClaim(mesa, h, th, cfg);
    const gd = mc.kind === 'same' ? ', and the error-versus-position chart shows the model doing one step of gradient descent' : mc.kind === 'close' ? '; the error-versus-position chart compares the model with one step of gradient descent (its note says how close)' : mc.kind === 'differs' ? '; the error-versus-position chart shows the model is not exactly one step of gradient descent' : '';
    third = m <= TOL.diagonal
      ? { kind: 'diagonal', text: `Chart 3, the weights: everything outside the outlined blocks stays near 0 (${structure(h, i)})${gd}.` }
      : { kind: 'off-diagonal', text: `Chart 3, the weights: the weights leave the diagonal family (${structure(h, i)})${gd}.` };
  }
  return [first, second, third];
}

// The theory of a run (s.theory()) marked `withheld` where the core found that the run's data
// file does not follow the process the theory assumes, x_{t+1} = W x_t with W diagonal and unitary
// (core/include/mesaflow/dynamics.hpp, checked on every training sequence): the core has already
// made every prediction null and said why in its reason; the claims word it as a file's.
// A generated set whose process is not the paper's (its dynamics source: "by construction ..."):
// marked `byProcess` instead, the reason being the process's (core/THEORY.md §10).
export function withheld(th) {
  if (th?.dynamics?.diagonal !== false) return th;
  return /^by construction/.test(th.dynamics.source ?? '') ? { ...th, byProcess: true } : { ...th, withheld: true };
}

// A CLI run drawn beside the live run: which of its settings differ from the live run's (config:
// its document's "config", keys as the page's cfg; null when it has none). Kinds: unknown, same, differs.
const IGNORED = new Set(['threads', 'workers']);
export function overlayClaim(config, cfg, label) {
  if (!config || typeof config !== 'object') return { kind: 'unknown', text: `${label}: its file has no settings to compare with the live run’s.` };
  const keys = Object.keys(config).filter((k) => !IGNORED.has(k) && k in cfg);
  const differ = keys.filter((k) => String(config[k]) !== String(cfg[k]));
  if (!differ.length) return { kind: 'same', differ, text: `${label}: its settings are identical to the live run’s (${keys.length} compared); where its numbers are the same, its dotted curves lie on the live run’s.` };
  const list = differ.map((k) => `${k} ${config[k]} (live: ${cfg[k]})`).join(', ');
  return { kind: 'differs', differ, text: `${label}: its settings differ from the live run’s: ${list}.` };
}
