// The element's store (site/js/element/store.js, as site/build.mjs ships it): commands take effect
// in the order they are made, whether each is synchronous or awaits, also
// one made while an earlier command hands over to the next; "playing" is one state that Play,
// Pause and the end of training change. Imports build/site/js (runs `node site/build.mjs` first
// if needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'element', 'store.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { Store } = await import(pathToFileURL(path.join(JS, 'element', 'store.js')).href);

const host = () => ({ updates: 0, requestUpdate() { this.updates++; } });
const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('commands take effect in the order they are made', async () => {
  const store = new Store(host(), null);
  const done = [];
  // An idle store runs a synchronous command at once.
  store.command(() => done.push('a'));
  assert.deepEqual(done, ['a']);
  // One that awaits holds the later ones, synchronous or not, until it is done.
  store.command(async () => {
    await later(30);
    done.push('b');
  });
  store.command(() => done.push('c'));
  const d = store.command(async () => {
    await later(5);
    done.push('d');
    return 'd';
  });
  store.command(() => done.push('e'));
  assert.deepEqual(done, ['a']);
  assert.equal(await d, 'd');
  await later(0);
  assert.deepEqual(done, ['a', 'b', 'c', 'd', 'e']);
  // While one command hands over to the next (the first settled, the next not yet started), a new
  // command still waits for the next.
  const order = [];
  let release;
  store.command(() => new Promise((resolve) => (release = resolve)));
  store.command(() => order.push('queued'));
  release();
  await Promise.resolve(); // the first command's promise has settled; the queued one not started
  store.command(() => order.push('new'));
  await later(5);
  assert.deepEqual(order, ['queued', 'new']);
  assert.equal(store.pending, 0);
  // A command that fails does not stop the ones after it; its caller sees the failure.
  const failed = store.command(async () => {
    await later(1);
    throw new Error('no');
  });
  const after = store.command(() => 'after');
  await assert.rejects(failed, /no/);
  assert.equal(await after, 'after');
});

test('playing is one state: Play, Pause, the end of training', () => {
  const h = host();
  const store = new Store(h, null);
  assert.equal(store.phase, 'paused');
  store.play();
  assert.ok(store.playing);
  assert.equal(store.training, false, 'no runs yet: nothing trains, the wish stays');
  store.stopped('paused'); // the worker's answer to an earlier pause: the wish since then stands
  assert.ok(store.playing);
  store.setFault({ message: 'gone', resumable: true, blocked: false });
  assert.ok(store.playing, 'a fault keeps the wish: Resume plays on');
  store.setFault(null);
  store.stopped('done');
  assert.equal(store.phase, 'finished');
  store.play();
  store.pause();
  assert.equal(store.phase, 'paused');
  assert.ok(h.updates >= 6, 'every change asks the host to render');
});
