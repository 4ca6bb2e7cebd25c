// The demo server (site/serve.mjs) survives hostile requests: bad paths, NUL and %00, bad escapes,
// traversal, huge headers, odd methods, garbage, half-sent requests and many connections at once;
// afterwards it still serves the page. Issue 20: one request with %00 used to take it down.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../site/serve.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-serve-'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>mesaflow</title>');
fs.mkdirSync(path.join(root, 'js'));
fs.writeFileSync(path.join(root, 'js', 'a.js'), 'export const a = 1;');

// Sends raw bytes, resolves to what came back (or '' when the server closed without answering).
function raw(port, bytes, { wait = 2000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      s.destroy();
      resolve(got);
    };
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.on('error', done);
    s.on('close', done);
    s.setTimeout(wait, done);
    s.on('connect', () => s.write(bytes));
  });
}

const get = (p) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

test('serve.mjs answers a few hundred hostile requests and still serves the page', async () => {
  const server = await startServer({ root });
  const { port } = server;
  try {
    const paths = ['/index.html%00.txt', '/%00', '/index.html%00', '/%', '/%zz', '/%c0%ae%c0%ae/etc/passwd', '/../../etc/passwd',
      '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '//etc/passwd', '/js/', '/js', '/js/a.js%00', '/nope',
      `/${'a'.repeat(5000)}`, `/${'%41'.repeat(3000)}`, '/index.html?x=%00', '/index.html#frag', '*', 'http://evil/x', '/\u00ff',
      '/%ff%fe', '/con', '/index.html/', '/./././index.html'];
    const requests = [];
    for (const p of paths) {
      requests.push(get(p));
      requests.push(get(p).replace('GET', 'HEAD'));
      requests.push(get(p).replace('GET', 'POST'));
      requests.push(get(p).replace('GET', 'DELETE'));
    }
    requests.push(`GET /index.html\0 HTTP/1.1\r\nHost: x\r\n\r\n`);               // a raw NUL in the path
    requests.push(`GET / HTTP/1.1\r\nHost: x\r\nX: ${'y'.repeat(100000)}\r\n\r\n`); // a huge header
    requests.push(`GET / HTTP/1.1\r\n${'H: v\r\n'.repeat(5000)}\r\n`);             // very many headers
    requests.push('\0\0\0\0garbage\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `${'A'.repeat(70000)}\r\n\r\n`);
    requests.push('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    assert.ok(requests.length >= 100);
    let answered = 0;
    for (let round = 0; round < 3; ++round) {
      const replies = await Promise.all(requests.map((r) => raw(port, r)));
      for (const [i, reply] of replies.entries()) {
        if (reply) answered++;
        // Nothing outside the root, ever.
        assert.doesNotMatch(reply, /root:x:0:0/, requests[i].slice(0, 60));
        if (/^HTTP\/1\.1 200/.test(reply)) assert.match(requests[i], /^(GET|HEAD) /, requests[i].slice(0, 60));
      }
    }
    assert.ok(answered > requests.length, `answered ${answered} of ${3 * requests.length}`);
    // Many connections at once, half of them sending half a request and waiting.
    const many = [];
    for (let k = 0; k < 300; ++k) many.push(raw(port, k % 2 ? 'GET / HTTP/1.1\r\nHost: x\r\n' : get('/index.html'), { wait: k % 2 ? 500 : 8000 }));
    const replies = await Promise.all(many);
    const ok = replies.filter((r) => /^HTTP\/1\.1 200/.test(r)).length;
    assert.ok(ok >= 100, `${ok} of the 150 whole requests answered 200`);
    // Still serving: the page, a module, a 404 and the NUL case's 400.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /mesaflow/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/js/a.js`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/index.html%00.txt`)).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${port}/../../etc/passwd`)).status, 404);
  } finally {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
