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
  for (const f of ['index.html', 'lab.html', 'embed.html', 'lib/mesaflow.js']) {
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

// Opens the settings where they are folded (narrow layouts; wide ones always show them).
export async function openSettings(page) {
  const toggle = shadow(page, '#settings-toggle');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

// Scrolls down the whole page and back, so that the views loaded near the screen are loaded
// (lazy.js), then waits for them to have drawn.
export async function scrollThrough(page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const step = await page.evaluate(() => innerHeight);
  for (let y = 0; y < height; y += step) {
    await page.evaluate((top) => scrollTo(0, top), y);
    await page.waitForTimeout(120);
  }
  await page.evaluate(() => scrollTo(0, 0));
  await page.waitForFunction(() => Object.values(document.querySelector('mesaflow-demo')._views.lazy).every((l) => l.view || l.card.hidden));
  await page.waitForTimeout(300);
}

// A full-page screenshot after every view has been loaded.
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await scrollThrough(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// Fills a settings field and commits it (Enter, then leaving the field).
export async function setField(page, name, text) {
  await openSettings(page);
  const input = shadow(page, `#f-${name}`);
  await input.fill(text);
  await input.press('Enter');
  await input.blur();
}
