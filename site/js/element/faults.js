// Main thread. The element's fault banner: a dead or blocked worker said, Resume and Restart offered.
// When the training worker dies (throws, aborts, stops answering: element/trainer-client.js): the history
// is kept, the page says so and offers Resume (a new worker goes on from each run's last
// checkpoint, with the numbers of the uninterrupted run) or Restart (from epoch 0).
export class Faults {
  // el: the <mesaflow-demo> whose runs these are.
  constructor(el) {
    this.el = el;
  }

  // The worker is gone: keep the history, say so, offer to resume or restart.
  fault(reason) {
    const el = this.el;
    if (el._fault) return;
    const wantPlay = el._wantPlay || el._playing;
    el._playing = false;
    el._wantPlay = false;
    el._showPlaying();
    const resumable = el._runs.list.length > 0;
    const epoch = el.epoch;
    el._fault = { message: reason, wantPlay, resumable };
    const kept = resumable ? ` The history up to epoch ${epoch} is kept (export it below); Resume goes on from there.` : '';
    el._$('fault-text').textContent = `Training stopped: ${reason}.${kept}`;
    el._$('resume').hidden = !resumable;
    el._$('restart').hidden = false;
    el._$('fault').hidden = false;
    el._status.say(`Training stopped: ${reason}.`);
    el._emit('mesaflow-fault', { message: reason, epoch, resumable });
  }

  // No worker can train here: the page's Content-Security-Policy or the host of the element's
  // files stops it (pool/host.js); message says which and what to do. Play tries again.
  blocked(message) {
    const el = this.el;
    el._fault = { message, wantPlay: el._wantPlay || el._playing, resumable: false };
    el._playing = false;
    el._showPlaying();
    el._$('fault-text').textContent = message;
    el._$('resume').hidden = true;
    el._$('restart').hidden = true;
    el._$('fault').hidden = false;
    el._status.say('Not started: see the message below.');
    el._emit('mesaflow-fault', { message, epoch: el.epoch, resumable: false, blocked: true });
  }

  restart(resume) {
    const el = this.el;
    el._wantPlay = Boolean(el._fault?.wantPlay);
    el._fault = null;
    el._$('fault').hidden = true;
    el._status.say(resume ? 'Resuming…' : 'Restarting…');
    el._client.start();
    if (resume && el._runs.resumable) el._resumeRuns();
    else el._runs.clear();
  }
}
