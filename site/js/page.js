// Main thread. Entry of lab.html (the laboratory): the demo synced with the URL, and the Embed snippets.
// lab.html: the demo synced with the URL, plus the "Embed" snippets for the current view.
import './element.js';
import { syncHash } from './element/url-sync.js';
import { attributeOf } from './model/config-text.js';
import { linkNote } from './element/settings-form.js';

const demo = document.querySelector('mesaflow-demo');
const base = new URL('.', location.href).href;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

// The host page's five lines that give the iframe the height embed.html posts (embed.js).
export const resizeSnippet = (origin) => `<script>
addEventListener('message', (e) => {
  if (e.origin !== '${origin}' || e.data?.type !== 'mesaflow-height') return;
  const f = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
  if (f) f.style.height = \`\${e.data.height}px\`;
});
</script>`;

function showSnippets(params) {
  const attrs = [...new URLSearchParams(params)].map(([k, v]) => ` ${attributeOf(k)}="${esc(v)}"`).join('');
  document.getElementById('snippet-element').textContent =
    `<script type="module" src="${base}js/element.js"></script>\n<mesaflow-demo${attrs}></mesaflow-demo>`;
  document.getElementById('snippet-iframe').textContent =
    `<iframe src="${base}embed.html#${params}" title="mesaflow demo" width="100%" height="1800" style="border:0"></iframe>\n${resizeSnippet(location.origin)}`;
  const link = /** @type {HTMLAnchorElement} */ (document.getElementById('share-link'));
  link.href = `${base}lab.html#${params}`;
  link.textContent = link.href;
  // A view trained on a file: the link gives its settings only (said beside it, and in its title).
  const data = demo.data;
  const note = document.getElementById('share-note');
  note.textContent = linkNote(data);
  note.hidden = !note.textContent;
  link.title = note.textContent;
  // The header tells the paper's one-layer linear model; say where the runs are another one.
  const cfg = demo.config;
  const deep = [...new Set(demo.runs.map((r) => r.layers).filter((L) => L > 1))];
  const other = cfg?.model === 'attention' && (cfg.attention === 'softmax' || deep.length > 0);
  document.getElementById('model-note').hidden = !other;
  if (other) document.getElementById('model-name').textContent = cfg.attention === 'softmax' ? 'one layer of softmax attention (core/THEORY.md §11)' : `${deep.join(' and ')} layers of linear attention with a residual stream (core/THEORY.md §12)`;
}

syncHash(demo, showSnippets);
