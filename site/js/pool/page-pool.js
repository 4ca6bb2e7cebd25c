// Main thread. The page-wide pool of training workers and its transport (tenants, watchdog, holds).
// One pool of training workers for every <mesaflow-demo> of a page (issue 12). A blog post with
// six demos starts navigator.hardwareConcurrency workers (at most MAX_WORKERS), not six or more
// each: every element's runs, and its capability measurements, are a tenant of one of them
// (worker/pool-worker.js), and a run on the parallel path takes its shard sums from every worker of the pool.
// So never more workers compute at once than the machine has cores, and the memory all demos
// allocate is counted together (PAGE_BUDGET). The visible demos go first: while one of them
// trains, a demo scrolled out of view that would share its workers is held (it trains no epochs;
// it goes on where it was once let go), and so are the capability measurements on those workers. The numbers are the same bits either way: the sums are
// combined in shard order on any number of workers, and holding only delays epochs.
//
// The pool watches its workers (a ping unanswered for SILENT_MS: gone or hung; an uncaught error)
// and ends a failed one's tenants, and the tenants that took shard sums from it, with the reason
// (element/trainer-client.js turns it into the element's fault: Resume, Restart); the next attach starts
// a new worker in its place.
//
// A transport: it reads only its own messages (pong) and a message's tenant, and hands the rest to
// that tenant's client unread. What it needs to know of a tenant it asks the client (playing,
// bytes, workers, busy: getters, see attach), which calls changed() when those change.
import { toPoolWorker } from '../model/protocol.js';
import { startWorker, hostProblem } from './host.js';
import { MAX_WORKERS } from '../model/config-text.js';

export const PAGE_BUDGET = 1.5 * 2 ** 30; // bytes all demos of a page may allocate (each worker's heap is at most 2 GiB)
export const ELEMENT_BUDGET = 2 ** 30; // ... and one demo's runs
const PING_EVERY_MS = 2000; // a worker answers pings between chunks ...
const SILENT_MS = 10000; // ... so one unanswered this long means it is gone (or hung)
const SILENT_CREATING_MS = 60000; // drawing a large data set is one long call
const WORKER = new URL('../worker/pool-worker.js', import.meta.url);
// What a worker's module loads first: checked when it fails before saying anything.
const WORKER_FILES = [WORKER, new URL('../worker/data-files.js', import.meta.url), new URL('../../lib/mesaflow.js', import.meta.url), new URL('../../lib/mesaflow_core.js', import.meta.url)];

const bytesOf = (t) => t.client.bytes ?? 0;

class PagePool {
  constructor() {
    this.size = Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1));
    this.slots = []; // index -> {w, index, heard, pingSent}; null once failed, until replaced
    this.tenants = new Map(); // id -> {id, client, kind, el, slot, visible, held}
    this.next = 0;
    this.watchdog = 0;
    this.seen = new IntersectionObserver((entries) => {
      for (const e of entries) for (const t of this.tenants.values()) if (t.el === e.target) t.visible = e.isIntersecting;
      this.#rehold();
    });
  }

  // A new tenant on the worker with the fewest tenants of its kind (then of any kind); client:
  // {receive(msg), fail(reason), block(message), held(bool)} and, read when the pool decides,
  // {playing (training now), bytes (allocated by its runs over the pool), workers (the workers its
  // sums come from), busy (creating runs: a worker may be silent for a long call)}; el: the
  // element (what is visible goes first). The handle's changed() says those have changed;
  // suspect(index): the tenant's worker found pool worker `index` silent (it is replaced).
  attach(client, kind, el) {
    this.#fill();
    const on = (s) => [...this.tenants.values()].filter((t) => t.slot === s);
    const load = (s) => 1000 * on(s).filter((t) => t.kind === kind).length + on(s).length;
    const slot = this.slots.reduce((a, b) => (load(b) < load(a) ? b : a));
    const t = { id: `t${++this.next}`, client, kind, el, slot, visible: true, held: false };
    this.tenants.set(t.id, t);
    this.seen.observe(el);
    slot.w.postMessage(toPoolWorker.attach(t.id, kind));
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.#check(), PING_EVERY_MS);
    this.#rehold();
    return {
      id: t.id,
      post: (msg) => this.tenants.has(t.id) && t.slot.w.postMessage({ ...msg, tenant: t.id }),
      detach: () => this.#detach(t),
      changed: () => this.tenants.has(t.id) && this.#rehold(),
      suspect: (index) => {
        const dead = this.slots[index];
        if (dead) this.#fail(dead, 'the training worker stopped answering', 'a training sub-worker stopped answering');
      },
      // What a create of this tenant may allocate, and what the page's other demos hold.
      budget: () => {
        const others = [...this.tenants.values()].reduce((sum, u) => sum + (u === t ? 0 : bytesOf(u)), 0);
        return { budget: Math.max(0, Math.min(ELEMENT_BUDGET, PAGE_BUDGET - others)), others };
      },
    };
  }

  // What the page costs now: live workers, the pool's size, bytes allocated over all demos, the
  // budget, the tenants, those training now and the demos held.
  get stats() {
    const ts = [...this.tenants.values()];
    return {
      workers: this.slots.filter(Boolean).length, size: this.size, bytes: ts.reduce((s, t) => s + bytesOf(t), 0), budget: PAGE_BUDGET,
      tenants: ts.length, playing: ts.filter((t) => t.client.playing && !t.held).length, held: ts.filter((t) => t.held && t.kind === 'train').length,
    };
  }

  #detach(t) {
    if (!this.tenants.delete(t.id)) return;
    if (![...this.tenants.values()].some((u) => u.el === t.el)) this.seen.unobserve(t.el);
    // Every worker frees the tenant's data sets (its shard services hold copies).
    for (const s of this.slots) s?.w.postMessage(toPoolWorker.drop(t.id));
    if (!this.tenants.size) clearInterval(this.watchdog);
    this.#rehold();
  }

  // Starts the workers missing from the pool, each linked to every other by a MessageChannel.
  #fill() {
    for (let i = 0; i < this.size; i++) {
      if (this.slots[i]) continue;
      const slot = { w: startWorker(WORKER, `mesaflow pool ${i}`), index: i, heard: false, pingSent: 0 };
      this.slots[i] = slot;
      slot.w.onmessage = (e) => slot === this.slots[i] && this.#receive(slot, e.data);
      slot.w.onerror = (e) => {
        e.preventDefault?.();
        if (slot !== this.slots[i]) return;
        const failed = `the training worker failed (${e.message || 'an error in the worker'})`;
        const sub = `a training sub-worker failed (${e.message || 'an error in the sub-worker'})`;
        if (slot.heard) return this.#fail(slot, failed, sub);
        // It never started: the page's CSP, or its files do not load from here.
        hostProblem(WORKER_FILES).then((problem) => slot === this.slots[i] && (problem ? this.#fail(slot, null, null, problem) : this.#fail(slot, failed, sub)));
      };
      slot.w.onmessageerror = () => slot === this.slots[i] && this.#fail(slot, 'the training worker sent a message that could not be read', 'a training sub-worker sent a message that could not be read');
      slot.pingSent = performance.now(); // the first pong says the worker has started
      slot.w.postMessage(toPoolWorker.ping());
      for (const other of this.slots) {
        if (!other || other === slot) continue;
        const { port1, port2 } = new MessageChannel();
        slot.w.postMessage(toPoolWorker.peer(other.index, port1), [port1]);
        other.w.postMessage(toPoolWorker.peer(i, port2), [port2]);
      }
    }
  }

  // Any message is a sign of life; a tenant's goes to its client unread.
  #receive(slot, msg) {
    slot.heard = true;
    slot.pingSent = 0;
    if (msg.type === 'pong') return;
    const t = this.tenants.get(msg.tenant);
    if (!t || t.slot !== slot) return; // detached meanwhile
    t.client.receive(msg);
  }

  // Sign of life: a ping unanswered for SILENT_MS means the worker was terminated or hangs.
  #check() {
    const now = performance.now();
    const creating = [...this.tenants.values()].some((t) => t.client.busy);
    for (const slot of this.slots) {
      if (!slot) continue;
      if (!slot.pingSent) {
        slot.pingSent = now;
        slot.w.postMessage(toPoolWorker.ping());
      } else if (now - slot.pingSent > (creating ? SILENT_CREATING_MS : SILENT_MS)) {
        const s = Math.round((now - slot.pingSent) / 1000);
        this.#fail(slot, `the training worker stopped answering (for ${s} s)`, `a training sub-worker stopped answering (for ${s} s)`);
      }
    }
  }

  // The slots tenant t computes on: its own, and on the parallel path the first others in order.
  #uses(t) {
    const others = this.slots.filter((s) => s && s !== t.slot).slice(0, Math.max(0, (t.client.workers ?? 1) - 1));
    return [t.slot, ...others];
  }

  // A failed worker: its tenants end with `own`, the tenants that took shard sums from it with
  // `sub` (or, for a worker that could not start here, every tenant is blocked with `problem`).
  #fail(slot, own, sub, problem) {
    const users = [...this.tenants.values()].filter((t) => t.slot === slot || (t.kind === 'train' && this.#uses(t).includes(slot)));
    slot.w.terminate();
    this.slots[slot.index] = null;
    for (const t of users) {
      const mine = t.slot === slot;
      this.#detach(t);
      if (problem) t.client.block(problem);
      else t.client.fail(mine ? own : sub);
    }
  }

  // Holds every demo out of view that computes on a worker a demo in view trains on, and every
  // capability measurement on such a worker (the training the reader watches comes first).
  #rehold() {
    const busy = new Set();
    for (const t of this.tenants.values()) if (t.kind === 'train' && t.visible && t.client.playing) for (const s of this.#uses(t)) busy.add(s);
    for (const t of this.tenants.values()) {
      const held = t.kind === 'train' ? !t.visible && this.#uses(t).some((s) => busy.has(s)) : busy.has(t.slot);
      if (held === t.held) continue;
      t.held = held;
      t.slot.w.postMessage(toPoolWorker.hold(t.id, held));
      t.client.held?.(held);
    }
  }
}

// The page's pool, shared by every element of this copy of mesaflow.
export function pagePool() {
  const key = Symbol.for(`mesaflow.pool ${WORKER.href}`);
  return (globalThis[key] ??= new PagePool());
}
