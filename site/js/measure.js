// The measured points of the capability view: a worker of their own (capability-worker.js) trains
// at a few context lengths while the view is on the page, so the main training is not slowed; a
// new configuration ends the measurements of the old one.
import { toCapability } from './protocol.js';
import { startWorker } from './host.js';

// Context lengths measured (the run's own T is drawn from the run itself).
const TS = [4, 8, 16, 32];

export class Measure {
  // views: the Views (addCapabilityPoint draws a point).
  constructor(views) {
    this.views = views;
    this.worker = null;
    this.seq = 0;
    this.key = '';
    views.measure = (cfg) => this.start(cfg);
  }

  // Measures for cfg (a configuration whose theory applies), unless already doing so.
  start(cfg) {
    const key = JSON.stringify({ ...cfg, T: 0, m: 0, test_m: 0, epochs: 0, lr: 0, a0: 0, b0: 0, eval_every: 0 });
    if (key === this.key) return;
    this.key = key;
    this.worker ??= startWorker(new URL('./capability-worker.js', import.meta.url));
    const seq = ++this.seq;
    this.worker.onmessage = ({ data }) => {
      if (data.seq !== this.seq) return;
      if (data.type === 'point') this.views.addCapabilityPoint(data.point);
      if (data.type === 'failed') console.warn(`mesaflow: a capability point could not be measured: ${data.error}`);
    };
    this.worker.postMessage(toCapability.measure(seq, cfg, TS));
  }

  stop() {
    this.worker?.terminate();
    this.worker = null;
    this.key = '';
  }
}
