// Main thread. The numbered hints for a new reader.
// The guided sequence for a new reader: what to watch first, second and third (numbered like the
// badges on those cards), worded for the current configuration; dismissed for good with one click.
import { num } from './status.js';

const KEY = 'mesaflow-hints';

function texts(cfg, th) {
  if ((cfg.model ?? 'attention') !== 'attention')
    return [
      'Press Play and watch the loss chart: this baseline predicts y = A x with one matrix A for every sequence, with no attention to the context.',
      'Then chart 2, the prediction at the last position: the paper’s theory is about the attention model, so there is no prediction to compare it with (core/THEORY.md §9).',
      'Third, chart 3, the weights: A shrinks toward 0, its population optimum, since a map shared by all sequences cannot know each one’s own W; the loss levels off at (T−2) M2 / 2.',
    ];
  const ode = cfg.init === 'diagonal' && th.applies ? ' (dashed: the gradient-flow ODE it follows)' : '';
  const first = th.applies
    ? `Press Play and watch chart 1: the step size ab that the model learns moves to the grey line c*(T) = ${num(th.c_star_T)}, the value the theory predicts${ode}.`
    : 'Press Play and watch chart 1: for this first-token law the theory draws no line (Assumption 4.1 fails); ab still moves, see the notes under the chart.';
  let second;
  if (!th.applies) second = 'Then chart 2, the prediction at the last position: there is no prediction to compare it with here.';
  else if (th.recovery_at_T) second = 'Then chart 2: the error at the last position falls toward 0, the learned optimizer recovers the sequence.';
  else if (th.recovery) second = 'Then chart 2: the error at the last position falls but stays above 0 at this T; it reaches 0 only as T grows (see the capability chart).';
  else second = `Then chart 2: the ratio ŷ/x at the last position levels off at the predicted ${num(th.ratio_pred)}, not 1: this learned optimizer does not recover the sequence.`;
  const third = !th.applies
    ? 'Third, chart 3, the weights: off-diagonal entries of the outlined blocks grow; “Beyond the assumption” further down measures them.'
    : cfg.init === 'gaussian'
      ? 'Third, chart 3, the weights: from a random start the entries outside the outlined blocks fade, and the blocks become diagonal.'
      : 'Third, chart 3, the weights: everything outside the outlined blocks stays near 0, so the model computes one step of gradient descent in its forward pass (the error-versus-position chart shows it).';
  return [first, second, third];
}

export function fillHints(root, cfg, th) {
  texts(cfg, th).forEach((t, i) => (root.getElementById(`hint-${i + 1}`).textContent = t));
}

const stored = () => {
  try {
    return localStorage.getItem(KEY) === 'hidden';
  } catch {
    return false;
  }
};

// The close button hides the hints and the badges, here and on later visits.
export function bindHints(root) {
  const demo = root.querySelector('.demo');
  const hide = () => {
    root.getElementById('hints').hidden = true;
    demo.classList.add('no-hints');
  };
  if (stored()) hide();
  root.getElementById('hints-close').addEventListener('click', () => {
    hide();
    try {
      localStorage.setItem(KEY, 'hidden');
    } catch {}
  });
}
