// Main thread. The element's controller of configuration changes while its runs train.
// Changes to a configuration while its runs train (issue 10): the fields a run takes from its
// current epoch on (Session::change: lr, epochs, eval-every, clip, method) go to the runs without a
// restart; any other field starts them again from epoch 0, asked first where trained epochs would
// be lost (the notice bar of the template), or said in a note (a script's setAttribute).
import { FIELDS } from '../model/config-text.js';
import { toWorker } from '../model/protocol.js';
import { showPreset } from './settings-form.js';

const LIVE = new Set(['lr', 'epochs', 'eval-every', 'clip', 'method']);

export class Edits {
  // el: the <mesaflow-demo> whose runs, form, settings and views these are.
  constructor(el) {
    this.el = el;
    this.before = null; // the configuration before a live change, until the worker takes it
  }

  // A settings-form edit, parsed by the core; a problem stays under the field.
  async edit(name, text) {
    const el = this.el;
    const before = { ...el._settings.explicit };
    const cfg = await el._settings.edit(name, text);
    if (cfg) this.apply(cfg, () => {
      el._settings.explicit = before;
      el._form.show(el._cfg);
    });
  }

  // A new configuration for running runs: the fields a run takes while it trains (lr, epochs,
  // eval-every, clip, method) go to the runs from their current epoch on; any other field starts
  // them again from epoch 0: asked first when epochs would be lost (ask), else said in a note.
  apply(cfg, undo, ask = true) {
    const el = this.el;
    const changed = FIELDS.filter((f) => cfg[f.key] !== el._cfg?.[f.key]);
    // Nothing new (a link to the configuration it has): it is accepted as it is.
    if (!changed.length) return el._emit('mesaflow-config', { params: el.params, config: el.config });
    const names = changed.map((f) => f.name).join(', ');
    // The parallel path trains with gradient descent only: another method there is a new run.
    const live = (f) => LIVE.has(f.name) && !(f.name === 'method' && el._workersUsed > 1);
    if (el._runs.first && !el._fault && changed.every(live)) {
      this.before = el._cfg;
      el._cfg = cfg;
      el._form.show(cfg);
      showPreset(el._$('preset'), el._settings.preset, cfg);
      for (const f of changed) el._client.post(toWorker.change(f.name, String(cfg[f.key])));
      return;
    }
    const trained = el._runs.list.some((r) => r.epoch > 0);
    const restart = () => {
      el._configure(cfg);
      if (trained) this.note(`Started again from epoch 0: ${names} changed (it defines the data or the start of the run).`);
    };
    if (!trained || !ask) return restart();
    this.ask(`${names} defines the data or the start of the run: a new value trains again from epoch 0, and the ${el.epoch} epochs trained so far are dropped. Start again?`,
      restart, undo ?? (() => el._form.show(el._cfg)));
  }

  // The notice bar: a question with yes / no, or a note (no buttons). Without one in the
  // template, the answer is yes.
  ask(text, yes, no) {
    const el = this.el;
    const bar = el._$('notice');
    if (!bar) return yes();
    el._$('notice-text').textContent = text;
    for (const [id, act] of [['notice-yes', yes], ['notice-no', no]]) {
      const b = el._$(id);
      b.hidden = false;
      b.onclick = () => {
        bar.hidden = true;
        act();
      };
    }
    bar.hidden = false;
  }

  note(text) {
    const el = this.el;
    const bar = el._$('notice');
    if (!bar) return el._alert(text);
    el._$('notice-text').textContent = text;
    for (const id of ['notice-yes', 'notice-no']) el._$(id).hidden = true;
    bar.hidden = false;
  }

  // A live change reached a run: its ODE, theory and changes; the views follow the new epochs.
  changed(msg) {
    const el = this.el;
    const run = el._runs.changed(msg);
    if (!run) return;
    this.before = null;
    el._form.setConfigProblem(null);
    el._views.setup(el._cfg, el._runs.list, el._views.capability); // epochs, their grid, the ODE, the texts
    if (run === el._runs.first) el._emit('mesaflow-config', { params: el.params, config: el.config }); // the URL follows
    el._dirty();
    el._status.refresh(true);
    // More epochs after the end: go on if the reader was playing.
    if (el._wantPlay && !run.done && !el._playing) el._client.post(toWorker.play(el._speed()));
  }

  // A live change the worker refused (a value out of range or over a budget): nothing changed.
  refused(problem) {
    const el = this.el;
    if (this.before) el._cfg = this.before;
    this.before = null;
    el._form.show(el._cfg);
    el._form.setConfigProblem(problem);
    el._alert(`Not changed: ${problem.message}`);
  }
}
