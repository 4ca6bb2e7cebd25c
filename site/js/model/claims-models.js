// Any thread, no DOM. The claims about the attention models the paper's theory is not about (loaded with the first such run).
// L > 1 layers of linear attention and softmax attention (issue 23; core/THEORY.md §11, §12): what
// is measured of them, with no theory line and no prediction. Registered into model/claims.js's
// MODEL_CLAIMS when loaded (views/views.js loads it with the first such run; the node tests import
// it), so that the page's first load does not carry them.
import { num, pct, TOL, movement, abClaim, lastClaim, structure, modelName, words, MODEL_CLAIMS } from './claims.js';

const lastRow = (h) => h.epoch.length - 1;

// A model the theory is not about (measuredModel): ab as measured, each layer's for a stack, and
// whether it still moves; no optimum, no prediction. Kinds: model-training, model-moving, model-stopped.
export function modelAbClaim(cfg, r, who, ab) {
  const h = r.hist;
  const i = lastRow(h);
  const L = cfg.layers ?? 1;
  const row = r.abLayers?.[i];
  const each = L > 1 && row?.length === L ? ` (${row.map((v, l) => `layer ${l + 1}: ${num(v)}`).join(', ')})` : '';
  const what = L > 1
    ? `${who}ab = ${num(ab)} in layer ${L}, the last${each}: each layer’s mean over j of Re W_KQ[d+j, j] · Re W_PV[j, j], measured only (no theory predicts it for ${L} layers)`
    : `${who}ab = ${num(ab)}, the mean over j of Re W_KQ[d+j, j] · Re W_PV[j, j], measured only: in softmax attention W_KQ’s block scales the scores and W_PV’s the output, so ab is not a gradient-descent step size`;
  if (!r.done) return { kind: 'model-training', text: `${what} (still training).` };
  const { moved, over } = movement(h, 'ab');
  const last = `the last ${over} epoch${over === 1 ? '' : 's'}`;
  if (moved > TOL.moving) return { kind: 'model-moving', text: `${what}; still moving when training ended (${pct(moved)} over ${last}).` };
  return { kind: 'model-stopped', text: `${what}; it has stopped moving (${pct(moved)} over ${last}).` };
}

// The hints for a model the theory is not about (measuredModel): what is measured, no prediction.
export function modelHints(cfg, r, mesa, sparse) {
  const h = r.hist;
  const i = lastRow(h);
  const L = cfg.layers ?? 1;
  const name = modelName(cfg);
  const blocks = L > 1 ? `each layer’s W_KQ and W_PV (${L} pairs)` : 'W_KQ and W_PV';
  const worth = worthClaim(mesa).text;
  if (i < 0) {
    return [
      { kind: 'predicted', text: `Press Play and watch chart 1: no theory predicts ab for ${name} (the note under the chart says why); the chart draws ${L > 1 ? 'each layer’s ab' : 'ab'} as measured.` },
      { kind: 'predicted', text: 'Then chart 2, the last position: there is no prediction to compare it with for this model, only the measured error.' },
      { kind: 'predicted', text: `Chart 3, the weights: ${blocks}; no theory says what they become. The error-versus-position chart measures what the trained model computes against gradient descent.` },
    ];
  }
  const last = lastClaim(cfg, r, sparse);
  return [
    { kind: abClaim(cfg, r, false).kind, text: `Chart 1: ${abClaim(cfg, r, false).text}` },
    { kind: last.kind, text: `Chart 2: ${last.text.replace(/^No prediction: the diagonal theory does not apply to this run \(see the first chart\); m/, 'no prediction for this model; m')}` },
    { kind: worth ? 'worth' : 'weights', text: `Chart 3, the weights: ${blocks}; ${L > 1 ? `in layer ${L}, ` : ''}${structure(h, i)}${worth ? `; the error-versus-position chart: ${worth}` : ''}.` },
  ];
}

// "worth N gradient-descent steps" of the mesa view (gd_worth, the core's; gd_worth_reason where
// it is null), or null text without one. Kinds: none, worth, no-worth.
export function worthClaim(mesa) {
  if (!mesa || !('gd_worth' in mesa)) return { kind: 'none', text: null };
  if (mesa.gd_worth == null) return { kind: 'no-worth', text: mesa.gd_worth_reason ? `no number of gradient-descent steps: ${words(mesa.gd_worth_reason)}` : null };
  const n = Number(mesa.gd_worth.toPrecision(2));
  return { kind: 'worth', text: `at the last position the trained model is worth ${n} GD ${n === 1 ? 'step' : 'steps'} (K steps of gradient descent from W = 0, each K with its best step size)` };
}

Object.assign(MODEL_CLAIMS, { ab: modelAbClaim, hints: modelHints });
