/**
 * Panel 3, gradient descent: the course's functions J(x) = x²/(1 + log x) and x²·sin(πx)/(1 + log x), a 2-D bowl
 * and a ravine. Pick starting points (click the plot or type them), a learning rate, momentum and a schedule, and
 * watch each path step by step; from different starts, J₂'s paths end in different minima.
 */
import { type App, type Panel, anyChanged } from './app.js';
import { fix, h, icon, newId, numberField, rangeField, selectField } from './dom.js';
import { CLASS_COLORS, type RGB, css, fitCanvas } from './draw.js';
import { GD_INFO, type GdPath, descend, evaluate } from './gdcore.js';
import {
  DEFAULT_GD_LR, DEFAULT_STARTS, GD_FUNCTIONS, type GdFunction, SCHEDULES, type Settings, cloneSettings, gdDim,
} from './state.js';

const PATH_COLORS: RGB[] = [...CLASS_COLORS, [0, 0, 0], [140, 86, 75], [23, 190, 207]];
const SCHEDULE_NAMES: Record<string, string> = {
  constant: 'Constant α',
  step: 'Step: α × ½ every fifth of the run',
  exp: 'Exponential: α × 0.97 per step',
  cosine: 'Cosine annealing to 0',
};
const MARGIN = { left: 48, right: 12, top: 12, bottom: 30 };
const MAX_STARTS = 8;
/** The 2-D maps are shaded in a neutral slate, so that the coloured paths stand out. */
const SLATE: RGB = [72, 84, 104];
const mixRgb = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** "0.9; 2.7" or "-2, 1.5; 1, 1" → points of the function's dimension, or an error message. */
function parseStarts(text: string, dim: number): number[][] | string {
  const parts = text.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length < 1 || parts.length > MAX_STARTS) return `expected 1 to ${MAX_STARTS} starting points separated by ;`;
  const points = parts.map((p) => p.split(',').map((v) => Number(v.trim())));
  if (points.some((p) => p.length !== dim || p.some((v) => !Number.isFinite(v) || Math.abs(v) > 100))) {
    return dim === 1 ? 'expected numbers separated by ; (e.g. 0.9; 2.7)' : 'expected x, y pairs separated by ; (e.g. -2, 1.5; 1, -2)';
  }
  return points;
}

const formatStarts = (starts: number[][]): string => starts.map((p) => p.join(', ')).join('; ');

export function createGdPanel(root: HTMLElement, app: App): Panel {
  let settings = cloneSettings(app.settings);
  let visible = false;
  let paths: GdPath[] = [];
  let k = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let dirty = true;

  const fn = selectField('Function', GD_FUNCTIONS.map((f) => [f, GD_INFO[f].label] as const), settings.gdFn, (v) => {
    const f = v as GdFunction;
    app.update({ gdFn: f, gdStarts: DEFAULT_STARTS[f].map((p) => [...p]), gdLr: DEFAULT_GD_LR[f] });
  }, 'gd-fn');
  const lr = numberField('Learning rate α', { min: 1e-6, max: 10, step: 'any', value: settings.gdLr, testId: 'gd-lr' }, (v) => app.update({ gdLr: v }));
  const momentum = rangeField('Momentum', { min: 0, max: 0.99, step: 0.01, value: settings.gdMomentum, format: (v) => v.toFixed(2), testId: 'gd-momentum' }, (v) => app.update({ gdMomentum: v }));
  const schedule = selectField('Schedule α(t)', SCHEDULES.map((s) => [s, SCHEDULE_NAMES[s]] as const), settings.gdSchedule, (v) => app.update({ gdSchedule: v as Settings['gdSchedule'] }));
  const steps = numberField('Steps', { min: 1, max: 1000, step: 1, value: settings.gdSteps, integer: true, testId: 'gd-steps' }, (v) => app.update({ gdSteps: v }));
  const startsId = newId('starts');
  const starts = h('input', { id: startsId, type: 'text', 'data-testid': 'gd-starts', style: 'width: 220px' });
  const startsError = h('div', { class: 'error', role: 'alert' });
  starts.addEventListener('change', () => {
    const p = parseStarts(starts.value, gdDim(settings.gdFn));
    if (typeof p === 'string') {
      startsError.textContent = p;
      return;
    }
    startsError.textContent = '';
    app.update({ gdStarts: p });
  });
  const defaults = h('button', {}, 'Default starts');
  defaults.addEventListener('click', () => app.update({ gdStarts: DEFAULT_STARTS[settings.gdFn].map((p) => [...p]) }));

  const reset = h('button', { class: 'round', 'aria-label': 'Back to the starting points', title: 'Back to the start' }, icon('reset'));
  const play = h('button', { class: 'big primary', 'aria-label': 'Play', 'data-testid': 'gd-play' }, icon('play'));
  const step = h('button', { class: 'round', 'aria-label': 'One step', title: 'One step', 'data-testid': 'gd-step' }, icon('step'));
  const stepText = h('span', { 'data-testid': 'gd-step-count' }, '0');
  const counter = h('div', { class: 'counter' }, h('small', {}, 'Step'), stepText);

  const plot = h('canvas', { class: 'gd-plot', 'data-testid': 'gd-plot', role: 'img', 'aria-label': 'The function and the descent paths; click to add a starting point' });
  fitCanvas(plot, 640, 400);
  const list = h('ol', { class: 'paths', 'data-testid': 'gd-paths', 'aria-live': 'polite' });
  const lrNow = h('p', { class: 'small muted' });

  root.append(
    h('p', { class: 'lead' },
      'Gradient descent follows −∇J downhill: x ← x − α·∇J(x), with momentum v ← μ·v + ∇J(x), x ← x − α·v. Click the plot to add a starting point; from different starts the second function’s paths reach different minima.'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'row', style: 'align-items: center' }, reset, play, step), counter,
      fn.el, lr.el, momentum.el, schedule.el, steps.el),
    h('div', { class: 'gd-grid' },
      h('div', {}, plot),
      h('section', { class: 'stack', 'aria-label': 'Starting points and paths' },
        h('div', { class: 'field' }, h('label', { for: startsId }, 'Starting points (separate with ;)'), h('div', { class: 'row' }, starts, defaults)),
        startsError,
        h('h2', { style: 'margin-top: 8px' }, 'Paths'),
        list, lrNow)),
  );

  // ---- Geometry of the plot.
  const area = (): { x: number; y: number; w: number; h: number; dpr: number } => {
    const dpr = plot.width / 640;
    return { x: MARGIN.left * dpr, y: MARGIN.top * dpr, w: plot.width - (MARGIN.left + MARGIN.right) * dpr, h: plot.height - (MARGIN.top + MARGIN.bottom) * dpr, dpr };
  };
  let yRange: [number, number] = [0, 1];
  let curve: Float64Array = new Float64Array(0);
  let curveX: Float64Array = new Float64Array(0);
  let contour: HTMLCanvasElement | null = null;

  /** Samples J for the background: the curve for 1-D, a shaded map for 2-D. */
  function prepareBackground(): void {
    const info = GD_INFO[settings.gdFn];
    if (info.dim === 1) {
      const [x0, x1] = info.range;
      const n = 400;
      curveX = Float64Array.from({ length: n }, (_, i) => x0 + ((x1 - x0) * i) / (n - 1));
      curve = evaluate(settings.gdFn, curveX);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of curve) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      const pad = 0.06 * (hi - lo || 1);
      yRange = [lo - pad, hi + pad];
      contour = null;
      return;
    }
    const [x0, x1, y0, y1] = info.range;
    const g = 120;
    const pts = new Float64Array(g * g * 2);
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        pts[2 * (r * g + c)] = x0 + ((c + 0.5) / g) * (x1 - x0);
        pts[2 * (r * g + c) + 1] = y1 - ((r + 0.5) / g) * (y1 - y0);
      }
    }
    const values = evaluate(settings.gdFn, pts);
    let hi = 0;
    for (const v of values) hi = Math.max(hi, Math.log1p(v));
    contour = document.createElement('canvas');
    contour.width = g;
    contour.height = g;
    const ctx = contour.getContext('2d')!;
    const img = ctx.createImageData(g, g);
    for (let i = 0; i < g * g; i++) {
      // Bands of equal log(1 + J), alternately lighter, read as contour lines.
      const t = Math.log1p(values[i]) / hi;
      const band = Math.floor(t * 14);
      const c = mixRgb([255, 255, 255], SLATE, 0.05 + 0.6 * t + (band % 2 === 0 ? 0 : 0.05));
      img.data.set([c[0], c[1], c[2], 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
  }

  function toPx(p: readonly number[], value: number): [number, number] {
    const a = area();
    const info = GD_INFO[settings.gdFn];
    if (info.dim === 1) {
      const [x0, x1] = info.range;
      const v = Math.max(yRange[0], Math.min(yRange[1], value));
      return [a.x + ((p[0] - x0) / (x1 - x0)) * a.w, a.y + ((yRange[1] - v) / (yRange[1] - yRange[0])) * a.h];
    }
    const [x0, x1, y0, y1] = info.range;
    return [a.x + ((p[0] - x0) / (x1 - x0)) * a.w, a.y + ((y1 - p[1]) / (y1 - y0)) * a.h];
  }

  function drawAxesAndBackground(ctx: CanvasRenderingContext2D): void {
    const a = area();
    const info = GD_INFO[settings.gdFn];
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, plot.width, plot.height);
    ctx.font = `${11 * a.dpr}px system-ui, sans-serif`;
    ctx.fillStyle = '#59636e';
    ctx.strokeStyle = '#d8dee4';
    ctx.lineWidth = a.dpr;
    const ticks = (lo: number, hi: number, n: number): number[] => {
      const raw = (hi - lo) / n;
      const mag = 10 ** Math.floor(Math.log10(raw));
      const stepSize = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
      const out: number[] = [];
      for (let t = Math.ceil(lo / stepSize) * stepSize; t <= hi + 1e-9; t += stepSize) out.push(Number(t.toFixed(6)));
      return out;
    };
    const [x0, x1] = info.range;
    const [y0, y1] = info.dim === 1 ? yRange : [info.range[2], info.range[3]];
    if (contour) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(contour, a.x, a.y, a.w, a.h);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(x0, x1, 8)) {
      const px = a.x + ((t - x0) / (x1 - x0)) * a.w;
      ctx.beginPath();
      ctx.moveTo(px, a.y);
      ctx.lineTo(px, a.y + a.h);
      if (!contour) ctx.stroke();
      ctx.fillText(String(t), px, a.y + a.h + 6 * a.dpr);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(y0, y1, 6)) {
      const py = a.y + ((y1 - t) / (y1 - y0)) * a.h;
      ctx.beginPath();
      ctx.moveTo(a.x, py);
      ctx.lineTo(a.x + a.w, py);
      if (!contour) ctx.stroke();
      ctx.fillText(String(t), a.x - 6 * a.dpr, py);
    }
    ctx.strokeStyle = '#9aa4ad';
    ctx.strokeRect(a.x, a.y, a.w, a.h);
    if (info.dim === 1) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.x, a.y, a.w, a.h);
      ctx.clip();
      ctx.strokeStyle = '#1f2328';
      ctx.lineWidth = 2 * a.dpr;
      ctx.beginPath();
      curve.forEach((v, i) => {
        const [px, py] = toPx([curveX[i]], v);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
      ctx.restore();
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#1f2328';
    ctx.font = `${13 * a.dpr}px system-ui, sans-serif`;
    ctx.fillText(info.label, a.x + 8 * a.dpr, a.y + 6 * a.dpr);
  }

  function draw(): void {
    const ctx = plot.getContext('2d')!;
    const a = area();
    drawAxesAndBackground(ctx);
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.x, a.y, a.w, a.h);
    ctx.clip();
    paths.forEach((p, i) => {
      const color = PATH_COLORS[i % PATH_COLORS.length];
      const last = Math.min(k, p.points.length - 1);
      ctx.strokeStyle = css(color, 0.9);
      ctx.fillStyle = css(color);
      ctx.lineWidth = 1.5 * a.dpr;
      ctx.beginPath();
      for (let j = 0; j <= last; j++) {
        const [px, py] = toPx(p.points[j], p.values[j]);
        if (j === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      for (let j = 0; j <= last; j++) {
        const [px, py] = toPx(p.points[j], p.values[j]);
        ctx.beginPath();
        ctx.arc(px, py, (j === last ? 6 : 2.5) * a.dpr, 0, 2 * Math.PI);
        if (j === last) {
          ctx.lineWidth = 2.5 * a.dpr;
          ctx.stroke();
        } else {
          ctx.fill();
        }
      }
    });
    ctx.restore();
    stepText.textContent = `${k} / ${settings.gdSteps}`;
    list.replaceChildren(
      ...paths.map((p, i) => {
        const last = Math.min(k, p.points.length - 1);
        const at = p.points[last].map((v) => fix(v)).join(', ');
        const end = p.stopped && k >= p.points.length - 1 ? ` — ${p.stopped}` : '';
        return h('li', { style: `border-color: ${css(PATH_COLORS[i % PATH_COLORS.length])}` },
          `from ${p.points[0].map((v) => fix(v, 2)).join(', ')}: at ${at}, J = ${fix(p.values[last])}${end}`);
      }),
    );
    const lrs = paths[0]?.lrs ?? [];
    lrNow.textContent = lrs.length ? `α at step ${Math.min(k, lrs.length - 1)}: ${lrs[Math.min(k, lrs.length - 1)].toPrecision(3)}` : '';
  }

  const longest = (): number => Math.max(0, ...paths.map((p) => p.points.length - 1));

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = null;
    play.replaceChildren(icon('play'));
    play.setAttribute('aria-label', 'Play');
  }

  function start(): void {
    if (timer) return;
    if (k >= longest()) k = 0;
    play.replaceChildren(icon('pause'));
    play.setAttribute('aria-label', 'Pause');
    // About four seconds for a whole run, whatever its length.
    const stride = Math.max(1, Math.round(longest() / 100));
    timer = setInterval(() => {
      k = Math.min(longest(), k + stride);
      draw();
      if (k >= longest()) stop();
    }, 40);
  }

  function recompute(): void {
    dirty = false;
    stop();
    const o = { lr: settings.gdLr, momentum: settings.gdMomentum, schedule: settings.gdSchedule, steps: settings.gdSteps };
    paths = settings.gdStarts.map((s) => descend(settings.gdFn, s, o));
    prepareBackground();
    k = 0;
    draw();
    start();
  }

  play.addEventListener('click', () => (timer ? stop() : start()));
  step.addEventListener('click', () => {
    stop();
    k = Math.min(longest(), k + 1);
    draw();
  });
  reset.addEventListener('click', () => {
    stop();
    k = 0;
    draw();
  });
  plot.addEventListener('click', (e) => {
    const rect = plot.getBoundingClientRect();
    const a = area();
    const px = ((e.clientX - rect.left) / rect.width) * plot.width;
    const py = ((e.clientY - rect.top) / rect.height) * plot.height;
    if (px < a.x || px > a.x + a.w || py < a.y || py > a.y + a.h) return;
    const info = GD_INFO[settings.gdFn];
    const round = (v: number): number => Math.round(v * 100) / 100;
    const x = round(info.range[0] + ((px - a.x) / a.w) * (info.range[1] - info.range[0]));
    const p = info.dim === 1 ? [x] : [x, round(info.range[3] - ((py - a.y) / a.h) * (info.range[3] - info.range[2]))];
    if (!info.inDomain(p)) return;
    app.update({ gdStarts: [...settings.gdStarts, p].slice(-MAX_STARTS) });
  });

  return {
    apply(s, changed) {
      settings = cloneSettings(s);
      fn.input.value = s.gdFn;
      lr.set(s.gdLr);
      momentum.set(s.gdMomentum);
      schedule.input.value = s.gdSchedule;
      steps.set(s.gdSteps);
      starts.value = formatStarts(s.gdStarts);
      startsError.textContent = '';
      if (anyChanged(changed, ['gdFn', 'gdStarts', 'gdLr', 'gdMomentum', 'gdSchedule', 'gdSteps'])) {
        dirty = true;
        if (visible) recompute();
      }
    },
    show(v) {
      visible = v;
      if (v && dirty) recompute();
      if (!v) stop();
    },
    hooks: Object.freeze({
      get fn(): GdFunction {
        return settings.gdFn;
      },
      /** Where each path ends after all its steps (or where it left the domain). */
      get ends(): number[][] {
        return paths.map((p) => [...p.points[p.points.length - 1]]);
      },
      /** J at each path's end. */
      get endValues(): number[] {
        return paths.map((p) => p.values[p.values.length - 1]);
      },
      get stopped(): (string | null)[] {
        return paths.map((p) => p.stopped);
      },
      /** The step the animation shows. */
      get step(): number {
        return k;
      },
    }),
  };
}
