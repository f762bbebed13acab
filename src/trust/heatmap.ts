/**
 * Attribution maps as images: a colour map over the input (a heat-map overlay), as RGBA pixels and as PNG bytes.
 * PNG encoding uses pngjs, loaded on first use so the rest of trust/ stays free of Node-only code.
 */
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** RGBA pixels, row-major, 4 bytes per pixel. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface HeatmapOptions {
  /**
   * 'diverging' (default for signed maps): blue for negative, red for positive attributions, by |v|;
   * 'inferno': a dark-to-bright map of the magnitude |v| (default when every value is ≥ 0, e.g. Grad-CAM).
   */
  colormap?: 'diverging' | 'inferno';
  /** The input drawn underneath in grey, shaped like the map ([H, W], [1, H, W], or [H·W] for square images). */
  image?: Tensor | null;
  /** Opacity of the colour at the strongest attribution (default 0.8); weaker ones are more transparent. */
  alpha?: number;
  /** |v| at this percentile maps to full colour (default 99), so a few outliers do not wash the map out. */
  percentile?: number;
  /** Each map pixel becomes a scale × scale block (default 1). */
  scale?: number;
}

/** A map or image as [H, W] float values: accepts [H, W], [1, H, W], [1, 1, H, W], or [H·W] with a square H·W. */
export function asPlane(who: string, t: Tensor): { h: number; w: number; v: Float64Array } {
  let shape = [...t.shape];
  while (shape.length > 2 && shape[0] === 1) shape = shape.slice(1);
  if (shape.length === 1) {
    const s = Math.round(Math.sqrt(shape[0]));
    if (s * s !== shape[0]) throw new Error(`${who}: a flat map of ${shape[0]} values is not square; reshape it to [H, W]`);
    shape = [s, s];
  }
  if (shape.length !== 2) throw new Error(`${who}: expected one map [H, W] (or [1, H, W], [H·W]), got ${fmtShape(t.shape)}`);
  return { h: shape[0], w: shape[1], v: Float64Array.from(t.data()) };
}

// Inferno (matplotlib), sampled at 0, ¼, ½, ¾, 1.
const INFERNO: [number, number, number][] = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
// The ends of coolwarm (Moreland, 2009).
const NEGATIVE: [number, number, number] = [59, 76, 192];
const POSITIVE: [number, number, number] = [180, 4, 38];

function inferno(t: number): [number, number, number] {
  const s = Math.min(Math.max(t, 0), 1) * (INFERNO.length - 1);
  const i = Math.min(Math.floor(s), INFERNO.length - 2);
  const f = s - i;
  return [0, 1, 2].map((c) => INFERNO[i][c] * (1 - f) + INFERNO[i + 1][c] * f) as [number, number, number];
}

/** The p-th percentile of |v| (nearest rank). */
function absPercentile(v: Float64Array, p: number): number {
  const a = Float64Array.from(v, Math.abs).sort();
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil((p / 100) * a.length) - 1))];
}

/**
 * Renders an attribution map as RGBA pixels: colour weighted by the normalised |value| over the grey input
 * (white when no image is given): pixel = (1 − α·m)·background + α·m·colour, m = min(|v| / v_p, 1).
 */
export function heatmapRGBA(map: Tensor, options: HeatmapOptions = {}): RGBAImage {
  const { h, w, v } = asPlane('heatmapRGBA', map);
  const alpha = options.alpha ?? 0.8;
  const scale = options.scale ?? 1;
  const pct = options.percentile ?? 99;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`heatmapRGBA: alpha must be in [0, 1], got ${alpha}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`heatmapRGBA: scale must be a positive integer, got ${scale}`);
  if (!(pct > 0 && pct <= 100)) throw new Error(`heatmapRGBA: percentile must be in (0, 100], got ${pct}`);
  const colormap = options.colormap ?? (v.every((x) => x >= 0) ? 'inferno' : 'diverging');
  if (colormap !== 'diverging' && colormap !== 'inferno') {
    throw new Error(`heatmapRGBA: colormap must be 'diverging' or 'inferno', got '${String(colormap)}'`);
  }
  let bg: Float64Array | null = null;
  if (options.image) {
    const img = asPlane('heatmapRGBA (image)', options.image);
    if (img.h !== h || img.w !== w) throw new Error(`heatmapRGBA: image is ${img.h}×${img.w} but the map is ${h}×${w}; they must match`);
    // Stretch the image to [0, 1] for display, whatever its normalisation.
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of img.v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    bg = img.v.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0));
  }
  const top = absPercentile(v, pct) || 1;
  const W = w * scale;
  const data = new Uint8Array(h * scale * W * 4);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const val = v[i * w + j];
      const m = Math.min(Math.abs(val) / top, 1);
      const color = colormap === 'inferno' ? inferno(m) : val >= 0 ? POSITIVE : NEGATIVE;
      const a = colormap === 'inferno' && !bg ? 1 : alpha * m;
      const grey = bg ? 255 * bg[i * w + j] : 255;
      const px = color.map((c) => Math.round((1 - a) * grey + a * c));
      for (let di = 0; di < scale; di++) {
        for (let dj = 0; dj < scale; dj++) {
          const o = ((i * scale + di) * W + j * scale + dj) * 4;
          data[o] = px[0];
          data[o + 1] = px[1];
          data[o + 2] = px[2];
          data[o + 3] = 255;
        }
      }
    }
  }
  return { width: W, height: h * scale, data };
}

/** Encodes RGBA pixels as PNG bytes (8-bit RGBA) with pngjs. */
export async function encodePNG(image: RGBAImage): Promise<Uint8Array> {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new Error(`encodePNG: ${data.length} bytes for ${width}×${height} RGBA; expected ${width * height * 4}`);
  }
  const mod = (await import('pngjs')) as unknown as { PNG?: typeof import('pngjs').PNG; default?: { PNG: typeof import('pngjs').PNG } };
  const PNG = mod.PNG ?? mod.default!.PNG;
  const png = new PNG({ width, height });
  png.data.set(data);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}

/** An attribution map as a PNG heat-map overlay (see heatmapRGBA for the options). */
export async function heatmapPNG(map: Tensor, options: HeatmapOptions = {}): Promise<Uint8Array> {
  return encodePNG(heatmapRGBA(map, options));
}
