// Main thread. The numbered hints for a new reader.
// The guided sequence for a new reader: what to watch first, second and third (numbered like the
// badges on those cards). Before the first epoch they say what the theory predicts; once the run
// has rows, what it did: each is a claim of model/claims.js about the run beside it. Dismissed
// for good with one click.
import { hintClaims } from '../model/claims.js';

const KEY = 'mesaflow-hints';

// runs: the runs (the first is described); mesa: its mesa view, or null.
export function fillHints(root, cfg, runs, sparse, mesa = null) {
  hintClaims(cfg, runs, sparse, mesa).forEach((c, i) => {
    const li = root.getElementById(`hint-${i + 1}`);
    if (li.textContent !== c.text) li.textContent = c.text;
    li.dataset.kind = c.kind;
  });
  // Hidden until they have words (no empty bubbles on the first paint), and for good once dismissed.
  if (!root.querySelector('.demo').classList.contains('no-hints') && root.getElementById('hint-1').textContent) root.getElementById('hints').hidden = false;
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
