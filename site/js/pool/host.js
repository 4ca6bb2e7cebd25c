// Main thread (startWorker, hostProblem) and pool workers (wasmProblem). Starting workers from any host.
// Any host: the element's files may be served from another origin than the page that uses it (a
// static host, a package CDN). A browser starts a worker only from a script of the page's own
// origin, so a worker whose script is elsewhere is started through a same-origin bootstrap: a
// blob: module worker whose code imports the real worker module by its absolute URL (the import
// needs CORS on that host; inside the real worker import.meta.url is its own absolute URL, so its
// relative imports and the wasm it fetches are found as usual). The import is dynamic, so the
// page's Content-Security-Policy needs worker-src blob: and nothing more for the workers (a
// static import there would be checked against worker-src too), and messages that come in
// before it finishes are kept and handed on. From the page's own origin the worker script is
// started directly (a strict worker-src 'self' keeps working).
//
// When something stops the element, it says what and what to do (hostProblem, wasmProblem).

// The bootstrap's code: one line, the real module's URL as a JSON string.
const boot = (url) => `const q=[];self.onmessage=(e)=>q.push(e);import(${JSON.stringify(url)}).then(()=>{for(const e of q)self.dispatchEvent(new MessageEvent('message',{data:e.data}));},(e)=>setTimeout(()=>{throw new Error('mesaflow: could not load '+${JSON.stringify(url)}+' ('+e+')');}));`;

// A module worker running url (a URL or an absolute URL string), from any origin; name: its
// self.name (what developer tools show).
export function startWorker(url, name = '') {
  const u = new URL(url);
  if (u.origin === globalThis.location.origin) return new Worker(u, { type: 'module', name });
  const blob = URL.createObjectURL(new Blob([boot(u.href)], { type: 'text/javascript' }));
  try {
    return new Worker(blob, { type: 'module', name });
  } finally {
    URL.revokeObjectURL(blob); // the worker holds the blob from here on
  }
}

// What the Content-Security-Policy refused here (the page's, or the worker's), seen from the start.
const violations = [];
globalThis.addEventListener?.('securitypolicyviolation', (/** @type {SecurityPolicyViolationEvent} */ e) => violations.push({ directive: e.effectiveDirective, uri: e.blockedURI }));

const WORKER_CSP = (origin) => 'This page’s Content-Security-Policy does not allow the demo’s workers: they are started from blob: URLs ' +
  `(a browser starts a worker only from the page’s own origin, and the demo’s files are at ${origin}). ` +
  'Add blob: to worker-src (or to child-src, or script-src, whichever the policy sets; default-src if it sets none of them), e.g. worker-src blob:.';
const CONNECT_CSP = (url, origin) => `This page’s Content-Security-Policy does not let the demo fetch ${url}: add ${origin} to connect-src.`;
const NO_CORS = (url) => `The demo’s files are served without CORS headers: ${url} came without Access-Control-Allow-Origin, so this page ` +
  `(${globalThis.location.origin}) may not load it into a worker. Serve the demo’s files with the header Access-Control-Allow-Origin: * ` +
  '(as package CDNs do), or serve them from this page’s own origin.';
const MISSING = ' The demo loads its files from the folder of its js/element.js: serve every file of the package there, in its own folders (js/, lib/, css/, vendor/).';
export const WASM_CSP = 'This page’s Content-Security-Policy does not allow WebAssembly: add \'wasm-unsafe-eval\' to script-src ' +
  '(the demo compiles its module with WebAssembly; it needs no \'unsafe-eval\').';

// Why a fetch of url failed: the page's CSP, no CORS header (the file is there, but not for this
// origin), or not there at all; null if it loads.
async function fetchProblem(url) {
  const { origin } = new URL(url);
  const before = violations.length;
  try {
    const r = await fetch(url, { method: 'HEAD', mode: 'cors', cache: 'no-store' });
    return r.ok ? null : `${url} could not be loaded: the host answered ${r.status} ${r.statusText}.`.replace(' .', '.') + MISSING;
  } catch {}
  if (violations.slice(before).some((v) => v.directive === 'connect-src')) return CONNECT_CSP(url, origin);
  try {
    await fetch(url, { method: 'HEAD', mode: 'no-cors', cache: 'no-store' });
    return NO_CORS(url);
  } catch {
    return `${url} could not be fetched (the host does not answer, or the network failed).`;
  }
}

// Why a worker of these files failed before it said anything: the page's CSP refused the worker,
// or one of urls (the worker's module and what it imports) does not load; null if none of these.
export async function hostProblem(urls) {
  await new Promise((resolve) => setTimeout(resolve, 50)); // a violation is reported after the failure
  const origin = new URL(urls[0]).origin;
  if (violations.some((v) => v.directive === 'worker-src' || (v.directive === 'child-src' && /^blob/.test(v.uri)))) return WORKER_CSP(origin);
  for (const url of urls) {
    const problem = await fetchProblem(String(url));
    if (problem) return problem;
  }
  return null;
}

// In a worker whose module did not load: the CSP forbids WebAssembly (an empty module does not
// compile), or the wasm file does not load from here; null if neither (another failure).
export async function wasmProblem(wasmUrl) {
  try {
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  } catch {
    return WASM_CSP;
  }
  return fetchProblem(String(wasmUrl));
}
