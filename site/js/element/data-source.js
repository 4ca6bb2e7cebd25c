// Main thread. The element's controller of its data: a .npy file trained on, or a CLI run drawn beside.
// Your own data on the page: a .npy file (complex64 or complex128, shape (m, d, T)) chosen or
// dropped on the element is read by the core's reader in the training worker (model/protocol.js, open)
// and, once accepted, trained on (on that worker alone) with its m, d, T in place of the fields,
// which are not editable until "Use generated data"; a file the reader refuses is reported in the
// command line's words and the current runs go on. A run.json written by the command line
// (mesaflow train ... --out run.json) is drawn beside the live runs (views/views.js, overlay).
// With process fixed, a .npy of 2 dimensions is its W (the CLI's --w-file): the core checks it (shape
// (d, d), dtype, finite, a norm whose T steps do not overflow) and, once accepted, the generated data
// sets are drawn with it while the process is fixed; refused, in the core's words (field w-file).
import { VERSION } from '../version.js';
import { OKABE_ITO } from '../model/colours.js';
// The fields a data file sets (m, d, T, test-m) or makes moot (the first-token law), and the
// history columns a run document of the command line holds: the core's (file_fields,
// History::columns), generated.
import { FILE_FIELDS, HISTORY_COLUMNS as RUN_COLUMNS } from '../model/core-tables.js';
const RUN_COLOUR = OKABE_ITO.sky;
// Of FILE_FIELDS, the ones a file sets to its own values (the shape, settings.useData's).
const SHAPE_FIELDS = ['d', 'T', 'm', 'test-m'];

const fileName = (x) => (x instanceof File ? x.name : undefined);
const asBlob = (x) => (x instanceof Blob ? x : new Blob([x]));
const count = (n) => n.toLocaleString('en');
const isJson = (f) => /\.json$/i.test(f.name) || f.type === 'application/json';

// The number of dimensions in a .npy header ('shape': (3, 3) -> 2), or null where the first bytes
// are not such a header (the core's reader then says what is wrong with the file).
export async function npyDims(blob) {
  const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  if (head.length < 12 || head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== 'NUMPY') return null;
  const shape = /'shape':\s*\(([^)]*)\)/.exec(new TextDecoder('latin1').decode(head));
  return shape ? shape[1].split(',').filter((s) => s.trim()).length : null;
}

// A run document of the command line -> the overlay {label, name, version, colour, hist}; throws an
// Error saying what is wrong with it.
export function readRun(text, name) {
  let doc;
  try {
    doc = typeof text === 'string' ? JSON.parse(text) : text;
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${e.message})`);
  }
  const h = doc?.history;
  const what = 'a run document of the command line (mesaflow train ... --out run.json)';
  if (!h || typeof h !== 'object') throw new Error(`${name}: not ${what}: it has no "history" object`);
  for (const k of RUN_COLUMNS) {
    if (!Array.isArray(h[k])) throw new Error(`${name}: history.${k} is missing or not an array (${what} has ${RUN_COLUMNS.join(', ')})`);
    if (h[k].length !== h.epoch.length) throw new Error(`${name}: history.${k} has ${h[k].length} entries, history.epoch ${h.epoch.length}`);
    if (!h[k].every((v) => v === null || typeof v === 'number')) throw new Error(`${name}: history.${k} holds values that are not numbers`);
  }
  if (!h.epoch.length) throw new Error(`${name}: its history is empty`);
  if (!h.epoch.every((e, i) => Number.isInteger(e) && e >= 0 && (i === 0 || e > h.epoch[i - 1]))) {
    throw new Error(`${name}: history.epoch is not a rising list of epochs`);
  }
  const hist = Object.fromEntries(RUN_COLUMNS.map((k) => [k, h[k].slice()]));
  const config = doc.config && typeof doc.config === 'object' ? { ...doc.config } : null; // what the overlay's note compares
  return { label: `CLI: ${name}`, name, version: typeof doc.mesaflow === 'string' ? doc.mesaflow : null, colour: RUN_COLOUR, hist, config };
}

// Where the data of the runs comes from, in words (w: the W file held for process fixed, and
// whether the process is fixed now).
function sourceText(info, w = null, fixed = false) {
  const wText = !w ? '' : fixed
    ? ` W: your file ${w.name} (process fixed, d = ${w.d}), the one W of every sequence.`
    : ` Your W file ${w.name} is kept for process fixed (the process now is another: W is not used).`;
  if (!info) return `Data: generated from the settings below. Choose or drop your own .npy file (complex64 or complex128, shape (m, d, T)) to train on it, a W of shape (d, d) for process fixed, or a run.json of the command line to draw it beside the live run.${wText}`;
  const test = info.test === 'file'
    ? `all ${count(info.m)} for training; test set: ${info.test_name} (${count(info.test_m)} sequences)`
    : `${count(info.m)} for training, ${count(info.test_m)} held out for testing (chosen by the seed)`;
  return `Data: your file ${info.name} (${info.dtype}, ${count(info.file_m)} sequences, d = ${info.d}, T = ${info.T}): ${test}. ` +
    `Theory: moments ${info.moments}.`;
}

// A file input showing file (a File: the picker's own, or one dropped), or nothing.
function showFile(input, file) {
  if (input.files?.length === 1 && input.files[0] === file) return;
  if (file instanceof File) {
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
  } else input.value = '';
}

export class DataSource {
  // api: the element's controller API (element/mesaflow-demo.js).
  constructor(api) {
    this.api = api;
    this.file = null; // {npy: Blob, name, test_npy?, test_name?} while the runs train on a file
    this.info = null; // its description (toPage.opened's info)
    this.w = null; // process fixed's W file {w: Blob, w_name} and its description {name, d}: wInfo
    this.wInfo = null;
    this.overlay = null; // a CLI run drawn beside the live runs (readRun)
    this.overlaySource = null; // what it was read from (a File shows in its picker)
    const { $, events: el } = api;
    // A picker shows the file the runs train on (show()); opened again, it is emptied first, so
    // that the same file chosen again is a new choice.
    const picked = (input, use) => {
      input.addEventListener('click', () => (input.value = ''));
      input.addEventListener('change', () => {
        const [file] = input.files;
        if (file) use(file);
        else this.show(); // the dialog cancelled: the file trained on again
      });
    };
    // The reader's choices are commands of the store, in order with the rest.
    const command = (fn) => api.store.command(fn);
    picked($('data-file'), (f) => command(() => this.open(f)));
    picked($('test-file'), (f) => command(() => this.open(this.file.npy, { name: this.file.name, test: f })));
    picked($('run-file'), (f) => command(() => this.compare(f)).catch(() => {})); // said on the page
    $('data-generated').addEventListener('click', () => command(() => this.useGenerated()));
    $('w-seed').addEventListener('click', () => command(() => this.useW(null, null)));
    $('run-remove').addEventListener('click', () => command(() => this.compare(null)));
    const box = api.root.querySelector('.demo');
    const files = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    el.addEventListener('dragover', (e) => {
      if (!files(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      box.classList.add('dropping');
    });
    el.addEventListener('dragleave', () => box.classList.remove('dropping'));
    el.addEventListener('drop', (e) => {
      box.classList.remove('dropping');
      if (!files(e)) return;
      e.preventDefault();
      const list = [...e.dataTransfer.files];
      command(() => this.dropped(list));
    });
    this.show();
  }

  // The `data` of toWorker.create: the file the runs train on; else, with process fixed, the W
  // file; or null.
  get payload() {
    return this.file ?? (this.w && this.fixed() ? this.w : null);
  }

  fixed() {
    return this.api.store.cfg?.process === 'fixed';
  }

  // A file refused (or '' once one is accepted): said next to the file pickers; in the alert at
  // the top as well only where the pickers are folded away (a file dropped on a narrow element).
  problem(text) {
    const box = this.api.$('file-problem');
    box.textContent = text;
    box.hidden = !text;
    const seen = !text || box.checkVisibility();
    this.api.alert(seen ? '' : text);
  }

  // What the element's `data` property says.
  describe() {
    if (this.info) return { source: 'file', ...this.info };
    return this.wInfo ? { source: 'generated', w: { name: this.wInfo.name, d: this.wInfo.d, used: this.fixed() } } : { source: 'generated' };
  }

  // Files dropped on the element: a run.json is drawn beside the runs, a .npy file trained on.
  dropped(list) {
    const runs = list.filter(isJson);
    const npy = list.filter((f) => !isJson(f));
    for (const f of runs) this.compare(f).catch(() => {}); // said on the page
    if (npy.length > 1) this.api.edits().note(`${npy.length} data files were dropped: training on ${npy[0].name}; drop one at a time (a test set can be chosen after it).`);
    if (npy.length) this.open(npy[0]);
  }

  // Reads npy (a File, Blob, ArrayBuffer or typed array) with the core's reader and, if accepted,
  // trains on it (test: a second such file as the test set; else a tenth of it is held out).
  // Resolves to {info} or {problem} (the command line's words); the current runs stay if refused.
  /**
   * @param {Blob | ArrayBuffer | ArrayBufferView} npy
   * @param {{name?: string, test?: Blob | ArrayBuffer | ArrayBufferView | null, testName?: string}} [options]
   */
  async open(npy, { name, test = null, testName } = {}) {
    const { client, store, events } = this.api;
    // With process fixed, a .npy of 2 dimensions is W; any other file is data (its reader says
    // what is wrong with a 2-dimensional one: data has shape (m, d, T)).
    if (!test && store.cfg?.process === 'fixed' && (await npyDims(asBlob(npy))) === 2) return this.openW(npy, name);
    const data = { npy: asBlob(npy), name: String(name ?? fileName(npy) ?? 'data.npy') };
    if (test) Object.assign(data, { test_npy: asBlob(test), test_name: String(testName ?? fileName(test) ?? 'test.npy') });
    if (!client.ready || !store.cfg) await new Promise((resolve) => events.addEventListener('mesaflow-config', resolve, { once: true }));
    const answer = await client.open(store.cfg, data);
    if (!answer) return { info: null, problem: { field: 'data', fields: ['data'], message: 'the training worker stopped before it read the file' } };
    if (answer.problem) {
      const p = answer.problem;
      const file = p.field === 'test-data' ? data.test_name : data.name;
      this.show(); // the pickers: the files the runs shown train on, not the refused one
      this.problem(`${p.message} (${file} is not used: the runs shown go on.)`);
      this.api.emit('mesaflow-file-error', { name: file, field: p.field, message: p.message });
      return { info: null, problem: p };
    }
    this.use(data, answer.info);
    return { info: this.describe(), problem: null };
  }

  // A W for process fixed (a .npy of shape (d, d)) checked by the core with the current settings
  // and, if accepted, used by the runs; refused, the runs go on. Resolves as open does.
  async openW(npy, name) {
    const { client, store, events } = this.api;
    const data = { w: asBlob(npy), w_name: String(name ?? fileName(npy) ?? 'w.npy') };
    if (!client.ready || !store.cfg) await new Promise((resolve) => events.addEventListener('mesaflow-config', resolve, { once: true }));
    const answer = await client.open(store.cfg, data);
    const p = answer ? answer.problem : { field: 'w-file', fields: ['w-file'], message: 'the training worker stopped before it read the file' };
    if (p) {
      this.show();
      this.problem(`${p.message} (${data.w_name} is not used: the runs shown go on.)`);
      this.api.emit('mesaflow-file-error', { name: data.w_name, field: p.field, message: p.message });
      return { info: null, problem: p };
    }
    this.useW(data, answer.info);
    return { info: this.describe(), problem: null };
  }

  // Process fixed's W: the accepted file (info: its description), or null: drawn from the seed.
  useW(data, info) {
    const { store } = this.api;
    if (!data && !this.w) return;
    this.w = data;
    this.wInfo = info;
    this.problem('');
    this.show();
    this.api.configure(store.settings.config());
    this.api.emit('mesaflow-data', this.describe());
  }

  // Trains on the accepted file data (info: its description) or, with null, on generated data.
  use(data, info) {
    const { store, views } = this.api;
    this.file = data;
    this.info = info;
    store.settings.useData(info && { m: info.m, d: info.d, T: info.T, test_m: info.test_m });
    views.setFile(info);
    this.problem('');
    this.show();
    this.api.configure(store.settings.config());
    this.api.emit('mesaflow-data', this.describe());
  }

  useGenerated() {
    if (this.file) this.use(null, null);
  }

  // Where the data come from, in words, and the button that lets a W file go: said again at every
  // create (the process may have changed).
  showSource() {
    const { $ } = this.api;
    $('data-source').textContent = sourceText(this.info, this.wInfo, this.fixed());
    $('w-seed').hidden = !this.wInfo || Boolean(this.info);
  }

  show() {
    const { $, form } = this.api;
    // The pickers: the files trained on (a refused file is not kept there; one dropped is shown).
    showFile($('data-file'), this.file?.npy);
    showFile($('test-file'), this.file?.test_npy);
    this.showSource();
    $('data-generated').hidden = !this.info;
    $('test-file-box').hidden = !this.info;
    // The file's shape is shown as the fields' values (the configuration holds it); the fields it
    // makes moot (the first-token law: its first tokens are the file's) say "from the file".
    const moot = Object.fromEntries(FILE_FIELDS.filter((n) => !SHAPE_FIELDS.includes(n)).map((n) => [n, 'from the file']));
    form.lock(this.info ? FILE_FIELDS : [], this.info ? `from ${this.info.name}; “Use generated data” to edit it` : '', moot);
  }

  // Draws a CLI run document (a File, a JSON text or a parsed object) beside the live runs, or
  // removes it (null). Resolves to the comparison; a bad document is said on the page and thrown.
  async compare(source, name = source?.name ?? 'run.json') {
    const { $, views } = this.api;
    let overlay = null;
    if (source) {
      try {
        overlay = readRun(source instanceof Blob ? await source.text() : source, String(name));
      } catch (e) {
        showFile($('run-file'), this.overlaySource); // not the refused one
        this.problem(`${e.message}. The charts are unchanged.`);
        this.api.emit('mesaflow-file-error', { name, field: 'run', message: e.message });
        throw e;
      }
      if (overlay.version && overlay.version !== VERSION) this.api.edits().note(`${overlay.name} was written by mesaflow ${overlay.version}; this page is mesaflow ${VERSION}.`);
    }
    this.overlay = overlay;
    this.overlaySource = overlay ? source : null;
    showFile($('run-file'), this.overlaySource); // the run drawn (a File), or nothing
    this.problem('');
    $('run-remove').hidden = !overlay;
    views.setOverlay(overlay);
    this.api.emit('mesaflow-comparison', this.comparison);
    return this.comparison;
  }

  // What the element's `comparison` property says: {label, name, version, history} or null.
  get comparison() {
    const o = this.overlay;
    return o && { label: o.label, name: o.name, version: o.version, history: Object.fromEntries(RUN_COLUMNS.map((k) => [k, o.hist[k].slice()])) };
  }
}
