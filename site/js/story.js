// Main thread. Entry of index.html (the story, the landing page): the three results' demos and their choices.
// index.html: each result's demo (compact, autoplay, a few views) and the buttons beside it
// that set it to another first-token law or clip: a new element replaces the old one (its runs
// stop, its tenant leaves the page's pool), so the new runs start from epoch 0 with no note.
import './element.js';

// A configuration link (a hash of keys, #preset=quick&...) is the laboratory's: the laboratory
// was index.html before the story took its place, so such links are handed on to lab.html.
const toLab = () => /^#[^#]*=/.test(location.hash) && location.replace(`lab.html${location.hash}`);
toLab();
addEventListener('hashchange', toLab);

for (const group of document.querySelectorAll('.choices')) {
  const id = /** @type {HTMLElement} */ (group).dataset.demo;
  group.addEventListener('click', (e) => {
    const b = /** @type {HTMLElement} */ (e.target).closest?.('button');
    if (!b || b.getAttribute('aria-pressed') === 'true') return;
    const old = document.getElementById(id);
    const next = /** @type {HTMLElement} */ (old.cloneNode(false));
    if (b.dataset.preset) next.setAttribute('preset', b.dataset.preset);
    if (b.dataset.clip) next.setAttribute('clip', b.dataset.clip);
    if (b.dataset.views) next.setAttribute('views', b.dataset.views);
    old.replaceWith(next);
    next.play?.(); // a reader's click: train at once
    for (const o of group.querySelectorAll('button')) o.setAttribute('aria-pressed', String(o === b));
  });
  for (const b of group.querySelectorAll('button')) if (!b.hasAttribute('aria-pressed')) b.setAttribute('aria-pressed', 'false');
}
