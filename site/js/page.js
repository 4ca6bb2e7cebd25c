// index.html: the demo synced with the URL, plus the "Embed" snippets for the current view.
import './element.js';
import { syncHash } from './urlsync.js';
import { attributeOf } from './state.js';

const demo = document.querySelector('mesaflow-demo');
const base = new URL('.', location.href).href;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function showSnippets(params) {
  const attrs = [...new URLSearchParams(params)].map(([k, v]) => ` ${attributeOf(k)}="${esc(v)}"`).join('');
  document.getElementById('snippet-element').textContent =
    `<script type="module" src="${base}js/element.js"></script>\n<mesaflow-demo${attrs}></mesaflow-demo>`;
  document.getElementById('snippet-iframe').textContent =
    `<iframe src="${base}embed.html#${params}" title="mesaflow demo" width="100%" height="1800" loading="lazy"></iframe>`;
  const link = document.getElementById('share-link');
  link.href = `${base}#${params}`;
  link.textContent = link.href;
}

syncHash(demo, showSnippets);

document.getElementById('copy-link').addEventListener('click', async () => {
  const out = document.getElementById('copy-state');
  try {
    await navigator.clipboard.writeText(location.href);
    out.textContent = 'copied';
  } catch {
    out.textContent = 'copy failed: select the link and copy it';
  }
});
