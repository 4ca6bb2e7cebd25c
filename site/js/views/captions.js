// Main thread. The notes under the charts, from the run's numbers (model/claims.js).
// The notes under the charts: sentences about the run they sit next to, each one a claim of
// model/claims.js (a function of the run's theory, history, ODE and mesa view, with the condition
// under which it may be said). Plain text (textContent).
import { stabilityClaim, abClaim, lastClaim, rotatedClaim, assumptionsClaim, overlayClaim, theoryClaim, abLinesClaim } from '../model/claims.js';

export const stabilityNote = (cfg, runs) => stabilityClaim(cfg, runs).text;
export const assumptionsNote = (cfg, th) => assumptionsClaim(cfg, th).text;

// overlay: a CLI run drawn beside the runs (its settings against the live run's), or null.
export function notesAb(cfg, runs, overlay = null) {
  const th = runs[0].theory;
  const out = [];
  const which = theoryClaim(cfg, th).text;
  if (which) out.push(which);
  const lines = abLinesClaim(th, cfg).text;
  if (lines) out.push(lines);
  const st = stabilityNote(cfg, runs);
  if (st) out.push(st);
  for (const r of runs) {
    const c = abClaim(cfg, r, runs.length > 1).text;
    if (c) out.push(c);
  }
  if (overlay) out.push(overlayClaim(overlay.config, cfg, overlay.label).text);
  out.push(assumptionsNote(cfg, th));
  return out;
}

// sparse: the chart shows the last position's error (views/views.js), not the ratio.
export function notesRatio(cfg, runs, sparse = cfg.x1 === 'sparse') {
  const out = [];
  if (sparse) out.push('Test loss: the loss over every position t = 2..T−1, the curve the authors label “MSE loss at T_te”; last-position MSE: the squared error at t = T−1 only.');
  out.push(lastClaim(cfg, runs[0], sparse).text);
  const rotated = rotatedClaim(cfg, runs[0].theory).text;
  if (rotated) out.push(rotated);
  return out;
}

// Fills the list ul with the notes, one item each.
export function showNotes(ul, notes) {
  ul.replaceChildren(...notes.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
}
