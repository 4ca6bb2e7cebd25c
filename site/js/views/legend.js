// Main thread. A chart's HTML legend with the latest or hovered values.
// A chart's legend in HTML: each entry drawn as its series is drawn (colour, dash, dots) with a
// value: the latest one, or the one under the pointer while hovering. Text goes in with
// textContent only.

// A 28 x 12 sample of a line style, drawn as the chart draws it (canvas line dash):
// {colour, dash, width, dots, markers (dots only), band}. data-dash records the dash.
export function swatch({ colour, dash, width = 2, dots, markers, band }) {
  const c = document.createElement('canvas');
  const dpr = globalThis.devicePixelRatio || 1;
  c.width = 28 * dpr;
  c.height = 12 * dpr;
  c.className = 'swatch';
  c.setAttribute('aria-hidden', 'true');
  c.dataset.dash = dash ? dash.join(' ') : markers ? 'markers' : 'solid';
  const ctx = c.getContext('2d');
  ctx.scale(dpr, dpr);
  if (band) {
    ctx.fillStyle = band;
    ctx.fillRect(0, 2, 28, 8);
  }
  if (!markers) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash ?? []);
    ctx.beginPath();
    ctx.moveTo(1, 6);
    ctx.lineTo(27, 6);
    ctx.stroke();
  }
  ctx.fillStyle = colour;
  for (const x of dots || markers ? (markers ? [14] : [5, 23]) : []) {
    ctx.beginPath();
    ctx.arc(x, 6, markers ? 4 : 2.6, 0, 2 * Math.PI);
    ctx.fill();
  }
  return c;
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
