// Main thread. The element's fault banner: a dead or blocked worker said, Resume and Restart offered.
// When the training worker dies (throws, aborts, stops answering: element/trainer-client.js): the history
// is kept, the page says so and offers Resume (a new worker goes on from each run's last
// checkpoint, with the numbers of the uninterrupted run) or Restart (from epoch 0).
export class Faults {
  // api: the element's controller API (element/mesaflow-demo.js).
  constructor(api) {
    this.api = api;
  }

  // The banner: text, and which of Resume and Restart it offers.
  #show(text, resumable, restartable) {
    const { $ } = this.api;
    $('fault-text').textContent = text;
    $('resume').hidden = !resumable;
    $('restart').hidden = !restartable;
    $('fault').hidden = false;
  }

  // The worker is gone: keep the history, say so, offer to resume or restart. Whether the reader
  // was playing stays as it was (the store's): Resume goes on playing.
  fault(reason) {
    const { store, element } = this.api;
    if (store.fault) return;
    const resumable = store.runs.list.length > 0;
    const epoch = element.epoch;
    store.setFault({ message: reason, resumable, blocked: false });
    const kept = resumable ? ` The history up to epoch ${epoch} is kept (export it below); Resume goes on from there.` : '';
    this.#show(`Training stopped: ${reason}.${kept}`, resumable, true);
    this.api.say(`Training stopped: ${reason}.`);
    this.api.emit('mesaflow-fault', { message: reason, epoch, resumable });
  }

  // No worker can train here: the page's Content-Security-Policy or the host of the element's
  // files stops it (pool/host.js); message says which and what to do. Play tries again.
  blocked(message) {
    const { store, element } = this.api;
    store.setFault({ message, resumable: false, blocked: true });
    this.#show(message, false, false);
    this.api.say('Not started: see the message below.');
    this.api.emit('mesaflow-fault', { message, epoch: element.epoch, resumable: false, blocked: true });
  }

  restart(resume) {
    const { store, client, $ } = this.api;
    store.setFault(null);
    $('fault').hidden = true;
    this.api.say(resume ? 'Resuming…' : 'Restarting…');
    client.start();
    if (resume && store.runs.resumable) this.api.resumeRuns();
    else {
      store.runs.clear();
      store.runsChanged();
    }
  }
}
