// The short explanations beside each view. Formulas come pre-rendered from build time
// (formulas.js, trusted); numbers computed at run time go in with textContent only.
import { FORMULA_HTML } from './formulas.js';
import { num } from './status.js';

// Each text is a list of parts: a string, {tex: name} (inline), {texd: name} (display)
// or {slot: name} (a span the demo fills with a number).
const TEXTS = {
  ab: [
    'Curves are labelled by their initialisation (a0, b0). Training moves ', { tex: 'ab' }, ' to the minimiser of the population loss within the diagonal family: ',
    { texd: 'cstarT' }, 'grey line, with ', { tex: 'moments' }, '; dotted: ', { tex: 'cstarInf' },
    '. For gaussian(σ) the limit is ', { tex: 'gaussLimit' }, ', for sparse(c) ', { tex: 'sparseLimit' },
    '. Dashed: the gradient-flow ODE ', { tex: 'ode' }, ' with A and B from the training set, which gradient descent follows; orange: its fixed point. Here c*(T) = ', { slot: 'cstarT' },
    ', c*(∞) = ', { slot: 'cstarInf' }, '.',
  ],
  ratio: [
    'With that structure the model predicts ', { tex: 'mesa' }, ': one gradient-descent step from W = 0 on ', { tex: 'gdstep' },
    '. It recovers the sequence only if ab·|x', { slot: 'sub1j' }, '|² = 1 for every non-zero coordinate, i.e. ', { tex: 'recovery' },
    ' (Cauchy–Schwarz gives ', { tex: 'cs' }, '). Gaussian: ', { tex: 'ratioLimit' }, '; sparse: the last-position MSE → 0. ',
    'Recovery predicted: ', { slot: 'recovery' }, ' (', { tex: 'recoveryRatio' }, ' = ', { slot: 'momentRatio' }, '; predicted value: ',
    { slot: 'ratioPred' }, ').',
  ],
  loss: [
    'Train (solid) and test (dashed) loss ', { tex: 'loss' }, ' on a log scale. For gaussian first tokens it levels off above 0: one step of gradient descent cannot recover the sequence.',
  ],
  weights: [
    'The trained weights. Outlined: the paper’s “red blocks”, ', { tex: 'redKQ' }, ' and ', { tex: 'redPV' },
    '. From the diagonal initialisation everything outside them stays at 0 and, for first tokens that meet the paper’s assumption (gaussian, sparse), the blocks stay multiples of I, with ab the product of their diagonals. full-one breaks the assumption: off-diagonal entries inside the blocks grow unless clip is on. Blue negative, red positive; hover for exact values.',
  ],
  mesa: [
    'Squared error of the prediction of x', { slot: 'subt1' }, ' against context position t: the trained model, one gradient step with the trained ab, full least squares on the context, and the true W (zero up to rounding, not drawn on the log axis). The trained model lies on the one-step-GD curve: it is a mesa-optimizer, ',
    { tex: 'model' }, '.',
  ],
  samples: [
    'Three training sequences, real part of one coordinate: ', { tex: 'ar' }, '. Each sequence rotates with its own phases, so W must be inferred in context.',
  ],
};

// Returns {node, slots} where slots[name] is the span to fill with textContent.
export function explanation(view) {
  const p = document.createElement('p');
  p.className = 'explain';
  const slots = {};
  for (const part of TEXTS[view]) {
    if (typeof part === 'string') p.append(part);
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

// Puts each view's explanation, with the numbers of theory th (s.theory()) for cfg, into the
// element `text-VIEW` of root.
export function fillExplanations(root, th, cfg) {
  for (const view of Object.keys(TEXTS)) {
    const { node, slots } = explanation(view);
    const set = (k, v) => slots[k] && (slots[k].textContent = v);
    set('cstarT', num(th.c_star_T));
    set('cstarInf', num(th.c_star_inf));
    set('recovery', th.recovery ? 'yes' : 'no');
    set('momentRatio', num(th.moment_ratio));
    set('ratioPred', cfg.x1 === 'sparse' ? (th.recovery ? 'MSE → 0' : 'MSE > 0') : `ratio → ${num(th.ratio_pred)}`);
    root.getElementById(`text-${view}`).replaceChildren(node);
  }
}
