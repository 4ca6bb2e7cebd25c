// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core, the site
// served from build/site by site/serve.mjs on a free port. Requires `node site/build.mjs` first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../site/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SITE = path.join(ROOT, 'build', 'site');
export const SCREENSHOTS = path.join(ROOT, 'build', 'artifacts', 'screenshots');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function setup() {
  for (const f of ['index.html', 'embed.html', 'lib/mesaflow.js']) {
    if (!fs.existsSync(path.join(SITE, f))) throw new Error(`build/site/${f} is missing: run "node site/build.mjs" before the browser tests`);
  }
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return { server, browser, url: server.url };
}

export async function teardown(ctx) {
  await ctx?.browser?.close();
  await ctx?.server?.close();
}

// A page that records console errors, uncaught exceptions and CSP violations in page.problems.
export async function openPage(ctx, pathAndHash, viewport = { width: 1280, height: 900 }) {
  const page = await ctx.browser.newPage({ viewport });
  page.problems = [];
  page.warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console.error: ${m.text()}`);
    if (m.type() === 'warning') page.warnings.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(new URL(pathAndHash, ctx.url).href);
  return page;
}

// Waits until the first <mesaflow-demo> has a configuration (the module is loaded).
export async function waitReady(page, timeout = 30000) {
  await page.waitForFunction(() => {
    const el = document.querySelector('mesaflow-demo');
    return el && el.theory;
  }, null, { timeout });
}

// Runs the demo until the last recorded epoch reaches `epoch` (or the run stops).
export async function trainUntil(page, epoch, timeout = 90000) {
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction((e) => {
    const h = document.querySelector('mesaflow-demo').history;
    return h.epoch.length > 0 && h.epoch[h.epoch.length - 1] >= e;
  }, epoch, { timeout, polling: 200 });
}

// Plays and waits until training stops (finished or diverged); returns the status text.
export async function trainToEnd(page, timeout = 90000) {
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(
    () => /^(finished|diverged)/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent),
    null,
    { timeout, polling: 250 },
  );
  return page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent);
}

// Query inside the demo's shadow root.
export function shadow(page, selector) {
  return page.locator('mesaflow-demo').locator(selector);
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
