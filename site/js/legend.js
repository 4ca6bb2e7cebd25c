// A chart's legend in HTML: each entry drawn as its series is drawn (colour, dash, dots) with a
// value: the latest one, or the one under the pointer while hovering. Text goes in with
// textContent only.
const SVG = 'http://www.w3.org/2000/svg';

// A 28 x 12 sample of a line style: {colour, dash, width, dots, markers (dots only), band}.
export function swatch({ colour, dash, width = 2, dots, markers, band }) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  const add = (name, attrs) => {
    const n = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    svg.append(n);
  };
  if (band) add('rect', { x: 0, y: 2, width: 28, height: 8, fill: band });
  if (!markers) add('line', { x1: 1, y1: 6, x2: 27, y2: 6, stroke: colour, 'stroke-width': width, ...(dash ? { 'stroke-dasharray': dash.join(' ') } : {}) });
  if (dots || markers) for (const cx of markers ? [14] : [5, 23]) add('circle', { cx, cy: 6, r: markers ? 4 : 2.6, fill: colour });
  return svg;
}

export class Legend {
  // node: the element to fill; items: [{label, colour, dash, width, dots, markers, band, value}]
  // where value(idx) returns the text of the value at data index idx (null: the latest), or is
  // absent (a style key, no value).
  constructor(node, items) {
    this.node = node;
    this.items = items;
    this.head = document.createElement('span');
    this.head.className = 'legend-at';
    this.cells = items.map((it) => {
      const li = document.createElement('span');
      li.className = 'legend-item';
      const label = document.createElement('span');
      label.textContent = it.label;
      const value = Object.assign(document.createElement('span'), { className: 'v' });
      li.append(swatch(it), label);
      if (it.value) li.append(' ', value);
      return { li, value };
    });
    node.replaceChildren(this.head, ...this.cells.map((c) => c.li));
  }

  // idx: the hovered data index, or null (latest values); at: the text of where (e.g. 'epoch 12').
  update(idx, at) {
    this.head.textContent = at;
    this.items.forEach((it, i) => {
      if (it.value) this.cells[i].value.textContent = it.value(idx);
    });
  }
}
