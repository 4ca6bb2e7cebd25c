// Main thread. The element's controller of the capability view's measured points (a pool tenant).
// The measured points of the capability view: trainings at a few context lengths (worker/capability-measurer.js),
// a tenant of its own in the page's pool (pool/page-pool.js), on another worker than the element's runs
// where the pool has one; a new configuration ends the measurements of the old one.
import { toCapability } from '../model/protocol.js';
import { pagePool } from '../pool/page-pool.js';

// Context lengths measured (the run's own T is drawn from the run itself).
const TS = [4, 8, 16, 32];

export class Measure {
  // views: the Views (addCapabilityPoint draws a point).
  constructor(views, el) {
    this.views = views;
    this.el = el;
    this.tenant = null;
    this.ready = false;
    this.waiting = null; // the request made before the tenant was ready
    this.seq = 0;
    this.key = '';
    views.onMeasure((cfg) => this.start(cfg));
  }

  // Measures for cfg (a configuration whose theory applies), unless already doing so.
  start(cfg) {
    const key = JSON.stringify({ ...cfg, T: 0, m: 0, test_m: 0, epochs: 0, lr: 0, a0: 0, b0: 0, eval_every: 0 });
    if (key === this.key) return;
    this.key = key;
    const seq = ++this.seq;
    const request = toCapability.measure(seq, cfg, TS);
    if (!this.tenant) {
      this.tenant = pagePool().attach(this, 'measure', this.el);
      this.ready = false;
    }
    if (this.ready) this.tenant.post(request);
    else this.waiting = request;
  }

  // From the pool (pool/page-pool.js): the tenant's messages, and its end.
  receive(data) {
    if (data.type === 'ready') {
      this.ready = true;
      if (this.waiting) this.tenant.post(this.waiting);
      this.waiting = null;
      return;
    }
    if (data.seq !== this.seq) return;
    if (data.type === 'point') this.views.addCapabilityPoint(data.point);
    if (data.type === 'failed') console.warn(`mesaflow: a capability point could not be measured: ${data.error}`);
  }

  fail(reason) {
    this.tenant = null;
    this.key = '';
    console.warn(`mesaflow: the capability points stopped: ${reason}`);
  }

  block() {
    this.tenant = null;
    this.key = '';
  }

  stop() {
    this.tenant?.detach();
    this.tenant = null;
    this.key = '';
  }
}
