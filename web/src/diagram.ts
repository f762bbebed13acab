/**
 * The network drawn as the TensorFlow playground does: a column of input features, one column per hidden layer and
 * the outputs, each neuron a small heatmap of its output over the plane, joined by links coloured by the sign of
 * their weight (blue positive, orange negative) and as thick as its size. Buttons add and remove neurons.
 */
import { h } from './dom.js';
import { CLASS_COLORS, type RGB, css, diverging, fitCanvas, paintGrid, paintNeuron } from './draw.js';
import { FEATURE_FNS, FEATURE_LABELS, type Snapshot, gridPoints } from './netcore.js';
import { FEATURES, type Feature, MAX_NEURONS, type Settings } from './state.js';

/** Geometry, in CSS pixels: node size, row pitch, column pitch, width of the feature labels, header height. */
const NODE = 36;
const PITCH = 46;
const COL = 96;
const LABEL_W = 54;
const HEAD = 52;
const SVG_NS = 'http://www.w3.org/2000/svg';

interface Link {
  path: SVGPathElement;
  title: SVGTitleElement;
  layer: number;
  out: number;
  in: number;
}

const mixWhite = (c: RGB, t: number): RGB => [255 + (c[0] - 255) * t, 255 + (c[1] - 255) * t, 255 + (c[2] - 255) * t];

export class NetworkDiagram {
  readonly el = h('div', { class: 'network' });
  private readonly svg = document.createElementNS(SVG_NS, 'svg');
  private features = new Map<Feature, HTMLCanvasElement>();
  private neurons: HTMLCanvasElement[][] = [];
  private outputs: HTMLCanvasElement[] = [];
  private links: Link[] = [];

  /** `update` changes settings (a feature toggled, a neuron added or removed). */
  constructor(private readonly update: (patch: Partial<Settings>) => void) {}

  /** Lays out the columns for these settings and this many classes, with links between them. */
  build(s: Readonly<Settings>, classes: number): void {
    this.el.replaceChildren(this.svg);
    this.svg.replaceChildren();
    this.features.clear();
    const outputs = classes === 2 ? 1 : classes;
    const columns = [FEATURES.length, ...s.hidden, outputs];
    const width = LABEL_W + (columns.length - 1) * COL + NODE + 8;
    const height = HEAD + Math.max(...columns) * PITCH;
    this.el.style.width = `${width}px`;
    this.el.style.height = `${height}px`;
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));

    FEATURES.forEach((f, row) => {
      const on = s.features.includes(f);
      const canvas = this.nodeCanvas();
      const button = h('button', {
        class: 'node feature', 'aria-pressed': String(on), 'aria-label': `Feature ${FEATURE_LABELS[f]}`,
        title: `${FEATURE_LABELS[f]} (click to ${on ? 'remove' : 'add'})`, 'data-testid': `feature-${f}`,
      }, canvas);
      button.addEventListener('click', () => {
        const next = on ? s.features.filter((g) => g !== f) : FEATURES.filter((g) => g === f || s.features.includes(g));
        if (next.length > 0) this.update({ features: next });
      });
      this.place(button, 0, row);
      const label = h('div', { class: 'node-label' }, FEATURE_LABELS[f]);
      Object.assign(label.style, { left: '0px', width: `${LABEL_W - 6}px`, top: `${y(row) + NODE / 2 - 9}px` });
      this.el.append(button, label);
      this.features.set(f, canvas);
    });
    this.el.append(columnHead(0, 'Input'));

    this.neurons = s.hidden.map((n, l) => {
      const head = columnHead(l + 1, `${n} neuron${n === 1 ? '' : 's'}`);
      const resize = (delta: number): void => this.update({ hidden: s.hidden.map((m, i) => (i === l ? m + delta : m)) });
      const plus = h('button', { class: 'round', 'aria-label': `Add a neuron to hidden layer ${l + 1}`, 'data-testid': `add-neuron-${l}` }, '+');
      const minus = h('button', { class: 'round', 'aria-label': `Remove a neuron from hidden layer ${l + 1}`, 'data-testid': `remove-neuron-${l}` }, '−');
      plus.disabled = n >= MAX_NEURONS;
      minus.disabled = n <= 1;
      plus.addEventListener('click', () => resize(1));
      minus.addEventListener('click', () => resize(-1));
      head.prepend(h('div', { class: 'buttons' }, plus, minus));
      this.el.append(head);
      return Array.from({ length: n }, (_, j) => this.node(l + 1, j, `Layer ${l + 1}, neuron ${j + 1}`));
    });

    const last = columns.length - 1;
    this.el.append(columnHead(last, outputs === 1 ? 'Output' : `${outputs} outputs`));
    this.outputs = Array.from({ length: outputs }, (_, k) => this.node(last, k, outputs === 1 ? 'P(class 1)' : `P(class ${k})`));

    // Links: the first layer starts at the rows of the features in use; the others at neuron rows.
    this.links = [];
    const featureRows = s.features.map((f) => FEATURES.indexOf(f));
    for (let l = 0; l < last; l++) {
      const ins = l === 0 ? featureRows : Array.from({ length: columns[l] }, (_, i) => i);
      for (let o = 0; o < columns[l + 1]; o++) ins.forEach((row, i) => this.links.push(this.link(l, row, o, i)));
    }
  }

  /** Every feature's value over the domain (the unused ones too, drawn faded), on a G×G grid. */
  paintFeatures(domain: readonly number[], g: number): void {
    const grid = gridPoints(domain, g);
    for (const [f, canvas] of this.features) {
      const fn = FEATURE_FNS[f];
      const values = Float32Array.from({ length: g * g }, (_, i) => fn(grid[2 * i], grid[2 * i + 1]));
      paintNeuron(canvas, values, g, 1, 0);
    }
  }

  /** Neuron and output heatmaps and link weights of one snapshot (G×G grid, K classes). */
  paint(s: Snapshot, g: number, classes: number): void {
    s.neurons.forEach((values, l) => {
      const width = this.neurons[l]?.length ?? 0;
      this.neurons[l]?.forEach((c, j) => paintNeuron(c, values, g, width, j));
    });
    this.outputs.forEach((c, j) => {
      if (classes === 2) paintGrid(c, g, (i) => diverging(2 * s.output[2 * i + 1] - 1));
      else paintGrid(c, g, (i) => mixWhite(CLASS_COLORS[j % CLASS_COLORS.length], s.output[i * classes + j]));
    });
    for (const link of this.links) {
      const w = s.weights[link.layer];
      if (!w) continue;
      const v = w.data[link.out * w.shape[1] + link.in];
      link.path.setAttribute('stroke', css(v >= 0 ? CLASS_COLORS[1] : CLASS_COLORS[0], Math.min(1, 0.2 + Math.abs(v))));
      link.path.setAttribute('stroke-width', Math.min(6, 0.4 + 1.5 * Math.abs(v)).toFixed(2));
      link.title.textContent = `weight ${v.toFixed(3)}`;
    }
  }

  private nodeCanvas(): HTMLCanvasElement {
    const c = h('canvas', {});
    fitCanvas(c, NODE - 2);
    return c;
  }

  private place(el: HTMLElement, col: number, row: number): void {
    Object.assign(el.style, { left: `${x(col)}px`, top: `${y(row)}px`, width: `${NODE}px`, height: `${NODE}px` });
  }

  private node(col: number, row: number, title: string): HTMLCanvasElement {
    const c = this.nodeCanvas();
    const box = h('div', { class: 'node', title }, c);
    this.place(box, col, row);
    this.el.append(box);
    return c;
  }

  /** A curve from the right edge of (layer, row) to the left edge of (layer + 1, out), for weight [out, in]. */
  private link(layer: number, row: number, out: number, input: number): Link {
    const path = document.createElementNS(SVG_NS, 'path');
    const [x0, y0, x1, y1] = [x(layer) + NODE, y(row) + NODE / 2, x(layer + 1), y(out) + NODE / 2];
    const mid = (x0 + x1) / 2;
    path.setAttribute('d', `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`);
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', '#ccc');
    const title = document.createElementNS(SVG_NS, 'title');
    path.append(title);
    this.svg.append(path);
    return { path, title, layer, out, in: input };
  }
}

const x = (col: number): number => LABEL_W + col * COL;
const y = (row: number): number => HEAD + row * PITCH;

/** The label above a column (and its buttons, prepended by the caller). */
function columnHead(col: number, text: string): HTMLElement {
  const el = h('div', { class: 'net-col-head' }, h('div', {}, text));
  Object.assign(el.style, { left: `${x(col) - (COL - NODE) / 2}px`, width: `${COL}px`, top: '0px', height: `${HEAD - 4}px` });
  return el;
}
