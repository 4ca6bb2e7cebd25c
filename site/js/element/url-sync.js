// Main thread. Keeps an element and the page's URL hash in step.
// Keeps a <mesaflow-demo> and the page's URL hash in step: the hash is read into attributes
// (known keys only; unknown keys are ignored with a console.warn; a repeated key's last value is
// used, as URLSearchParams.get would not, said in the element's alert, with a console.warn and a
// mesaflow-warning event on the element naming every value given), and every accepted
// configuration is written back, so any view is a link.
import { FIELD_ATTRS, EXTRA_KEYS, isFieldKey, attributeOf } from '../model/config-text.js';

// Which elements' next attribute change is a link: a link describes runs from epoch 0, so the
// element starts them afresh rather than changing the running ones. A mark, not a field of the
// element: the element takes it (takeLinkMark) when it reads its attributes.
const marked = new WeakSet();
export const takeLinkMark = (el) => marked.delete(el);
// The link's own notes (a repeated key), for the element to show with its messages: taken once.
const notes = new WeakMap();
export function takeLinkNotes(el) {
  const n = notes.get(el) ?? [];
  notes.delete(el);
  return n;
}

export function applyHash(el, hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  marked.add(el);
  const given = new Map();  // attribute -> every value given, in order
  for (const [key, value] of params) {
    if (!isFieldKey(key) && !EXTRA_KEYS.includes(key)) {
      console.warn(`mesaflow: ignoring unknown URL key ${JSON.stringify(key.slice(0, 60))}`);
      continue;
    }
    const attr = attributeOf(key);
    given.set(attr, [...(given.get(attr) ?? []), value]);
  }
  // A repeated key: the last value is used, and the page says so (the element's alert, with its
  // other messages), before the attributes change.
  const said = [];
  for (const [attr, values] of given) {
    if (values.length < 2) continue;
    const shown = values.map((v) => JSON.stringify(v.slice(0, 40))).join(', ');
    const message = `URL key ${attr} is given ${values.length} times (${shown}): the last, ${JSON.stringify(values.at(-1).slice(0, 40))}, is used.`;
    console.warn(`mesaflow: ${message}`);
    said.push(message);
    el.dispatchEvent(new CustomEvent('mesaflow-warning', { detail: { message, key: attr, values } }));
  }
  if (said.length) notes.set(el, said);
  else notes.delete(el);
  for (const [attr, values] of given) el.setAttribute(attr, values.at(-1));
  for (const attr of [...FIELD_ATTRS, ...EXTRA_KEYS]) if (!given.has(attr)) el.removeAttribute(attr);
}

export function syncHash(el, onChange) {
  let written = '';
  applyHash(el);
  el.addEventListener('mesaflow-config', (e) => {
    written = `#${e.detail.params}`;
    if (location.hash !== written) history.replaceState(null, '', written);
    onChange?.(e.detail.params);
  });
  // The event's own URL, not location: a write-back of an earlier configuration may have replaced
  // location.hash between the user's (or a script's) change and this event.
  addEventListener('hashchange', (e) => {
    const hash = new URL(e.newURL).hash;
    if (hash !== written) applyHash(el, hash);
  });
}
