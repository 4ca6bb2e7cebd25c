// Main thread. The element's controller of configuration changes while its runs train.
// Changes to a configuration while its runs train (issue 10): the fields a run takes from its
// current epoch on (Session::change: lr, epochs, eval-every, clip, method) go to the runs without a
// restart; any other field starts them again from epoch 0, asked first where trained epochs would
// be lost (the notice bar of the template), or said in a note (a script's setAttribute).
import { FIELDS } from '../model/config-text.js';
import { LIVE_FIELDS } from '../model/core-tables.js';
import { toWorker } from '../model/protocol.js';
import { showPreset } from './settings-form.js';

const LIVE = new Set(LIVE_FIELDS); // Session::live_fields, generated

export class Edits {
  // api: the element's controller API (element/mesaflow-demo.js): its store, form, views.
  constructor(api) {
    this.api = api;
  }

  // A settings-form edit, checked by the core's rules on the page; a problem stays under the field.
  edit(name, text) {
    const { form, store } = this.api;
    const { settings } = store;
    const before = settings.snapshot();
    const cfg = settings.edit(name, text);
    if (cfg) this.apply(cfg, () => {
      settings.restore(before);
      form.show(store.cfg);
    });
  }

  // A new configuration for running runs: the fields a run takes while it trains (lr, epochs,
  // eval-every, clip, method) go to the runs from their current epoch on; any other field starts
  // them again from epoch 0: asked first when epochs would be lost (ask), else said in a note.
  apply(cfg, undo, ask = true) {
    const { store, form, client, element } = this.api;
    const { settings } = store;
    const changed = FIELDS.filter((f) => cfg[f.key] !== store.cfg?.[f.key]);
    // Nothing new (a link to the configuration it has): it is accepted as it is.
    if (!changed.length) return this.api.emit('mesaflow-config', { params: element.params, config: element.config });
    const names = changed.map((f) => f.name).join(', ');
    // The parallel path trains with gradient descent only: another method there is a new run.
    const live = (f) => LIVE.has(f.name) && !(f.name === 'method' && store.workers > 1);
    if (store.runs.first && !store.fault && changed.every(live)) {
      store.changeLive(cfg);
      form.show(cfg);
      showPreset(this.api.$('preset'), settings.preset, cfg);
      for (const f of changed) client.post(toWorker.change(f.name, String(cfg[f.key])));
      return;
    }
    const trained = store.runs.list.some((r) => r.epoch > 0);
    const restart = () => {
      this.api.configure(cfg);
      if (trained) this.note(`Started again from epoch 0: ${names} changed (it defines the data or the start of the run).`);
    };
    if (!trained || !ask) return restart();
    this.ask(`${names} defines the data or the start of the run: a new value trains again from epoch 0, and the ${element.epoch} epochs trained so far are dropped. Start again?`,
      () => store.command(restart), undo ?? (() => form.show(store.cfg)));
  }

  // The notice bar: a question with yes / no, or a note (no buttons). Without one in the
  // template, the answer is yes.
  ask(text, yes, no) {
    const { $ } = this.api;
    const bar = $('notice');
    if (!bar) return yes();
    $('notice-text').textContent = text;
    for (const [id, act] of [['notice-yes', yes], ['notice-no', no]]) {
      const b = $(id);
      b.hidden = false;
      b.onclick = () => {
        bar.hidden = true;
        act();
      };
    }
    bar.hidden = false;
  }

  note(text) {
    const { $ } = this.api;
    const bar = $('notice');
    if (!bar) return this.api.alert(text);
    $('notice-text').textContent = text;
    for (const id of ['notice-yes', 'notice-no']) $(id).hidden = true;
    bar.hidden = false;
  }

  // A live change reached a run: its ODE, theory and changes; the views follow the new epochs.
  changed(msg) {
    const { store, form, views, client, element } = this.api;
    const run = store.runs.changed(msg);
    if (!run) return;
    store.settleLive(true);
    form.setConfigProblem(null);
    views.setup(store.cfg, store.runs.list, views.capability); // epochs, their grid, the ODE, the texts
    if (run === store.runs.first) this.api.emit('mesaflow-config', { params: element.params, config: element.config }); // the URL follows
    this.api.dirty();
    this.api.refresh(true);
    // More epochs after the end: go on if the reader was playing (a worker already playing
    // ignores it).
    if (store.playing && !run.done) client.post(toWorker.play(this.api.speed()));
  }

  // A live change the worker refused (a value out of range or over a budget): nothing changed.
  refused(problem) {
    const { store, form } = this.api;
    store.settleLive(false);
    form.show(store.cfg);
    form.setConfigProblem(problem);
    this.api.alert(`Not changed: ${problem.message}`);
  }
}
