// Main thread. Line charts (uPlot) with HTML legends and numbered log axes.
// Line charts (uPlot) that the demo redraws at display rate. Values that are not finite
// (a diverged run) or not positive on a log axis are never plotted: they become gaps.
// Each chart has an HTML legend (views/legend.js) with the latest values, labels on its theory lines
// (at their right end), numbered log axes (model/ticks.js) and a marker where a series has one point.
import uPlot from '../../vendor/uPlot.esm.js';
import { fmt, tick, logRange, logSplits, INT_INCRS } from '../model/ticks.js';
import { Legend } from './legend.js';

export { OKABE_ITO, RUN_COLOURS } from '../model/colours.js';
// Line styles shared by the views: dashed (ODE, test, predictions), dotted.
export const DASH = [6, 4];
export const DOTS = [2, 3];

const HEIGHT = 230;
const LOG_FLOOR = 1e-15;

const lastIndex = (y) => {
  for (let i = y.length - 1; i >= 0; i--) if (y[i] != null) return i;
  return -1;
};

// series: [{label, colour, dash, width, dots (points on the line), markers (points only), tag
// (text drawn at the line's right end with its value), ref (drawn ahead of the data, like an ODE:
// its legend value is taken at the latest point of the other series), legend: false (not listed),
// atFloor (on a log axis, values under its floor are drawn along it, not left out)}]
// opts: {xLabel, yLabel, log, xLog, xInt, clip, sync, legend: [{label, colour, dash, series}]
// (entries instead of one per series; series: the index whose value it shows, or absent),
// bands: [[upper, lower, fill]], xName (the legend's 'at' word, default xLabel)}.
// sync: charts with the same key share the hover cursor (the epoch charts of one demo).
// clip(min, max) -> [lo, hi] may narrow the y range (e.g. so a far-off start does not flatten the rest).
export class LineChart {
  constructor(container, opts) {
    const { xLabel, yLabel, log = false, xLog = false, xInt = false, series, clip = null, sync = null, bands = [] } = opts;
    this.container = container;
    this.series = series;
    this.log = log;
    this.xLog = xLog;
    this.xName = opts.xName ?? xLabel;
    this.xRange = null;
    this.single = series.map(() => false);
    this.decades = opts.decades ?? 12; // a log axis spans at most this many decades under the largest value
    const legendNode = document.createElement('div');
    legendNode.className = 'legend';
    container.replaceChildren(legendNode);
    /** @returns {[number, number]} */
    const pad = (lo, hi) => {
      const m = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
      return [lo - m, hi + m];
    };
    const logScale = (fixed) => ({ distr: /** @type {3} */ (3), log: /** @type {10} */ (10), range: (u, min, max) => fixed?.() ?? logRange(min, max) });
    const axis = (label, isLog, extra = {}) => ({
      label,
      labelSize: 18,
      stroke: '#333',
      grid: { stroke: '#eee' },
      ticks: { stroke: '#ccc' },
      // Our own ticks on log axes, every one labelled (uPlot would keep only the powers of ten).
      ...(isLog ? { splits: (u, i, min, max) => logSplits(min, max), filter: (u, splits) => splits } : {}),
      values: (u, vals) => vals.map(tick),
      ...extra,
    });
    const width = Math.max(240, container.clientWidth || 360);
    /** @type {uPlot.Options} */
    const plotOpts = {
      width,
      height: HEIGHT,
      pxAlign: 0,
      cursor: { drag: { x: false, y: false }, focus: { prox: 16 }, ...(sync ? { sync: { key: sync } } : {}) },
      legend: { show: false },
      scales: {
        x: xLog ? logScale(() => this.xRange) : { time: false, range: (u, min, max) => this.xRange || [min, max] },
        y: log ? logScale() : { auto: true, range: (u, min, max) => (min == null ? [0, 1] : pad(...(clip ? clip(min, max) : [min, max]))) },
      },
      axes: [axis(xLabel, xLog, { size: 36, ...(xInt && !xLog ? { incrs: INT_INCRS } : {}) }), axis(yLabel, log, { size: 58 })],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.colour,
          width: s.width || 2,
          dash: s.dash,
          spanGaps: true,
          ...(s.markers ? { paths: () => null } : {}),
          points: { show: () => Boolean(s.dots || s.markers || this.single[i]), size: s.markers ? 9 : 6, fill: s.colour, stroke: s.colour },
        })),
      ],
      bands: bands.map(([a, b, fill]) => ({ series: [a + 1, b + 1], fill })),
      hooks: {
        draw: [(u) => this.drawTags(u)],
        setCursor: [(u) => this.updateLegend(u.cursor.idx)],
      },
    };
    this.plot = new uPlot(plotOpts, [[], ...series.map(() => [])], container);
    // The legend says the values as they are, those under a log axis's floor too (drawn as gaps).
    const value = (i) => (idx) => {
      const y = this.raw?.[i] ?? [];
      return fmt(y[idx ?? (series[i].ref && this.latest >= 0 ? this.latest : lastIndex(y))]);
    };
    const items = opts.legend ?? series.map((s, i) => ({ ...s, series: i })).filter((s) => s.legend !== false);
    this.legend = new Legend(legendNode, items.map((it) => ({ ...it, value: it.series == null ? null : value(it.series) })));
    this.updateLegend(null);
  }

  // The legend's values: at data index idx (hovered), or the latest.
  updateLegend(idx) {
    const x = this.plot.data[0];
    this.legend.update(idx, idx == null ? (x.length ? 'latest:' : '') : `${this.xName} ${fmt(x[idx])}:`);
  }

  // Each tagged series' text at the right end of its line ("c*(T) = 0.1919"), one text for
  // lines at the same value, moved apart where they would overlap.
  drawTags(u) {
    const tags = [];
    this.series.forEach((s, i) => {
      if (!s.tag) return;
      const y = u.data[i + 1];
      const v = y[lastIndex(y)];
      if (v == null) return;
      const same = tags.find((t) => Math.abs(t.v - v) <= 1e-9 * Math.abs(v));
      if (same) same.names.push(s.tag);
      else tags.push({ v, names: [s.tag], colour: s.colour });
    });
    if (!tags.length) return;
    for (const t of tags) t.text = `${t.names.join(' = ')} = ${fmt(t.v)}`;
    const { ctx, bbox } = u;
    const dpr = bbox.width / u.width || 1;
    const h = 13 * dpr; // a text's height
    for (const t of tags) t.y = u.valToPos(t.v, 'y', true);
    const shown = tags.filter((t) => t.y >= bbox.top && t.y <= bbox.top + bbox.height).sort((a, b) => a.y - b.y);
    // Each text's top: just above its line, or just below it where the line runs along the top of
    // the plot; then pushed down so that no two texts overlap (the tags do not pile on each other).
    for (const t of shown) t.top = t.y - h - 2 * dpr < bbox.top ? t.y + 3 * dpr : t.y - h - 2 * dpr;
    for (let i = 1; i < shown.length; i++) shown[i].top = Math.max(shown[i].top, shown[i - 1].top + h + dpr);
    this.tagBoxes = shown.map((t) => ({ text: t.text, top: t.top / dpr, height: h / dpr })); // the browser tests read them
    ctx.save();
    ctx.font = `${12 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.lineWidth = 3 * dpr;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    const x = bbox.left + bbox.width - 4 * dpr;
    ctx.textBaseline = 'top';
    for (const t of shown) {
      ctx.strokeText(t.text, x, t.top);
      ctx.fillStyle = t.colour === '#000000' ? '#000' : '#333';
      ctx.fillText(t.text, x, t.top);
    }
    ctx.restore();
  }

  // x: array of numbers; ys: one array per series (null = gap).
  // On a log axis values below LOG_FLOOR (or `decades`, 12 by default, under the largest) count as zero
  // and are not drawn: uPlot's log ticks cannot span more than that.
  setData(x, ys, xRange) {
    this.xRange = xRange || null;
    let floor = -Infinity;
    if (this.log) {
      let max = 0;
      for (const y of ys) for (const v of y) if (v != null && Number.isFinite(v) && v > max) max = v;
      floor = Math.max(LOG_FLOOR, max * 10 ** -this.decades);
    }
    this.raw = ys.map((y) => y.map((v) => (v == null || !Number.isFinite(v) ? null : v)));
    // A series marked atFloor (a rounding-level error) is drawn along the floor instead; its legend keeps the value.
    const clean = this.raw.map((y, i) => y.map((v) => (this.log && v != null && v < floor ? (this.series[i].atFloor ? floor : null) : v)));
    this.single = clean.map((y) => y.reduce((n, v) => n + (v != null), 0) === 1);
    this.latest = Math.max(-1, ...clean.filter((y, i) => !this.series[i].ref && !this.series[i].tag).map(lastIndex));
    this.plot.setData([x, ...clean]);
    this.updateLegend(this.plot.cursor.idx ?? null);
  }

  resize() {
    const w = Math.max(240, this.container.clientWidth);
    if (Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: HEIGHT });
  }

  canvas() {
    return this.plot.ctx.canvas;
  }

  // The legend's entries [{label, colour, dash}], for exported images.
  legendItems() {
    return this.legend.items;
  }

  destroy() {
    this.plot.destroy();
  }
}
