// Main thread, no DOM. The series and legend entries of the epoch charts (views.js, structure.js).
// One per run and kind, and the theory lines.

/** A kind of series: a history column (key) or computed values, drawn for every run.
 * @typedef {{label: string, key?: string, dash?: number[], width?: number, ref?: boolean, values?: () => any[]}} Kind */

export const fill = (n, v) => new Array(n).fill(v ?? null);

// The series of `kinds` ([{label, key, dash, width, ref}]) for every run, kind by kind, and their
// legend: one run: an entry per kind, each with its value; several: an entry per run (the value
// of its first kind) and a line-style key per kind. offset: index of the first series.
export function runSeries(runs, kinds, offset = 0) {
  const series = kinds.flatMap((k) => runs.map((r) => ({ label: `${k.label} ${r.label}`, colour: r.colour, dash: k.dash, width: k.width, ref: k.ref, legend: false })));
  const legend = runs.length === 1
    ? kinds.map((k, i) => ({ label: k.label, colour: runs[0].colour, dash: k.dash, width: k.width, series: offset + i }))
    : [...runs.map((r, j) => ({ label: r.who, colour: r.colour, series: offset + j })),
      ...kinds.map((k) => ({ label: k.label, colour: '#555', dash: k.dash, width: k.width }))];
  return { series, legend };
}

// Horizontal theory lines [{tag, colour, dash, width, value}], labelled at their right end.
export function refSeries(refs, offset) {
  const series = refs.map((r) => ({ ...r, label: r.tag, width: r.width ?? 1.5 }));
  return { series, legend: refs.map((r, i) => ({ ...r, label: r.tag, series: offset + i })) };
}
