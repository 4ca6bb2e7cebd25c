// Pool worker (entry). One wasm module serving the tenants and shard sums of the page's pool.
// Module worker of the page's pool (pool/page-pool.js): owns one wasm module and serves several tenants
// (each element's runs, worker/trainer.js; each element's capability measurements, worker/capability-measurer.js), and
// the shard sums of every tenant of the pool that trains on the parallel path (worker/shard-service.js), over a
// MessagePort to each other worker of the pool. Messages: model/protocol.js; a tenant's carry its id.
import { loadMesaflow } from '../../lib/mesaflow.js';
import { toWorker, toPage, fromPoolWorker, why } from '../model/protocol.js';
import { wasmProblem } from '../pool/host.js';
import { Trainer } from './trainer.js';
import { Measurer } from './capability-measurer.js';
import { ShardService } from './shard-service.js';
import { Link } from './shard-pool.js';

const loaded = loadMesaflow();
const tenants = new Map(); // tenant id -> Trainer or Measurer
const holds = new Map(); // tenant id -> held, as the pool last said (also before the tenant is ready)
const peers = new Map(); // pool index -> Link to that worker's shard service
let shards = null; // this worker's ShardService, once the module is loaded
let local = null; // the Link to it, answered here without a message

// The Links of a ShardPool: this worker's own service first, then the peers in pool order.
const links = () => [local, ...[...peers.keys()].sort((a, b) => a - b).map((i) => peers.get(i))];

// A port to another worker of the pool: its requests are served here, our requests' answers
// come back on it (a request has a type, an answer only its seq).
function addPeer({ index, port }) {
  const link = new Link((msg) => port.postMessage(msg), index);
  peers.set(index, link);
  port.onmessage = async ({ data }) => {
    if (!data.type) return link.answer(data);
    await loaded;
    const [answer, transfer] = shards.handle(data);
    port.postMessage(answer, transfer);
  };
}

// The tenant's own post: every message it sends carries its id.
async function attach({ tenant, kind }) {
  holds.set(tenant, false);
  const send = (msg) => postMessage({ ...msg, tenant });
  try {
    const mf = await loaded;
    if (!holds.has(tenant)) return; // dropped while the module loaded
    const t = kind === 'train' ? new Trainer(mf, send, links, tenant) : new Measurer(mf, send);
    tenants.set(tenant, t);
    t.held = holds.get(tenant); // a hold the pool decided while the module loaded
    send(toPage.ready(mf.version));
  } catch (e) {
    // A module that does not load because of the page or the host (its CSP, CORS) is `blocked`,
    // with what to do; anything else is a fault.
    const problem = await wasmProblem(new URL('../../lib/mesaflow_core.wasm', import.meta.url));
    send(problem ? toPage.blocked(problem) : toPage.error(`could not load the WebAssembly module: ${why(e)}`, true));
  }
}

function hold({ tenant, held }) {
  if (!holds.has(tenant)) return;
  holds.set(tenant, held);
  const t = tenants.get(tenant);
  // A trainer's in its queue (a chunk under way finishes first), as its other messages.
  if (t instanceof Trainer) t.enqueue(() => t.hold({ held }));
  else t?.hold({ held });
}

function drop({ tenant }) {
  holds.delete(tenant);
  tenants.get(tenant)?.drop();
  tenants.delete(tenant);
  shards?.drop(tenant);
}

// The pool's own messages (toPoolWorker: ping, attach, drop, hold, peer) first; a ping is answered at
// once (between chunks), outside any queue: the pool's sign of life. A trainer's other messages (toWorker) are its methods of the same name,
// queued; a measurer's are called at once.
self.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ping':
      return postMessage(fromPoolWorker.pong());
    case 'attach':
      return attach(data);
    case 'drop':
      return drop(data);
    case 'hold':
      return hold(data);
    case 'peer':
      return addPeer(data);
  }
  const t = tenants.get(data.tenant);
  if (!t) return; // dropped meanwhile, or not attached yet (the pool waits for `ready`)
  if (t instanceof Measurer) return t[data.type]?.(data);
  if (Object.hasOwn(toWorker, data.type)) t.enqueue(() => t[data.type](data));
};
loaded.then((mf) => {
  shards = new ShardService(mf);
  // Computed once the requests to the peers are posted (a ShardPool asks every link in turn).
  local = new Link((msg) => queueMicrotask(() => local.answer(shards.handle(msg)[0])));
}, () => {});
