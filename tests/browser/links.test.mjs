// Crafted links: every URL key x a list of hostile values (markup, script URLs, huge numbers,
// NaN, negative sizes, unicode digits, bidi overrides, 10,000-character strings, empty). For each
// link: no script ran, no markup was inserted, no console error / page error / CSP violation, the
// page settled within a few seconds, an invalid value is reported by a message naming its key and
// has no effect; then, per key, the field is corrected (by a link, and once through the settings
// form) and the demo trains. One page, many hash changes (element/url-sync.js re-applies the hash).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, shadow, openSettings } from './helpers.mjs';

// --- What is valid: written from the documented options (core/cli/README.md "Options" table, wasm/API.md),
// not read from the code under test. --------------------------------------------------------
const N = (min, max, minOpen = false) => ({ kind: 'number', min, max, minOpen });
const I = (min, max) => ({ kind: 'int', min, max });
const E = (...choices) => ({ kind: 'enum', choices });
const B = { kind: 'bool' };
const FIELDS = {
  x1: E('gaussian', 'sparse', 'full-one', 'rademacher', 'unit-phase'),
  scale: N(0.001, 1000),
  d: I(1, 32),
  T: I(3, 100000),
  m: I(1, 1e7),
  init: E('diagonal', 'gaussian'),
  a0: N(-100, 100),
  b0: N(-100, 100),
  'sigma-w': N(0, 100),
  lr: N(0, 10, true),
  epochs: I(0, 1e7),
  'eval-every': I(1, 1e7),
  'test-m': I(1, 1e7),
  clip: B,
  seed: I(0, 2 ** 53 - 1),
  method: E('gd', 'flow'),
};
// The config object's key for a field name (mf.defaults() uses identifiers).
const CFG_KEY = { 'sigma-w': 'sigma_w', 'eval-every': 'eval_every', 'test-m': 'test_m' };
const cfgKey = (name) => CFG_KEY[name] ?? name;
const PRESET_NAMES = ['quick', 'quick-gaussian', 'sparse-two', 'gaussian-init', 'gaussian-0.5', 'gaussian-1', 'gaussian-2', 'sparse-0.5', 'sparse-1', 'sparse-2', 'full-one', 'full-one-clip'];
const EXTRAS = {
  preset: E(...PRESET_NAMES),
  compare: B,
  workers: { kind: 'workers' }, // 'auto' or a whole number in [1, 8] (the page's pool: at most 8 workers)
  controls: E('hide'), // pure CSS switches: a message is optional
  text: E('hide'),
};

// URL key -> {name (the field / extra it sets), spec}. 't' is 'T' (HTML lower-cases attributes).
const KEYS = [
  ...Object.keys(FIELDS).map((k) => [k, { name: k, spec: FIELDS[k], field: true }]),
  ['t', { name: 'T', spec: FIELDS.T, field: true }],
  ...Object.keys(EXTRAS).map((k) => [k, { name: k, spec: EXTRAS[k], field: false, optionalMessage: k === 'controls' || k === 'text' }]),
];
// controls / text persist on the element (pure CSS): keep them last so that hiding the
// controls does not change what the other keys' cases can see.
KEYS.sort((a, b) => Number(['controls', 'text'].includes(a[0])) - Number(['controls', 'text'].includes(b[0])));

// A number as a person types it: ASCII digits, optional sign, point and exponent.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOL_WORDS = ['', 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off'];
function isValid(spec, raw) {
  const s = raw.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
  switch (spec.kind) {
    case 'bool':
      return BOOL_WORDS.includes(s.toLowerCase());
    case 'enum':
      return spec.choices.includes(s);
    case 'workers': {
      if (s === 'auto') return true;
      const v = Number(s);
      return /^\d+$/.test(s) && v >= 1 && v <= 8;
    }
    default: {
      if (!DECIMAL.test(s)) return false;
      const v = Number(s);
      if (!Number.isFinite(v) || v < spec.min || v > spec.max || (spec.minOpen && v === spec.min)) return false;
      return spec.kind !== 'int' || Number.isInteger(v);
    }
  }
}

// --- Hostile values ------------------------------------------------------------------------
const MARKUP = '<img src=x onerror=window.__pwned=6>';
const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  '"><svg onload=window.__pwned=3>',
  'javascript:window.__pwned=4',
  '1e400',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '-5',
  '-1e9',
  '\uFF15', // fullwidth digit five
  '\u0663', // arabic-indic digit three
  '\u{1F916}', // an emoji
  '\u202E5', // right-to-left override, then 5
  '9'.repeat(10000),
  MARKUP.repeat(Math.ceil(10000 / MARKUP.length)).slice(0, 10000),
  '',
];
const hasMarkup = (v) => /[<>"]|javascript:/.test(v);
const label = (v) => {
  const j = JSON.stringify(v).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
  return j.length > 32 ? `${j.slice(0, 24)}…(${v.length} chars)` : j;
};

// Per key: the value a user would correct it to, and how to see it took effect.
const GOOD = {
  x1: ['sparse', (c) => c.x1 === 'sparse'],
  scale: ['0.5', (c) => c.scale === 0.5],
  d: ['3', (c) => c.d === 3],
  T: ['10', (c) => c.T === 10],
  t: ['12', (c) => c.T === 12],
  m: ['500', (c) => c.m === 500],
  init: ['gaussian', (c) => c.init === 'gaussian'],
  a0: ['0.5', (c) => c.a0 === 0.5],
  b0: ['1.5', (c) => c.b0 === 1.5],
  'sigma-w': ['0.05', (c) => c.sigma_w === 0.05],
  lr: ['0.001', (c) => c.lr === 0.001],
  epochs: ['5', (c) => c.epochs === 5],
  'eval-every': ['2', (c) => c.eval_every === 2],
  'test-m': ['200', (c) => c.test_m === 200],
  clip: ['true', (c) => c.clip === true],
  seed: ['7', (c) => c.seed === 7],
  method: ['flow', (c) => c.method === 'flow'],
  preset: ['gaussian-0.5', (c) => c.scale === 0.5 && c.T === 100],
  compare: ['true', (c, o) => /(^|&)compare=true(&|$)/.test(o.params)],
  workers: ['1', (c, o) => o.workers === 1 && /(^|&)workers=1(&|$)/.test(o.params)],
  controls: ['hide', (c, o) => o.toolbarVisible === false],
  text: ['hide', (c, o) => o.textVisible === false],
};

const hashFor = (key, value) => `#${key === 'preset' ? '' : 'preset=quick&'}${key}=${encodeURIComponent(value)}`;

// --- In-page probes --------------------------------------------------------------------------
// Sets the hash and waits until the demo has taken a configuration from it (mesaflow-config, or
// "Not started" when the worker refuses it). Returns what a user / the checks can see.
// How long a link may take to settle: generous, since a loaded CI machine is slow (this bounds a
// hang, it does not measure speed).
const SETTLE_MS = 20000;

async function tryLink(page, hash, { settleMs = 0, timeout = SETTLE_MS } = {}) {
  return page.evaluate(
    async ({ hash, settleMs, timeout, fieldNames }) => {
      const el = document.querySelector('mesaflow-demo');
      const root = el.shadowRoot;
      const status = () => root.getElementById('status').textContent;
      const t0 = performance.now();
      const before = window.__linksConfigs;
      const sameHash = location.hash === hash;
      location.hash = hash;
      let settled = sameHash ? 'same-hash' : false;
      while (!settled && performance.now() - t0 < timeout) {
        await new Promise((r) => setTimeout(r, 10));
        if (window.__linksConfigs !== before) settled = 'config';
        else if (/^Not started/.test(status())) settled = 'not-started';
      }
      const ms = Math.round(performance.now() - t0);
      if (settleMs) await new Promise((r) => setTimeout(r, settleMs));
      const visible = (n) => !!n && !n.hidden && n.checkVisibility() && n.textContent.trim() !== '';
      const alert = root.getElementById('alert');
      const errs = {};
      for (const f of fieldNames) {
        const span = root.getElementById(`f-${f}-err`);
        const input = root.getElementById(`f-${f}`);
        errs[f] = span ? { text: span.textContent, visible: visible(span), invalid: input?.getAttribute('aria-invalid') === 'true' } : null;
      }
      const toolbar = root.querySelector('.toolbar.share'); // controls="hide" keeps only Play in the main toolbar
      const text = root.querySelector('.text');
      return {
        settled,
        ms,
        status: status(),
        config: el.config,
        params: el.params,
        workers: el.workers,
        epochs: el.history.epoch,
        alert: { text: alert.textContent, visible: visible(alert) },
        errs,
        toolbarVisible: toolbar ? toolbar.checkVisibility() : null,
        textVisible: text ? text.checkVisibility() : null,
      };
    },
    { hash, settleMs, timeout, fieldNames: Object.keys(FIELDS) },
  );
}

// Elements that could run script or load something, and inline event-handler attributes,
// in the document and in the demo's shadow root. Plus the marker the payloads would set.
const DANGEROUS = 'script, img, svg, iframe, object, embed, frame, image, foreignObject, a[href^="javascript" i], base, meta[http-equiv="refresh" i]';
async function inventory(page) {
  return page.evaluate((sel) => {
    const count = (root) => {
      const out = { handlers: 0 };
      for (const n of root.querySelectorAll(sel)) out[n.localName] = (out[n.localName] || 0) + 1;
      for (const n of root.querySelectorAll('*')) for (const a of n.getAttributeNames()) if (/^on/i.test(a)) out.handlers++;
      return out;
    };
    return {
      pwned: '__pwned' in window ? String(window.__pwned) : undefined,
      doc: count(document),
      shadow: count(document.querySelector('mesaflow-demo').shadowRoot),
    };
  }, DANGEROUS);
}

function moreThan(now, base) {
  const extra = [];
  for (const where of ['doc', 'shadow']) {
    for (const [k, n] of Object.entries(now[where])) if (n > (base[where][k] || 0)) extra.push(`${where}: ${n} ${k} (clean load: ${base[where][k] || 0})`);
  }
  return extra;
}

async function play(page, epoch = 2, timeout = 20000) {
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(
    (e) => {
      const h = document.querySelector('mesaflow-demo').history;
      return h.epoch.length > 0 && h.epoch[h.epoch.length - 1] >= e;
    },
    epoch,
    { timeout, polling: 50 },
  );
  await page.evaluate(() => document.querySelector('mesaflow-demo').pause());
}

// --- The matrix ------------------------------------------------------------------------------
let ctx;
let page;
let clean; // inventory of a clean load
let base; // config of a clean preset=quick load
let cases = 0;
let validCases = 0;
const failures = []; // every failing case, for one readable list at the end

before(async () => {
  ctx = await setup();
  page = await openPage(ctx, 'lab.html#preset=quick');
  await waitReady(page);
  await page.evaluate(() => {
    window.__linksConfigs = 0;
    document.querySelector('mesaflow-demo').addEventListener('mesaflow-config', () => window.__linksConfigs++);
  });
  // A full configuration cycle, so the clean inventory includes what configuring creates.
  const o = await tryLink(page, '#preset=quick&seed=1');
  assert.ok(o.settled, 'a clean link settles');
  base = o.config;
  clean = await inventory(page);
  assert.equal(clean.pwned, undefined);
});

after(async () => {
  console.log(`links: ${cases} hostile cases (${validCases} of them valid values), ${KEYS.length} keys x ${HOSTILE.length} values`);
  if (failures.length) console.log(`links: ${failures.length} failing cases:\n  ${failures.join('\n  ')}`);
  await page?.close();
  await teardown(ctx);
});

for (const [key, { name, spec, field, optionalMessage }] of KEYS) {
  test(`${key}: hostile values in a link run nothing and are reported; a corrected link trains`, async () => {
    const fails = [];
    for (const value of HOSTILE) {
      cases++;
      const valid = isValid(spec, value);
      if (valid) validCases++;
      const problemsBefore = page.problems.length;
      const o = await tryLink(page, hashFor(key, value), { settleMs: hasMarkup(value) ? 50 : 0 });
      const inv = await inventory(page);
      const bad = [];
      if (!o.settled) bad.push(`did not settle within ${SETTLE_MS / 1000} s (status: ${JSON.stringify(o.status.slice(0, 80))})`);
      if (o.settled === 'same-hash') bad.push('test bug: the hash did not change');
      if (inv.pwned !== undefined) bad.push(`SCRIPT RAN: window.__pwned = ${inv.pwned}`);
      bad.push(...moreThan(inv, clean).map((s) => `markup inserted: ${s}`));
      if (page.problems.length > problemsBefore) bad.push(`problems: ${page.problems.slice(problemsBefore).join(' | ').slice(0, 300)}`);
      if (o.epochs.some((e) => e > 0)) bad.push(`history beyond epoch 0: ${o.epochs.slice(-3)}`);
      // No collateral errors on fields that are not in the link.
      for (const [f, e] of Object.entries(o.errs)) if (f !== name && e && e.text) bad.push(`error shown on ${f}, which is not in the link: ${JSON.stringify(e.text.slice(0, 80))}`);

      const keyRe = new RegExp(`(^|\\s)${name.replace(/[-]/g, '\\-')}: `);
      const visibleNaming = (o.alert.visible && keyRe.test(o.alert.text)) || (field && o.errs[name]?.visible && o.errs[name].text.startsWith(`${name}: `));
      if (!valid) {
        if (field) {
          const e = o.errs[name];
          if (!e) bad.push(`no input #f-${name} in the form`);
          else {
            if (!e.text.startsWith(`${name}: `)) bad.push(`#f-${name}-err does not start with "${name}: " (it is ${JSON.stringify(e.text.slice(0, 80))})`);
            if ((spec.kind === 'int' || spec.kind === 'number') && !/[[(][^\])]*\]/.test(e.text)) bad.push(`#f-${name}-err names no range: ${JSON.stringify(e.text.slice(0, 120))}`);
            if (!e.invalid) bad.push(`#f-${name} is not aria-invalid`);
          }
          if (o.config && o.config[cfgKey(name)] !== base[cfgKey(name)]) bad.push(`the bad value took effect: ${cfgKey(name)} = ${JSON.stringify(o.config[cfgKey(name)])}`);
        } else if (key === 'preset') {
          if (o.config && JSON.stringify(o.config) !== JSON.stringify(base)) bad.push('an unknown preset did not fall back to quick');
        } else if (key === 'compare') {
          if (/(^|&)compare=/.test(o.params)) bad.push(`the bad value took effect: params ${o.params}`);
        } else if (key === 'workers') {
          if (/(^|&)workers=/.test(o.params)) bad.push(`the bad value took effect: params ${o.params}`);
        }
        if (!optionalMessage && !visibleNaming) {
          bad.push(`no visible message naming "${name}" (alert: ${JSON.stringify(o.alert.text.slice(0, 100))}, visible ${o.alert.visible})`);
        }
      } else {
        if (field && o.errs[name]?.text) bad.push(`valid value reported as an error: ${JSON.stringify(o.errs[name].text.slice(0, 80))}`);
        if (keyRe.test(o.alert.text)) bad.push(`valid value reported in the alert: ${JSON.stringify(o.alert.text.slice(0, 80))}`);
      }
      for (const b of bad) fails.push(`${key}=${label(value)} (${valid ? 'valid' : 'invalid'}): ${b}`);
    }

    // Correct the field with a link and train.
    const [good, check] = GOOD[key];
    const problemsBefore = page.problems.length;
    const o = await tryLink(page, `#${key}=${encodeURIComponent(good)}${key === 'preset' ? '' : '&preset=quick'}`);
    assert.ok(isValid(spec, good), `test bug: ${key}=${good} should be valid`);
    if (!o.settled) fails.push(`${key}=${good} (correction): did not settle`);
    else {
      if (!check(o.config, o)) fails.push(`${key}=${good} (correction): did not take effect (params ${o.params})`);
      if (field && o.errs[name]?.text) fails.push(`${key}=${good} (correction): the error stays: ${JSON.stringify(o.errs[name].text.slice(0, 80))}`);
      if (o.alert.text) fails.push(`${key}=${good} (correction): the alert stays: ${JSON.stringify(o.alert.text.slice(0, 80))}`);
      try {
        await play(page, 2);
      } catch (err) {
        const st = await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent);
        fails.push(`${key}=${good} (correction): did not train to epoch 2 (${err.message.split('\n')[0]}; status ${JSON.stringify(st.slice(0, 100))})`);
      }
    }
    const inv = await inventory(page);
    if (inv.pwned !== undefined) fails.push(`${key}: SCRIPT RAN (seen after the correction): window.__pwned = ${inv.pwned}`);
    if (page.problems.length > problemsBefore) fails.push(`${key}=${good} (correction): problems: ${page.problems.slice(problemsBefore).join(' | ').slice(0, 300)}`);

    failures.push(...fails);
    assert.deepEqual(fails, [], `${fails.length} failing cases for key ${key}`);
  });
}

test('a link without controls / text shows the controls and texts again (each link replaces the whole state)', async () => {
  const hidden = await tryLink(page, '#preset=quick&controls=hide&text=hide');
  assert.equal(hidden.toolbarVisible, false);
  assert.equal(hidden.textVisible, false);
  const shown = await tryLink(page, '#preset=quick&epochs=50');
  assert.ok(shown.settled);
  assert.equal(shown.toolbarVisible, true, 'controls are shown again');
  assert.equal(shown.textVisible, true, 'texts are shown again');
  assert.deepEqual(page.problems, []);
});

test('a repeated URL key: the last value is used and the page says so, naming every value', async () => {
  cases++;
  const p = await openPage(ctx, 'lab.html#preset=quick&lr=0.01&lr=50&lr=0.02');
  try {
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('mesaflow-demo').config?.lr === 0.02, null, { timeout: 20000 });
    const alert = await shadow(p, '#alert').textContent();
    assert.match(alert, /URL key lr is given 3 times \("0\.01", "50", "0\.02"\): the last, "0\.02", is used/);
    assert.equal(await shadow(p, '#alert').isVisible(), true);
    await play(p, 2);
    assert.equal(await p.evaluate(() => document.querySelector('mesaflow-demo').config.lr), 0.02);
    assert.deepEqual(p.problems, []);
  } finally {
    await p.close();
  }
});

test('a bad lr link, corrected in the settings form (Enter), trains', async () => {
  cases++;
  const p = await openPage(ctx, `lab.html#preset=quick&lr=${encodeURIComponent('<img src=x onerror="window.__pwned=7">')}`);
  try {
    await waitReady(p);
    await p.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-lr-err')?.textContent);
    assert.match(await shadow(p, '#f-lr-err').textContent(), /^lr: /);
    assert.match(await shadow(p, '#f-lr-err').textContent(), /[[(][^\])]*\]/, 'the message names the range');
    await openSettings(p);
    const lr = shadow(p, '#f-lr');
    await lr.fill('0.001');
    await lr.press('Enter');
    await p.waitForFunction(() => document.querySelector('mesaflow-demo').config?.lr === 0.001, null, { timeout: 5000 });
    assert.equal(await shadow(p, '#f-lr-err').textContent(), '', 'the error is gone');
    assert.equal(await shadow(p, '#f-lr').getAttribute('aria-invalid'), null);
    await p.waitForFunction(() => location.hash.includes('lr=0.001'));
    await play(p, 2);
    assert.equal(await p.evaluate(() => window.__pwned), undefined);
    assert.equal(await p.evaluate(() => document.querySelectorAll('img').length + document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('img').length), 0);
    assert.deepEqual(p.problems, []);
  } finally {
    await p.close();
  }
});

test('a first load with every key set to markup runs nothing and reports every key', async () => {
  const fails = [];
  for (const value of HOSTILE.filter(hasMarkup).slice(0, 4)) {
    cases++;
    const hash = KEYS.map(([k]) => `${k}=${encodeURIComponent(value)}`).join('&');
    const p = await openPage(ctx, `lab.html#${hash}`);
    try {
      await waitReady(p);
      await p.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-lr-err')?.textContent, null, { timeout: 5000 });
      await p.waitForTimeout(150);
      const inv = await inventory(p);
      const bad = [];
      if (inv.pwned !== undefined) bad.push(`SCRIPT RAN: window.__pwned = ${inv.pwned}`);
      bad.push(...moreThan(inv, clean).map((s) => `markup inserted: ${s}`));
      const errs = await p.evaluate((names) => names.map((n) => document.querySelector('mesaflow-demo').shadowRoot.getElementById(`f-${n}-err`).textContent), Object.keys(FIELDS));
      Object.keys(FIELDS).forEach((n, i) => errs[i].startsWith(`${n}: `) || bad.push(`${n} is not reported in #f-${n}-err (${JSON.stringify(errs[i].slice(0, 60))})`));
      const alert = await shadow(p, '#alert').textContent();
      for (const k of ['preset', 'compare', 'workers']) if (!new RegExp(`(^|\\s)${k}: `).test(alert)) bad.push(`${k} is not reported in the alert`);
      if (p.problems.length) bad.push(`problems: ${p.problems.join(' | ').slice(0, 300)}`);
      for (const b of bad) fails.push(`first load, every key=${label(value)}: ${b}`);
    } finally {
      await p.close();
    }
  }
  failures.push(...fails);
  assert.deepEqual(fails, []);
});
