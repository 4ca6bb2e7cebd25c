// Line charts (uPlot) that the demo redraws at display rate. Values that are not finite
// (a diverged run) or not positive on a log axis are never plotted: they become gaps.
import uPlot from '../vendor/uPlot.esm.js';

// Okabe-Ito, a palette that stays distinguishable under the common colour-vision deficiencies.
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#777777',
};
export const RUN_COLOURS = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green];

const HEIGHT = 230;
const LOG_FLOOR = 1e-15;

function fmt(v) {
  if (v == null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return Number(v.toPrecision(4)).toExponential();
  return Number(v.toPrecision(5)).toString();
}

// Log axes: label the powers of ten only (the other ticks stay as grid lines), unless the
// range holds fewer than two of them.
const isPow10 = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
const logLabels = (vals) => {
  const all = vals.filter((v) => v != null);
  if (all.filter(isPow10).length < 2) return vals.map((v, i) => (i % Math.ceil(all.length / 5) === 0 ? fmt(v) : ''));
  return vals.map((v) => (isPow10(v) ? fmt(v) : ''));
};

// series: [{label, colour, dash, width}]; opts: {xLabel, yLabel, log, clip, sync}
// sync: charts with the same key share the hover cursor (the epoch charts of one demo).
// clip(min, max) -> [lo, hi] may narrow the y range (e.g. so a far-off start does not flatten the rest).
export class LineChart {
  constructor(container, { xLabel, yLabel, log = false, series, clip = null, sync = null }) {
    this.container = container;
    this.series = series;
    this.log = log;
    this.xRange = null;
    const pad = (lo, hi) => {
      const m = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || 1;
      return [lo - m, hi + m];
    };
    const width = Math.max(240, container.clientWidth || 360);
    const opts = {
      width,
      height: HEIGHT,
      pxAlign: 0,
      cursor: { drag: { x: false, y: false }, focus: { prox: 16 }, ...(sync ? { sync: { key: sync } } : {}) },
      legend: { live: true },
      scales: {
        x: { time: false, range: (u, min, max) => this.xRange || [min, max] },
        y: log ? { distr: 3 } : { auto: true, range: (u, min, max) => (min == null ? [0, 1] : pad(...(clip ? clip(min, max) : [min, max]))) },
      },
      axes: [
        { label: xLabel, size: 36, labelSize: 18, stroke: '#333', grid: { stroke: '#eee' } },
        { label: yLabel, size: 58, labelSize: 18, stroke: '#333', grid: { stroke: '#eee' }, values: (u, vals) => (log ? logLabels(vals) : vals.map(fmt)) },
      ],
      series: [
        { label: xLabel, value: (u, v) => fmt(v) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: s.width || 2,
          dash: s.dash,
          spanGaps: true,
          points: { show: false },
          value: (u, v) => fmt(v),
        })),
      ],
    };
    this.nSeries = series.length;
    this.plot = new uPlot(opts, [[], ...series.map(() => [])], container);
  }

  // x: array of numbers; ys: one array per series (null = gap).
  // On a log axis values below LOG_FLOOR (or 12 decades under the largest) count as zero
  // and are not drawn: uPlot's log ticks cannot span more than that.
  setData(x, ys, xRange) {
    this.xRange = xRange || null;
    let floor = -Infinity;
    if (this.log) {
      let max = 0;
      for (const y of ys) for (const v of y) if (v != null && Number.isFinite(v) && v > max) max = v;
      floor = Math.max(LOG_FLOOR, max * 1e-12);
    }
    const clean = ys.map((y) => y.map((v) => (v == null || !Number.isFinite(v) || (this.log && v < floor) ? null : v)));
    this.plot.setData([x, ...clean]);
  }

  resize() {
    const w = Math.max(240, this.container.clientWidth);
    if (Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: HEIGHT });
  }

  canvas() {
    return this.plot.ctx.canvas;
  }

  // [{label, colour, dash}] of the visible series, for exported images.
  legend() {
    return this.series.filter((s, i) => this.plot.series[i + 1].show);
  }

  destroy() {
    this.plot.destroy();
  }
}
