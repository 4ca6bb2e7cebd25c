// Main thread. The constant markup of the element's shadow root.
// The static skeleton of <mesaflow-demo>'s shadow root. A constant: nothing from attributes,
// the URL or the module is ever put into this HTML; those go in later with textContent.
const css = (name) => new URL(`../../${name}`, import.meta.url).href;

const badge = (n) => (n ? `<span class="badge" aria-hidden="true">${n}</span>` : '');
// The label in words: a title's markup (W<sub>KQ</sub>) read as W_KQ.
const plain = (title) => title.replace(/<sub>(.*?)<\/sub>/g, '_$1').replace(/<[^>]*>/g, '');
const pngButton = (id, title) => `<button type="button" class="png" data-png="${id}" aria-label="Download ${plain(title)} as PNG">PNG</button>`;

// A card: its heading (step: the guided sequence's number), extra controls, the plot, notes (the
// claims about this run: always shown) and the explanation, folded (text="hide" hides it; its
// module and formulas are loaded when one is first opened).
const card = (id, title, { step = 0, extra = '', body = `<div class="plot" id="plot-${id}" part="plot"></div>`, cls = '', hidden = false } = {}) => `
  <section class="card ${cls}" id="card-${id}" part="card card-${id}" aria-labelledby="h-${id}"${hidden ? ' hidden' : ''}>
    <div class="card-head">${badge(step)}<h3 id="h-${id}" part="card-title">${title}</h3>${extra}${pngButton(id, title)}</div>
    ${body}
    <ul class="notes" id="notes-${id}" part="notes"></ul>
    <details class="text why"><summary>Why: what the paper proves, what is derived, what is measured</summary><div id="text-${id}"></div></details>
  </section>`;

const select = (id, label, options = '') => `<label>${label} <select id="${id}">${options}</select></label>`;

export const TEMPLATE = `
<link rel="stylesheet" href="${css('vendor/uPlot.min.css')}">
<link rel="stylesheet" href="${css('vendor/katex/katex.min.css')}">
<link rel="stylesheet" href="${css('css/tex.css')}">
<link rel="stylesheet" href="${css('css/demo.css')}">
<div class="demo" part="demo">
  <div class="bar controls" part="controls">
    <div class="toolbar main" role="toolbar" aria-label="Training controls">
      <button type="button" id="play" class="primary" part="play" aria-pressed="false" aria-describedby="play-why">Play</button>
      <button type="button" id="step" aria-label="Step one epoch">Step</button>
      <button type="button" id="reset">Reset</button>
      <label>Speed <select id="speed">
        <option value="2">2 epochs/s</option><option value="10">10 epochs/s</option>
        <option value="50">50 epochs/s</option><option value="0" selected>max</option></select></label>
      <label>Preset <select id="preset"></select></label>
      <label title="single: data, weights and products in float32, as the authors' code (complex64); sums over sequences in float64">Precision <select id="precision-pick">
        <option value="double">double</option><option value="single">single (the authors')</option></select></label>
      <label class="check"><input type="checkbox" id="compare"> compare 3 initialisations</label>
      <label class="check"><input type="checkbox" id="compare-depths"> compare depths (layers 1, 2, 3)</label>
    </div>
    <div class="toolbar share" role="toolbar" aria-label="Share and export">
      <button type="button" id="copy-link" hidden>Copy link</button>
      <span id="link-note" class="quiet link-note" hidden></span>
      <button type="button" id="csv">Export CSV</button>
      <button type="button" id="json">Export JSON</button>
      <span id="copy-state" class="quiet" role="status"></span>
    </div>
  </div>
  <div id="play-why" class="play-why" hidden></div>
  <div class="progress controls"><progress id="progress" max="1" value="0" aria-label="Training progress"></progress><span id="progress-text"></span></div>
  <div id="status" class="status" part="status">Loading the WebAssembly module…</div>
  <div id="status-live" class="sr-only" role="status" aria-live="polite">Loading the WebAssembly module…</div>
  <div id="notice" class="notice" role="status" hidden><span id="notice-text"></span>
    <button type="button" id="notice-yes" class="primary">Yes</button> <button type="button" id="notice-no">No</button></div>
  <div id="alert" class="alert" role="alert" hidden></div>
  <div id="fault" class="alert fault" role="alert" hidden><span id="fault-text"></span>
    <button type="button" id="resume" class="primary">Resume</button>
    <button type="button" id="restart">Restart from epoch 0</button></div>
  <section class="hints" id="hints" part="hints" aria-label="What to watch" hidden>
    <ol><li id="hint-1"></li><li id="hint-2"></li><li id="hint-3"></li></ol>
    <button type="button" id="hints-close">Got it, hide these</button>
  </section>
  <div class="layout">
    <section class="settings controls" id="settings" part="settings" aria-labelledby="h-settings">
      <div class="settings-head"><h3 id="h-settings">Settings</h3>
        <button type="button" id="settings-toggle" aria-expanded="false" aria-controls="settings-body">Show</button></div>
      <div class="settings-body" id="settings-body">
        <div class="data" id="data">
          <p id="data-source" class="quiet"></p>
          <div class="files">
            <label class="file">Your data (.npy) <input type="file" id="data-file" accept=".npy"></label>
            <label class="file" id="test-file-box" hidden>Test set (.npy) <input type="file" id="test-file" accept=".npy"></label>
            <button type="button" id="data-generated" hidden>Use generated data</button>
            <button type="button" id="w-seed" hidden>W from the seed</button>
            <label class="file">A CLI run (run.json) <input type="file" id="run-file" accept=".json,application/json"></label>
            <button type="button" id="run-remove" hidden>Remove the CLI run</button>
          </div>
          <p id="file-problem" class="alert" role="alert" hidden></p>
        </div>
        <p class="quiet">Every field of the command-line tool; its option name is shown in grey.</p>
        <div id="form-problem" class="alert form-problem" role="alert" hidden></div>
        <form id="form" novalidate></form>
      </div>
    </section>
    <div class="grid">
      ${card('ab', 'Step size the model learned (ab)', { step: 1 })}
      ${card('ratio', 'Prediction at the last position', { step: 2 })}
      ${card('loss', 'Training and test loss')}
      ${card('weights', 'Weights', {
        step: 3,
        extra: select('wmode', 'Show', '<option value="re">real part</option><option value="im">imaginary part</option><option value="mod">modulus</option>') +
          `<span id="wrun-box" hidden>${select('wrun', 'Run')}</span>`,
        // One figure per block of the run's model, made by the weights view (views/weights.js).
        body: `<div class="heat" id="wfigs">
          <div class="tooltip" id="tooltip" hidden></div></div>`,
      })}
      ${card('mesa', 'Error versus context position')}
      ${card('sequence', 'One training sequence: prediction and next token', {
        extra: select('seq', 'Sequence') + select('coord', 'Coordinate'),
      })}
      ${card('capability', 'What the learned optimizer can do, by context length T', {
        extra: select('capmode', 'Show', '<option value="relative_error">last-position error</option><option value="ratio">ratio ŷ/x</option><option value="c_star_T">c*(T)</option>'),
      })}
      ${card('structure', 'Beyond the assumption: the weights leave the diagonal', {
        cls: 'wide',
        hidden: true,
        body: `<div class="pair"><div class="plot" id="plot-structure"></div><div class="plot" id="plot-vanilla"></div></div>
          <div class="heat-row" id="heat-row"></div>`,
      })}
    </div>
  </div>
</div>`;
