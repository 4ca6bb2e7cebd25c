// The static skeleton of <mesaflow-demo>'s shadow root. A constant: nothing from attributes,
// the URL or the module is ever put into this HTML; those go in later with textContent.
const css = (name) => new URL(`../${name}`, import.meta.url).href;

const card = (id, title, extra = '') => `
  <section class="card" id="card-${id}" aria-labelledby="h-${id}">
    <div class="card-head"><h3 id="h-${id}">${title}</h3>${extra}
      <button type="button" class="png" data-png="${id}" aria-label="Download ${title} as PNG">PNG</button></div>
    <div class="plot" id="plot-${id}"></div>
    <div class="text" id="text-${id}"></div>
  </section>`;

export const TEMPLATE = `
<link rel="stylesheet" href="${css('vendor/uPlot.min.css')}">
<link rel="stylesheet" href="${css('vendor/katex/katex.min.css')}">
<link rel="stylesheet" href="${css('css/tex.css')}">
<link rel="stylesheet" href="${css('css/demo.css')}">
<div class="demo">
  <div class="toolbar controls" role="toolbar" aria-label="Training controls">
    <button type="button" id="play" class="primary" aria-pressed="false">Play</button>
    <button type="button" id="step" aria-label="Step one epoch">Step</button>
    <button type="button" id="reset">Reset</button>
    <label>Speed <select id="speed">
      <option value="2">2 epochs/s</option><option value="10">10 epochs/s</option>
      <option value="50">50 epochs/s</option><option value="0" selected>max</option></select></label>
    <label>Preset <select id="preset"></select></label>
    <label class="check"><input type="checkbox" id="compare"> compare the paper’s 3 initialisations</label>
  </div>
  <div id="status" class="status" role="status" aria-live="polite">Loading the WebAssembly module…</div>
  <div id="alert" class="alert" role="alert" hidden></div>
  <div id="fault" class="alert fault" role="alert" hidden><span id="fault-text"></span>
    <button type="button" id="resume" class="primary">Resume</button>
    <button type="button" id="restart">Restart from epoch 0</button></div>
  <details class="settings controls" id="settings">
    <summary>Settings (every field of the command-line tool)</summary>
    <form id="form" novalidate></form>
    <div class="export">
      <button type="button" id="csv">Export CSV</button>
      <button type="button" id="json">Export JSON</button>
    </div>
  </details>
  <div class="grid">
    ${card('ab', 'ab versus epoch')}
    ${card('ratio', 'Prediction at the last position')}
    ${card('loss', 'Loss')}
    <section class="card" id="card-weights" aria-labelledby="h-weights">
      <div class="card-head"><h3 id="h-weights">Weights W<sub>KQ</sub> and W<sub>PV</sub></h3>
        <label>Show <select id="wmode"><option value="re">real part</option><option value="im">imaginary part</option><option value="mod">modulus</option></select></label>
        <button type="button" class="png" data-png="weights" aria-label="Download the weights as PNG">PNG</button></div>
      <div class="heat">
        <figure><canvas id="wkq" role="img" aria-label="Heatmap of W_KQ"></canvas><figcaption>W<sub>KQ</sub> (2d × 2d), max |·| <span id="wkq-max"></span></figcaption></figure>
        <figure><canvas id="wpv" role="img" aria-label="Heatmap of W_PV"></canvas><figcaption>W<sub>PV</sub> (d × 2d), max |·| <span id="wpv-max"></span></figcaption></figure>
        <div class="tooltip" id="tooltip" hidden></div>
      </div>
      <div class="text" id="text-weights"></div>
    </section>
    ${card('mesa', 'Error versus context position')}
    ${card('samples', 'Sample trajectories', '<label>coordinate <select id="coord"></select></label>')}
  </div>
</div>`;
