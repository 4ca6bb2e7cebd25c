// Main thread. Downloads: history as CSV or JSON, a chart as PNG.
// Downloads: history as CSV / JSON, any chart canvas as PNG (with a title and white background).
import { COLUMNS } from '../model/runs.js';
import { VERSION } from '../version.js';

function download(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const cell = (v) => (v == null || !Number.isFinite(v) ? '' : String(v));

// What changed at an epoch (live edits): "lr 0.001 -> 0.002; clip false -> true", or ''.
const changedAt = (changes = [], epoch) =>
  changes.filter((c) => c.epoch === epoch).map((c) => `${c.field} ${c.from} -> ${c.to}`).join('; ');

// runs: [{a0, b0, layers, history, changes}] -> one row per (run, evaluation); the column
// `changed` says what changed from that epoch on, `layers` (added after it) the run's layers.
export function historyCSV(runs) {
  const lines = [['a0', 'b0', ...COLUMNS, 'changed', 'layers'].join(',')];
  for (const r of runs) {
    const h = r.history;
    for (let i = 0; i < h.epoch.length; i++) lines.push([r.a0, r.b0, ...COLUMNS.map((k) => cell(h[k][i])), changedAt(r.changes, h.epoch[i]), r.layers ?? 1].join(','));
  }
  return `${lines.join('\n')}\n`;
}

// Same layout as the CLI's JSON (non-finite numbers become null), with its "mesaflow" (the
// version) and "data" ('generated' or 'file'; data_file: the file's description, el.data).
export function historyJSON(config, runs, data = { source: 'generated' }) {
  const clean = (a) => a.map((v) => (Number.isFinite(v) ? v : null));
  return JSON.stringify(
    {
      mesaflow: VERSION,
      config,
      data: data.source,
      ...(data.source === 'file' ? { data_file: data } : {}),
      runs: runs.map((r) => ({ a0: r.a0, b0: r.b0, layers: r.layers ?? 1, theory: r.theory,
        history: { ...Object.fromEntries(COLUMNS.map((k) => [k, clean(r.history[k])])), changes: r.changes ?? [] } })),
    },
    null,
    1,
  );
}

export function saveCSV(name, runs) {
  download(`${name}.csv`, new Blob([historyCSV(runs)], { type: 'text/csv' }));
}

export function saveJSON(name, config, runs, data) {
  download(`${name}.json`, new Blob([historyJSON(config, runs, data)], { type: 'application/json' }));
}

// Draws the canvases side by side under a title line, each with its caption, and the legend
// ([{label, colour, dash}]) below them, one entry a line; then downloads the PNG.
export function savePNG(name, title, canvases, legend = [], captions = []) {
  const pad = 10;
  const titleH = 28;
  const lineH = 20;
  const w = canvases.reduce((s, c) => s + c.width, 0) + pad * (canvases.length + 1);
  const top = Math.max(...canvases.map((c) => c.height)) + titleH + pad + (captions.length ? lineH : 0);
  const h = top + pad + legend.length * lineH;
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#000';
  ctx.font = '16px sans-serif';
  ctx.fillText(title, pad, pad + 16);
  let x = pad;
  ctx.font = '13px sans-serif';
  canvases.forEach((c, i) => {
    ctx.drawImage(c, x, titleH + pad);
    if (captions[i]) ctx.fillText(captions[i], x, titleH + pad + c.height + 15);
    x += c.width + pad;
  });
  legend.forEach((s, i) => {
    const y = top + pad + i * lineH + lineH / 2;
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 3;
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    ctx.moveTo(pad, y);
    ctx.lineTo(pad + 28, y);
    ctx.stroke();
    ctx.fillStyle = '#000';
    ctx.fillText(s.label, pad + 36, y + 4);
  });
  out.toBlob((blob) => blob && download(`${name}.png`, blob), 'image/png');
}
