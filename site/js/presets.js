// Presets: one per row of the paper's settings table (d = 5, T = 100, m = 10,000, seed 1),
// plus "quick", a small setting that converges in a few seconds in a browser.
// Values use the URL / attribute names (CLI option names).
const PAPER = { d: 5, T: 100, m: 10000, 'test-m': 10000, seed: 1, init: 'diagonal', a0: 0.1, b0: 0.1, clip: false, method: 'gd', 'eval-every': 1 };

export const PRESETS = {
  // quick: converges in a few seconds; lr 1.2e-3 keeps all three paper initialisations stable at T = 20.
  quick: { label: 'quick (d=5, T=20, m=2000)', values: { ...PAPER, T: 20, m: 2000, 'test-m': 500, x1: 'gaussian', scale: 1, lr: 1.2e-3, epochs: 100 } },
  'gaussian-0.5': { label: 'paper: gaussian, sigma = 0.5', values: { ...PAPER, x1: 'gaussian', scale: 0.5, lr: 1e-3, epochs: 200 } },
  'gaussian-1': { label: 'paper: gaussian, sigma = 1', values: { ...PAPER, x1: 'gaussian', scale: 1, lr: 1e-4, epochs: 150 } },
  'gaussian-2': { label: 'paper: gaussian, sigma = 2', values: { ...PAPER, x1: 'gaussian', scale: 2, lr: 2e-6, epochs: 200 } },
  'sparse-0.5': { label: 'paper: sparse, c = 0.5', values: { ...PAPER, x1: 'sparse', scale: 0.5, lr: 3e-2, epochs: 200 } },
  'sparse-1': { label: 'paper: sparse, c = 1', values: { ...PAPER, x1: 'sparse', scale: 1, lr: 1e-3, epochs: 200 } },
  'sparse-2': { label: 'paper: sparse, c = 2', values: { ...PAPER, x1: 'sparse', scale: 2, lr: 1e-4, epochs: 120 } },
  'full-one': { label: 'paper: full-one (beyond the assumption)', values: { ...PAPER, x1: 'full-one', scale: 1, lr: 5e-4, epochs: 200 } },
  'full-one-clip': { label: 'paper: full-one, with clip', values: { ...PAPER, x1: 'full-one', scale: 1, lr: 5e-4, epochs: 200, clip: true } },
};

export const DEFAULT_PRESET = 'quick';

// The paper's three initialisations (a0, b0), run side by side in "compare" mode.
export const PAPER_INITS = [
  [0.1, 0.1],
  [0.5, 1.5],
  [2, 2],
];
