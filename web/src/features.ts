/**
 * Panel 2, feature engineering: the course's unit-circle lesson. Four models fit the same training points side by
 * side, each drawn as its decision boundary with its training and test accuracy; a slider sets the training-set
 * size (down to 30). The fitting runs in a worker, one model after another.
 */
import { type App, type Panel, anyChanged } from './app.js';
import { COMPARE_MODELS, COMPARE_TITLES, type CirclePoints, type CompareModel, circlePoints } from './compare.js';
import { h, numberField, pct, rangeField } from './dom.js';
import { diverging, drawAxes, drawPoints, fitCanvas, paintGrid } from './draw.js';
import { CMP_GRID, type FromWorker } from './protocol.js';
import { type Settings, cloneSettings } from './state.js';

const NOTES: Record<CompareModel, string> = {
  lrRaw: 'A line cannot separate the inside of a circle from the outside: it underfits.',
  tree: 'Boxes fit every training point exactly and generalise less well: it overfits small sets.',
  lrPhi: 'In φ(x) the circle x₁² + x₂² = 1 is a line: a linear model fits it from a few points.',
  mlp: 'A hidden layer learns its own features, given enough points.',
};

interface Result {
  trainAcc: number;
  testAcc: number;
}

export function createFeaturesPanel(root: HTMLElement, app: App): Panel {
  let settings = cloneSettings(app.settings);
  let worker: Worker | null = null;
  let visible = false;
  let dirty = true;
  let request = 0;
  let running = false;
  const results = new Map<CompareModel, Result>();
  /** The current request's points, drawn on every card (the worker draws the same ones from the same seed). */
  let points: CirclePoints | null = null;
  let error = '';

  const size = rangeField('Training points', { min: 30, max: 500, step: 10, value: settings.fTrain, testId: 'cmp-train-size' }, (v) => app.update({ fTrain: v }));
  const seed = numberField('Seed', { min: 0, max: 2 ** 31 - 1, step: 1, value: settings.fSeed, integer: true, testId: 'cmp-seed' }, (v) => app.update({ fSeed: v }));
  const regenerate = h('button', {}, 'New points');
  regenerate.addEventListener('click', () => app.update({ fSeed: (settings.fSeed + 1) % 2 ** 31 }));
  const status = h('span', { class: 'muted small', 'aria-live': 'polite', 'data-testid': 'cmp-status' }, '');
  const errorBox = h('div', { class: 'error', role: 'alert' });

  const cards = new Map<CompareModel, { card: HTMLElement; canvas: HTMLCanvasElement; train: HTMLElement; test: HTMLElement }>();
  const grid = h('div', { class: 'cards' });
  for (const m of COMPARE_MODELS) {
    const canvas = h('canvas', { role: 'img', 'aria-label': `Decision boundary of ${COMPARE_TITLES[m]}` });
    fitCanvas(canvas, 260);
    const train = h('b', { 'data-testid': `cmp-${m}-train` }, '–');
    const test = h('b', { 'data-testid': `cmp-${m}-test` }, '–');
    const card = h(
      'article',
      { class: 'card pending', 'data-testid': `cmp-${m}` },
      h('h3', {}, COMPARE_TITLES[m]),
      canvas,
      h('div', { class: 'acc' }, h('span', {}, 'train ', train), h('span', {}, 'test ', test)),
      h('p', { class: 'small muted', style: 'margin-top: 6px' }, NOTES[m]),
    );
    cards.set(m, { card, canvas, train, test });
    grid.append(card);
  }

  root.append(
    h('p', { class: 'lead' },
      'The unit circle: points x ~ N(0, I), labelled blue outside the circle ‖x‖ = 1 and orange inside. The same training points go to four models; the test accuracy is measured on 1,000 fresh points. Lower the training set to 30 points and compare.'),
    h('div', { class: 'toolbar' }, size.el, seed.el, regenerate, status),
    errorBox,
    grid,
  );

  function onMessage(ev: MessageEvent<FromWorker>): void {
    const msg = ev.data;
    if (msg.kind === 'error' && msg.source === 'cmp') {
      error = msg.message;
      errorBox.textContent = msg.message;
      return;
    }
    if (msg.kind !== 'cmp-model' || msg.id !== request) return;
    const c = cards.get(msg.model)!;
    points ??= circlePoints(settings.fTrain, settings.fSeed);
    paintGrid(c.canvas, CMP_GRID, (i) => diverging(2 * msg.grid[i] - 1));
    drawAxes(c.canvas, points.domain);
    drawPoints(c.canvas, points.domain, points.xTrain, points.yTrain);
    c.train.textContent = pct(msg.trainAcc);
    c.test.textContent = pct(msg.testAcc);
    c.card.classList.remove('pending');
    results.set(msg.model, { trainAcc: msg.trainAcc, testAcc: msg.testAcc });
    if (results.size === COMPARE_MODELS.length) {
      running = false;
      status.textContent = `${settings.fTrain} training points: done.`;
    }
  }

  function run(): void {
    dirty = false;
    request++;
    results.clear();
    points = null;
    running = true;
    error = '';
    errorBox.textContent = '';
    status.textContent = `Fitting four models on ${settings.fTrain} points…`;
    for (const c of cards.values()) c.card.classList.add('pending');
    if (!worker) {
      worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = onMessage;
      worker.onerror = (e) => {
        error = `worker: ${e.message}`;
        errorBox.textContent = error;
      };
    }
    worker.postMessage({ kind: 'cmp-run', id: request, nTrain: settings.fTrain, seed: settings.fSeed });
  }

  return {
    apply(s: Readonly<Settings>, changed) {
      settings = cloneSettings(s);
      size.set(s.fTrain);
      seed.set(s.fSeed);
      if (anyChanged(changed, ['fTrain', 'fSeed'])) {
        dirty = true;
        if (visible) run();
      }
    },
    show(v) {
      visible = v;
      if (v && dirty) run();
    },
    hooks: Object.freeze({
      /** True once all four models of the current settings have reported. */
      get done(): boolean {
        return !running && results.size === COMPARE_MODELS.length;
      },
      get trainSize(): number {
        return settings.fTrain;
      },
      /** Accuracies by model: lrRaw, tree, lrPhi (φ(x) = (x₁², x₂²)), mlp. */
      get results(): Record<string, Result> {
        return Object.fromEntries([...results].map(([k, v]) => [k, { ...v }]));
      },
      get error(): string {
        return error;
      },
    }),
  };
}
