/**
 * Canvas drawing: heatmaps of values on a G×G grid (row 0 at the top), labelled points, and the colours shared by
 * every panel. Colours follow the TensorFlow playground: orange for class 0 and negative values, blue for class 1
 * and positive ones, then green, purple and red for classes 2–4.
 */

export type RGB = [number, number, number];

export const CLASS_COLORS: RGB[] = [
  [245, 147, 34],
  [8, 119, 189],
  [46, 160, 67],
  [142, 68, 173],
  [214, 39, 40],
];
const WHITE: RGB = [255, 255, 255];
export const NEGATIVE = CLASS_COLORS[0];
export const POSITIVE = CLASS_COLORS[1];

export const css = (c: RGB, alpha = 1): string => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** A value in [−1, 1] as orange (−1) through white (0) to blue (+1). */
export function diverging(v: number): RGB {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  return t < 0 ? mix(WHITE, NEGATIVE, -t) : mix(WHITE, POSITIVE, t);
}

/**
 * The colour of a probability row over K classes: the classes' colours weighted by probability, faded to white
 * as the row nears uniform (so confident regions are saturated and the boundary is pale).
 */
export function classMix(p: ArrayLike<number>, offset: number, k: number): RGB {
  let c: RGB = [0, 0, 0];
  let best = 0;
  for (let j = 0; j < k; j++) {
    const pj = p[offset + j];
    const cj = CLASS_COLORS[j % CLASS_COLORS.length];
    c = [c[0] + pj * cj[0], c[1] + pj * cj[1], c[2] + pj * cj[2]];
    best = Math.max(best, pj);
  }
  const confidence = Math.max(0, (best - 1 / k) / (1 - 1 / k));
  return mix(WHITE, c, 0.25 + 0.6 * confidence);
}

/** Paints a G×G grid of colours onto the whole canvas (smoothly scaled). */
export function paintGrid(canvas: HTMLCanvasElement, g: number, color: (i: number) => RGB): void {
  const small = document.createElement('canvas');
  small.width = g;
  small.height = g;
  const sctx = small.getContext('2d')!;
  const img = sctx.createImageData(g, g);
  for (let i = 0; i < g * g; i++) {
    const c = color(i);
    img.data[4 * i] = c[0];
    img.data[4 * i + 1] = c[1];
    img.data[4 * i + 2] = c[2];
    img.data[4 * i + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** Class probabilities [G², K] as a decision-boundary heatmap. */
export function paintProbabilities(canvas: HTMLCanvasElement, probs: Float32Array, g: number, k: number): void {
  paintGrid(canvas, g, (i) => classMix(probs, i * k, k));
}

/** One column of a [G², width] activation matrix, scaled by its largest magnitude, as a diverging heatmap. */
export function paintNeuron(canvas: HTMLCanvasElement, values: Float32Array, g: number, width: number, col: number): void {
  let scale = 1e-6;
  for (let i = 0; i < g * g; i++) scale = Math.max(scale, Math.abs(values[i * width + col]));
  paintGrid(canvas, g, (i) => diverging(values[i * width + col] / scale));
}

/** Maps data coordinates to canvas pixels for the square domain [xmin, xmax, ymin, ymax]. */
export function toPixel(domain: readonly number[], w: number, h: number, x: number, y: number): [number, number] {
  const [x0, x1, y0, y1] = domain;
  return [((x - x0) / (x1 - x0)) * w, ((y1 - y) / (y1 - y0)) * h];
}

/** Draws labelled points: filled by class, outlined white (train) or black (test). */
export function drawPoints(
  canvas: HTMLCanvasElement,
  domain: readonly number[],
  x: Float32Array,
  y: Int32Array,
  style: { test?: boolean; radius?: number } = {},
): void {
  const ctx = canvas.getContext('2d')!;
  const r = style.radius ?? Math.max(2.5, canvas.width / 110);
  ctx.lineWidth = style.test ? 1.5 : 1;
  ctx.strokeStyle = style.test ? '#111' : '#fff';
  for (let i = 0; i < y.length; i++) {
    const [px, py] = toPixel(domain, canvas.width, canvas.height, x[2 * i], x[2 * i + 1]);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = css(CLASS_COLORS[y[i] % CLASS_COLORS.length]);
    ctx.fill();
    ctx.stroke();
  }
}

/** Light axes through the origin with the domain's end values, so the scale of the data is readable. */
export function drawAxes(canvas: HTMLCanvasElement, domain: readonly number[]): void {
  const ctx = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const [ox, oy] = toPixel(domain, w, h, 0, 0);
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.15)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (ox > 0 && ox < w) {
    ctx.moveTo(ox, 0);
    ctx.lineTo(ox, h);
  }
  if (oy > 0 && oy < h) {
    ctx.moveTo(0, oy);
    ctx.lineTo(w, oy);
  }
  ctx.stroke();
  ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
  ctx.font = `${Math.max(10, Math.round(w / 36))}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.fillText(String(domain[0]), 3, h - 2);
  ctx.textAlign = 'right';
  ctx.fillText(String(domain[1]), w - 3, h - 2);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(String(domain[3]), 3, 2);
}

/** Sets a canvas's pixel size to its CSS size times the device pixel ratio (sharp on high-DPI screens). */
export function fitCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight = cssWidth): void {
  const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  canvas.width = Math.round(cssWidth * dpr);
  canvas.height = Math.round(cssHeight * dpr);
}

/** FNV-1a of a canvas's pixels: changes whenever the picture does. */
export function canvasChecksum(canvas: HTMLCanvasElement): string {
  const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let h = 0x811c9dc5;
  for (let i = 0; i < d.length; i++) {
    h ^= d[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
