// Main thread. The element's toolbar and the other controls of its template, bound to its store.
import { fillPresets, copyLink } from './settings-form.js';
import { bindHints } from '../views/hints.js';
import { toWorker } from '../model/protocol.js';

// api: the element's controller API (element/mesaflow-demo.js).
export function bindToolbar(api) {
  const { $, store, element: el } = api;
  const presetSel = /** @type {HTMLSelectElement} */ ($('preset'));
  fillPresets(presetSel);
  bindHints(api.root);
  $('copy-link').addEventListener('click', () => copyLink($('copy-state'), el.data.source === 'file' ? el.data.name : el.data.w?.used ? el.data.w.name : null));
  $('play').addEventListener('click', () => (store.training ? el.pause() : el.play()));
  $('step').addEventListener('click', () => el.step());
  $('reset').addEventListener('click', () => el.reset());
  $('resume').addEventListener('click', () => el.resume());
  $('restart').addEventListener('click', () => store.command(() => api.faults().restart(false)));
  $('speed').addEventListener('change', () => api.client.post(toWorker.speed(api.speed())));
  presetSel.addEventListener('change', () => store.command(() => api.configure(store.settings.choose(presetSel.value))));
  // The other precision: new runs, from epoch 0 (the data are drawn in it).
  // Asked first when trained epochs would be lost, as the settings form's precision field is.
  const precision = /** @type {HTMLSelectElement} */ ($('precision-pick'));
  precision.addEventListener('change', () => store.command(() => api.edits().edit('precision', precision.value)));
  // Compare 3 initialisations, or compare depths (layers 1, 2, 3 on the same data): one at a time.
  for (const [id, mode] of [['compare', true], ['compare-depths', 'depths']]) {
    const box = /** @type {HTMLInputElement} */ ($(id));
    box.addEventListener('change', () => store.command(() => {
      store.settings.setCompare(box.checked ? mode : false);
      if (store.cfg) api.configure(store.cfg);
    }));
  }
  const name = () => `mesaflow-${store.settings.preset}`;
  // views/export.js is loaded on the first download.
  $('csv').addEventListener('click', async () => (await import('../views/export.js')).saveCSV(name(), store.runs.exported()));
  $('json').addEventListener('click', async () => (await import('../views/export.js')).saveJSON(name(), el.config, store.runs.exported(), el.data));
  api.views.bindControls(name);
}
