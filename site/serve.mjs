// A small static server for build/site (no dependencies). Run: PORT=8080 node site/serve.mjs
// (prints the story's URL, /, which is index.html, and the laboratory's, /lab.html).
// Also used by the browser tests: import { startServer } from '../../site/serve.mjs'.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'site');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// headers(rel): more response headers for the file at path rel (e.g. CORS, a CSP), or none.
// Every request is answered or dropped, never thrown out of: a NUL in the path (%00), a bad
// escape, a method other than GET or HEAD, or a read error each get their status.
function handler(root, headers) {
  const serve = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end('method not allowed');
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (rel.includes('\0') || rel.length > 1024) {
      res.writeHead(400).end('bad request');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        // The extra headers on a 404 too: a host that sends CORS headers sends them on every answer.
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers?.(rel) }).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...headers?.(rel),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());  // removed or unreadable since the stat
      stream.pipe(res);
    });
  };
  return (req, res) => {
    res.on('error', () => {});  // a client gone mid-answer
    try {
      serve(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(400).end('bad request');
      else res.destroy();
    }
  };
}

// Starts the server; port 0 picks a free port; root: another folder to serve (the tests serve the
// package's files); headers(rel): more headers for a file. Resolves to {url, port, close()}.
export function startServer({ port = 0, host = '127.0.0.1', root = ROOT, headers = null } = {}) {
  if (!fs.existsSync(path.join(root, root === ROOT ? 'index.html' : ''))) {
    return Promise.reject(new Error(`${root}/index.html not found: run "node site/build.mjs" first`));
  }
  // Bounded headers (16 KiB: larger ones get 431 from node) and time to send them.
  const server = http.createServer({ maxHeaderSize: 16384, requestTimeout: 30000, headersTimeout: 10000 }, handler(root, headers));
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const p = server.address().port;
      resolve({ url: `http://localhost:${p}/`, port: p, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT || 8080);
  startServer({ port }).then(
    ({ url }) => console.log(`mesaflow demo: ${url} (the story: the paper's three results, trained live)\n  the laboratory (every setting, compare, your own data, exports): ${url}lab.html`),
    (err) => {
      console.error(`serve.mjs: ${err.message}`);
      process.exit(1);
    },
  );
}
