// Main thread. The "why" notes beside each view (proved, derived, measured).
// The short explanations beside each view, each statement marked by where it comes from: what
// the paper proves, what this project derived (core/THEORY.md), what is only measured here. Formulas
// come pre-rendered from build time (formulas.js, trusted); numbers computed at run time go in
// with textContent only.
import { FORMULA_HTML } from '../formulas.js';
import { num } from './status.js';
import { linkFonts } from './fonts.js';

const PAPER = { src: 'Proved in the paper' };
const OURS = { src: 'Derived here (core/THEORY.md)' };
const SEEN = { src: 'Measured' };

// The mesa card's comparators (views/comparators.js; core/THEORY.md §13, §14), for every attention model.
const COMPARATORS = [
  OURS, ' the grey lines: K steps of gradient descent from W = 0 on each position’s in-context least squares, K = 1 to 4, each K with the one step size that is best at the last position on these sequences (solid), and the causal variant, in which each context token’s update sees only its own prefix, what a causal stack of layers can compute (dotted). “Worth N GD steps”: the smallest K whose K-step descent matches the model’s last-position error, interpolated between whole steps in log error (K = 0 predicts 0). For softmax attention, where the core has it, the kernel smoother with the model’s own scores at its best temperature (yellow).',
];

// Each text is a list of parts: a string, {tex: name} (inline), {texd: name} (display),
// {slot: name} (a span the demo fills with a number) or {src} (where what follows comes from).
const TEXTS = {
  ab: [
    PAPER, ' from the diagonal initialisation, under its assumptions, gradient flow keeps the red blocks diagonal and ', { tex: 'ab' },
    ' converges: ', { tex: 'gaussLimit' }, ' for gaussian(σ), ', { tex: 'sparseLimit' }, ' for sparse(c). ',
    OURS, ' at finite T the optimum of the population loss within the diagonal family is', { texd: 'cstarT' }, 'with ', { tex: 'moments' },
    ' (grey line; dotted: ', { tex: 'cstarInf' }, '), and the gradient-flow ODE ', { tex: 'ode' },
    ' (dashed), with A and B from the training set: its fixed point is that set’s optimum (orange). ', SEEN, ' the solid curves. Here c*(T) = ',
    { slot: 'cstarT' }, ', c*(∞) = ', { slot: 'cstarInf' }, '.',
  ],
  ratio: [
    OURS, ' with that structure the model predicts ', { tex: 'mesa' }, ': one gradient-descent step from W = 0 on ', { tex: 'gdstep' },
    '. It recovers the sequence only if ab·|x', { slot: 'sub1j' }, '|² = 1 for every non-zero coordinate, i.e. ', { tex: 'recovery' },
    ' (Cauchy–Schwarz gives ', { tex: 'cs' }, '). ', PAPER, ' a moment condition on x₁ (Assumption 4.2) decides recovery; for gaussian first tokens ',
    { tex: 'ratioLimit' }, '. Here: recovery predicted ', { slot: 'recovery' }, ' (', { tex: 'recoveryRatio' }, ' = ', { slot: 'momentRatio' }, ').',
  ],
  loss: [SEEN, ' train (solid) and test (dashed) loss ', { tex: 'loss' }, ', on a log scale.'],
  weights: [
    SEEN, ' the weights so far. Outlined: the paper’s “red blocks”, ', { tex: 'redKQ' }, ' and ', { tex: 'redPV' }, '. ',
    PAPER, ' under Assumption 4.1 gradient flow from the diagonal initialisation keeps every other entry at 0 and the blocks multiples of I; a finite training set leaves small off-diagonal entries. full-one breaks Assumption 4.1: its off-diagonal entries grow unless clip is on. Blue negative, red positive; one colour scale for real part, imaginary part and modulus (the largest modulus); hover for exact values.',
  ],
  mesa: [
    SEEN, ' squared error of the prediction of x', { slot: 'subt1' }, ' against context position t: the trained model, one gradient step with the trained ab, least squares and ridge regression on the context, and the true W (without noise its error is rounding, drawn along the log axis’s floor; with noise it is the noise floor σ²d, drawn too). Where the model lies on the one-step curve, it is a mesa-optimizer, ',
    { tex: 'model' }, '. ', ...COMPARATORS,
  ],
  sequence: [
    'Each sequence rotates with its own phases, ', { tex: 'ar' }, ', so the model must infer W in context. Grey: the true next token; dashed: the model’s prediction, computed in your browser from the weights.',
  ],
  capability: [
    OURS, ' at the optimum c*(T) coordinate j is predicted as c*(T)|x', { slot: 'sub1j' }, '|² times the next token, plus cross-coordinate terms that shrink like 1/(t − 1); the curve is the expected squared error at t = T − 1 over E|x|², at each context length. ',
    PAPER, ' recovery as T grows needs ', { tex: 'recovery' }, ' (Assumption 4.2). ', SEEN, ' the markers.',
  ],
  structure: [
    SEEN, ' the structure of the weights over epochs. The paper’s experiment beyond its assumption (full-one first tokens, no clip) shows off-diagonal entries that grow; the dashed line is the best one-step vanilla gradient descent on the test set, for comparison.',
  ],
};

// The texts that differ for a model other than attention (the linear-map baseline, core/THEORY.md
// §9): the paper's claims about W_KQ, W_PV and the red blocks are not made about it.
const OTHER_MODEL = {
  weights: [
    SEEN, ' the weights so far: the one matrix A of the baseline ŷ(t) = A x(t), the same for every sequence and with no attention to the context. ',
    'Derived (core/THEORY.md §9): its population loss is (T−2)/2 · M2 · (1 + ‖A‖²/d), smallest at A = 0, so A shrinks toward 0 and the loss levels off at (T−2) M2 / 2. Blue negative, red positive; one colour scale for real part, imaginary part and modulus (the largest modulus); hover for exact values.',
  ],
  ratio: [
    SEEN, ' the ratio Re(ŷ/x) at the last position. The paper’s predictions are about the attention model; for this baseline the derived expected ratio at the optimum A = 0 is 0 (core/THEORY.md §9).',
  ],
  sequence: [
    'Each sequence rotates with its own phases, ', { tex: 'ar' }, ', which one fixed map A cannot know. Grey: the true next token; dashed: the baseline’s prediction A x(t), computed in your browser from the weights.',
  ],
};

// The texts that differ for the attention models the paper's theory is not about (issue 23;
// core/THEORY.md §11, §12): measured only, no theory line; the comparators are the same.
const STRUCTURE_MEASURED = [
  SEEN, ' the structure of the weights over epochs (the last layer’s for a stack: the off-diagonal and outside masses of its red blocks), and the last-position MSE against the best one-step vanilla gradient descent on the test set (dashed). No theory here says what they become for this model.',
];
const NO_CURVE = ['The curve would be the one-layer linear theory’s (core/THEORY.md §6); it does not describe this model, so none is drawn.'];
const LAYERS = {
  ab: [
    SEEN, ' each layer’s ab: the mean over j of Re W_KQ[d+j, j] · Re W_PV[j, j] of that layer’s red blocks (core/THEORY.md §12). ',
    'The paper’s result, ab converging to the step size of one gradient-descent step, is about one layer of linear attention; for a stack of layers no theory here predicts ab, so only the measured lines are drawn.',
  ],
  ratio: [SEEN, ' the ratio Re(ŷ/x) (or the squared error) at the last position. The paper’s predictions (c*(T), recovery) are about one layer of linear attention; for a stack of layers there is none.'],
  weights: [
    SEEN, ' each layer’s W_KQ and W_PV so far; the layers before the last write back into the residual stream (their W_PV has 2d rows, the last one’s d: core/THEORY.md §12). Outlined: the blocks the diagonal initialisation sets to a0 I and b0 I in every layer. No theory says what they become. Blue negative, red positive; one colour scale for real part, imaginary part and modulus (the largest modulus); hover for exact values.',
  ],
  capability: NO_CURVE,
  structure: STRUCTURE_MEASURED,
  mesa: [
    SEEN, ' squared error of the prediction of x', { slot: 'subt1' }, ' against context position t: the trained stack of layers (its own forward pass), least squares and ridge regression on the context, and the true W (its error is rounding, drawn along the log axis’s floor; with noise the noise floor σ²d). No ab makes this model one GD step, so there is no one-step line of its own. ', ...COMPARATORS,
  ],
};
const SOFTMAX = {
  ab: [
    SEEN, ' ab: the mean over j of Re W_KQ[d+j, j] · Re W_PV[j, j] of the red blocks. In softmax attention (core/THEORY.md §11) W_KQ’s block scales the scores inside the softmax and W_PV’s the output: ab is not a step size, and no theory here predicts it.',
  ],
  ratio: [SEEN, ' the ratio Re(ŷ/x) (or the squared error) at the last position. The paper’s predictions (c*(T), recovery) are about linear attention; for softmax attention there is none.'],
  weights: [
    SEEN, ' W_KQ and W_PV so far: the scores are Re(e_iᴴ W_KQ e_t) over i ≤ t, and W_PV maps the softmax-weighted average of the e_i to the prediction (core/THEORY.md §11). Outlined: the blocks the diagonal initialisation sets. No theory says what they become. Blue negative, red positive; one colour scale for real part, imaginary part and modulus (the largest modulus); hover for exact values.',
  ],
  capability: NO_CURVE,
  structure: STRUCTURE_MEASURED,
  mesa: [
    SEEN, ' squared error of the prediction of x', { slot: 'subt1' }, ' against context position t: the trained softmax attention (its own forward pass), least squares and ridge regression on the context, and the true W (its error is rounding, drawn along the log axis’s floor; with noise the noise floor σ²d). No ab makes this model one GD step, so there is no one-step line of its own. ', ...COMPARATORS,
  ],
};

// The texts of view for the run's configuration (cfg: model, attention, layers).
function textsOf(view, cfg) {
  if (cfg.model !== 'attention') return OTHER_MODEL[view] ?? TEXTS[view];
  if (cfg.attention === 'softmax') return SOFTMAX[view] ?? TEXTS[view];
  if (cfg.layers > 1) return LAYERS[view] ?? TEXTS[view];
  return TEXTS[view];
}

// Returns {node, slots} where slots[name] is the span to fill with textContent.
export function explanation(view, cfg = { model: 'attention' }) {
  const p = document.createElement('p');
  p.className = 'explain';
  const slots = {};
  for (const part of textsOf(view, cfg)) {
    if (typeof part === 'string') p.append(part);
    else if (part.src) p.append(Object.assign(document.createElement('span'), { className: 'src', textContent: `${part.src}:` }));
    else if (part.slot) {
      const s = document.createElement(part.slot.startsWith('sub') ? 'sub' : 'span');
      s.className = 'slot';
      if (part.slot === 'sub1j') s.textContent = '1j';
      if (part.slot === 'subt1') s.textContent = 't+1';
      slots[part.slot] = s;
      p.append(s);
    } else {
      const s = document.createElement('span');
      s.innerHTML = FORMULA_HTML[part.tex ? `tex:${part.tex}` : `texd:${part.texd}`]; // trusted build-time KaTeX output
      p.append(s);
    }
  }
  return { node: p, slots };
}

// Puts each view's explanation, with the numbers of theory th (s.theory()), into the
// element `text-VIEW` of root (the configuration's own numbers are in the notes, views/captions.js).
// cfg: the run's configuration (model, attention, layers).
export function fillExplanations(root, th, cfg = { model: 'attention' }) {
  linkFonts(root.ownerDocument);
  const other = cfg.model !== 'attention' || cfg.attention === 'softmax' || cfg.layers > 1;
  const none = other ? 'not defined for this model' : th.byProcess ? 'not defined for this process' : th.withheld ? 'not defined for this file' : 'not defined here (Assumption 4.1 fails)';
  for (const view of Object.keys(TEXTS)) {
    const { node, slots } = explanation(view, cfg);
    const set = (k, v) => slots[k] && (slots[k].textContent = v);
    set('cstarT', th.applies ? num(th.c_star_T) : none);
    set('cstarInf', th.applies ? num(th.c_star_inf) : none);
    set('recovery', !th.applies ? '– (the theory does not apply)' : th.recovery ? 'yes' : 'no');
    set('momentRatio', num(th.moment_ratio));
    root.getElementById(`text-${view}`).replaceChildren(node);
  }
}
