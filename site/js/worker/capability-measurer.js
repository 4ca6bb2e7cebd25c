// Pool worker. A tenant that trains at several T for the capability view's points.
// The measured points of the capability view (issue 9), a tenant of a pool worker (worker/pool-worker.js,
// pool/page-pool.js) of kind 'measure'. For each context length T it trains the model to convergence from the paper's (0.5, 1.5) initialisation on the page's
// first-token distribution and reports what the trained model does at the last position, beside
// the theory's prediction at that T. Asked by the page when the view is shown; each point is a
// real training: mf.planTraining gives a step that follows the gradient flow (ode.hpp) and the
// epochs that bring its ODE to within 0.1% of c*(T). Messages: model/protocol.js (toCapability, fromCapability).
import { fromCapability, why } from '../model/protocol.js';

const MAX_M = 4000; // training sequences: enough that ab is within about 1% of c*(T) for gaussian (README)
const MIN_M = 500;
const TEST_M = 4000; // the error at the last position is measured on this many test sequences
const FLOPS_PER_POINT = 4e10; // about 10 s at 4 GFLOP/s: m is reduced to fit

export class Measurer {
  /** @param {import('../../lib/mesaflow.js').Mesaflow} mf */
  constructor(mf, post) {
    this.mf = mf;
    this.post = post;
    this.current = 0; // the measure request being served; a newer one (or drop) ends the older
    this.held = false; // a visible demo of the page is training: wait
  }

  measure(data) {
    return this.#measure(data).catch((e) => this.post(fromCapability.failed(data.seq, why(e))));
  }

  hold({ held }) {
    this.held = held;
  }

  drop() {
    this.current = -1;
  }

  async #measure({ seq, cfg, Ts }) {
    this.current = seq;
    const mf = this.mf;
    for (const T of Ts) {
      if (seq !== this.current) return;
      const base = { ...cfg, T, a0: 0.5, b0: 1.5, init: 'diagonal', method: 'gd', test_m: TEST_M, clip: cfg.clip };
      const plan = mf.planTraining({ ...base, m: MIN_M });
      const perEpoch = mf.epochFlops({ ...base, m: MAX_M, test_m: 1 });
      const m = Math.max(MIN_M, Math.min(MAX_M, Math.floor((MAX_M * FLOPS_PER_POINT) / (perEpoch * Math.max(1, plan.epochs)))));
      const run = { ...base, m, lr: plan.lr, epochs: plan.epochs, eval_every: plan.epochs };
      const s = mf.createSession(run);
      try {
        while (!s.done) {
          s.run(20);
          // A newer request may come in between; while held, wait.
          do await new Promise((r) => setTimeout(r, this.held ? 100 : 0));
          while (this.held && seq === this.current);
          if (seq !== this.current) return;
        }
        const h = s.history(), th = s.theory(), last = h.epoch.length - 1;
        const perCoordinate = th.M2 / cfg.d;
        this.post(fromCapability.point(seq, {
          T, m, epochs: plan.epochs, lr: plan.lr, diverged: s.diverged,
          ab: h.ab[last], c_star_T: th.c_star_T, c_star_empirical: th.c_star_empirical,
          last_mse: h.last_mse[last], last_mse_pred: th.last_mse_pred,
          relative_error: h.last_mse[last] / perCoordinate, relative_error_pred: th.relative_error_pred,
          ratio: h.ratio[last], ratio_pred: th.ratio_pred,
        }));
      } finally {
        s.delete();
      }
    }
    this.post(fromCapability.done(seq));
  }
}
