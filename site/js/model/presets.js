// Any thread, no DOM. The presets (named settings) of the menu and of links.
// Presets: one per row of the paper's settings table (d = 5, T = 100, m = 10,000, seed 1), small
// settings that converge in seconds in a browser, and the settings of the paper's other questions.
// Values use the URL / attribute names (CLI option names).
const PAPER = { d: 5, T: 100, m: 10000, 'test-m': 10000, seed: 1, init: 'diagonal', a0: 0.1, b0: 0.1, clip: false, method: 'gd', 'eval-every': 1, magnitude: 'const' };

export const PRESETS = {
  // quick: sparse c = 1 (the paper's Example 4.1) at d = 3, T = 20, m = 1000; in a few seconds ab
  // reaches c*(T) = 1 within 0.2% from each of the three initialisations, and gradient descent
  // stays within 2% of the gradient-flow ODE (lr 2e-3; bench/quick_preset.sh measures it).
  quick: { label: 'quick: sparse, d 3, T 20', values: { ...PAPER, d: 3, T: 20, m: 1000, 'test-m': 500, x1: 'sparse', scale: 1, lr: 2e-3, epochs: 500 } },
  // The same size with gaussian first tokens: the learned optimizer does not recover the sequence.
  'quick-gaussian': { label: 'quick: gaussian, d 5, T 20', values: { ...PAPER, d: 5, T: 20, m: 2000, 'test-m': 500, x1: 'gaussian', scale: 1, lr: 4e-4, epochs: 300 } },
  // Assumption 4.1 holds, 4.2 fails: every sequence has one non-zero coordinate, of modulus 1 or 2.
  'sparse-two': { label: 'sparse, two magnitudes', values: { ...PAPER, d: 3, T: 20, m: 4000, 'test-m': 1000, x1: 'sparse', scale: 1, magnitude: 'values:1,2@0.5,0.5', a0: 0.5, b0: 1.5, lr: 4e-3, epochs: 300 } },
  // The paper's robustness question: every weight drawn N(0, 0.1^2) instead of the diagonal initialisation.
  'gaussian-init': { label: 'gaussian initialisation', values: { ...PAPER, d: 5, T: 20, m: 2000, 'test-m': 500, x1: 'gaussian', scale: 1, init: 'gaussian', 'sigma-w': 0.1, lr: 2e-3, epochs: 400 } },
  'gaussian-0.5': { label: 'paper: gaussian σ = 0.5', values: { ...PAPER, x1: 'gaussian', scale: 0.5, lr: 1e-3, epochs: 200 } },
  'gaussian-1': { label: 'paper: gaussian σ = 1', values: { ...PAPER, x1: 'gaussian', scale: 1, lr: 1e-4, epochs: 150 } },
  'gaussian-2': { label: 'paper: gaussian σ = 2', values: { ...PAPER, x1: 'gaussian', scale: 2, lr: 2e-6, epochs: 200 } },
  'sparse-0.5': { label: 'paper: sparse c = 0.5', values: { ...PAPER, x1: 'sparse', scale: 0.5, lr: 3e-2, epochs: 200 } },
  'sparse-1': { label: 'paper: sparse c = 1', values: { ...PAPER, x1: 'sparse', scale: 1, lr: 1e-3, epochs: 200 } },
  'sparse-2': { label: 'paper: sparse c = 2', values: { ...PAPER, x1: 'sparse', scale: 2, lr: 1e-4, epochs: 120 } },
  'full-one': { label: 'paper: full-one, no clip', values: { ...PAPER, x1: 'full-one', scale: 1, lr: 5e-4, epochs: 200 } },
  'full-one-clip': { label: 'paper: full-one, clip', values: { ...PAPER, x1: 'full-one', scale: 1, lr: 5e-4, epochs: 200, clip: true } },
  // Issue 22's processes (core/THEORY.md §10), at the quick preset's size; the steps were chosen
  // so that ab ends within 0.3% of its training set's optimum (tests/browser/process.test.mjs).
  // Sparse first tokens under a Haar-rotated W (process unitary): in W's eigenbasis y_1 = U^H x_1
  // is no longer sparse, its moments fail Assumption 4.2, and the paper's recovery is lost (the
  // theory still applies: ab goes to c*(T) = 1.476, the last-position error to 0.0673, not 0).
  'rotated-sparse': { label: 'sparse x₁, rotated W', values: { ...PAPER, d: 3, T: 20, m: 1000, 'test-m': 500, x1: 'sparse', scale: 1, process: 'unitary', lr: 0.02, epochs: 300 } },
  // Noisy dynamics x_{t+1} = W x_t + sigma eps_t: no theory; the last-position error stays above the
  // noise floor sigma^2, and ab goes to the training set's optimum within the diagonal family.
  'noisy-ar': { label: 'noisy AR: an error floor', values: { ...PAPER, d: 3, T: 20, m: 1000, 'test-m': 500, x1: 'sparse', scale: 1, noise: 0.1, lr: 0.01, epochs: 300 } },
  // A contracting W (radius < 1): the tokens shrink like r^t; no theory, the measured optimum of the family.
  contracting: { label: 'contracting W', values: { ...PAPER, d: 3, T: 20, m: 1000, 'test-m': 500, x1: 'sparse', scale: 1, radius: 0.9, lr: 0.05, epochs: 300 } },
  // Issue 23's models (core/THEORY.md §11, §12), measured only: no theory line. Two layers of
  // linear attention on gaussian first tokens: checked with the CLI (mesaflow train with these
  // values, eval-every 1): the training loss falls at every epoch (9.77 -> 1.59; it moves 0.45% over
  // the last 5% of the epochs), the test loss is 1.92 and the last-position MSE 0.145, against 4.89
  // and 0.445 for one layer at the same size; lr 0.004 diverges, 0.0025 and 0.003 spike, and
  // past about 900 epochs the test loss rises again (m = 600: the model fits the few large-norm
  // sequences); the mesa view says how many GD steps it is worth (tests/browser/models.test.mjs).
  // The menu's label is short (the menu's width); its question is the option's title.
  'two-layers': { label: 'two layers on gaussian', title: 'two layers on gaussian: more than one step of GD?', values: { ...PAPER, d: 2, T: 12, m: 600, 'test-m': 400, x1: 'gaussian', scale: 1, layers: 2, lr: 2e-3, epochs: 800 } },
  // One layer of softmax attention on sparse first tokens: checked the same way, the training loss
  // falls at every epoch (6.97 -> 1.47; 0.04% over the last 5%), last-position MSE 0.0298 (the
  // one-layer linear model recovers these sequences: 0.0023 at d 3, T 16, m 300); lr 0.1 ends the same.
  'softmax-sparse': { label: 'softmax on sparse', values: { ...PAPER, d: 3, T: 16, m: 400, 'test-m': 400, x1: 'sparse', scale: 1, attention: 'softmax', lr: 0.2, epochs: 300 } },
};

export const DEFAULT_PRESET = 'quick';

// The paper's three initialisations (a0, b0), run side by side in "compare" mode.
export const PAPER_INITS = [
  [0.1, 0.1],
  [0.5, 1.5],
  [2, 2],
];
