/**
 * Panel 1, the network: data, features, layers and training controls on the left and top; the network drawn as
 * per-neuron heatmaps joined by links coloured by the sign of their weight and as thick as its size; the decision
 * boundary, the loss curves and the epoch counter on the right. Training runs in the worker.
 */
import uPlot from 'uplot';
import { type App, type Panel, anyChanged } from './app.js';
import { fix, h, icon, newId, numberField, pct, rangeField, selectField } from './dom.js';
import { NetworkDiagram } from './diagram.js';
import { CLASS_COLORS, canvasChecksum, css, drawAxes, drawPoints, fitCanvas, paintProbabilities } from './draw.js';
import { type CsvPoints, type Points, type Snapshot, checksum, csvToPoints, makePoints } from './netcore.js';
import { type FromWorker, NET_GRID, type ToWorker } from './protocol.js';
import {
  ACTIVATIONS, DATASETS, type DatasetName, LOSSES, MAX_LAYERS, OPTIMIZERS, REGULARIZATIONS, type Settings, cloneSettings,
} from './state.js';

/** Settings whose change starts a new run. */
const RUN_KEYS: (keyof Settings)[] = [
  'dataset', 'points', 'noise', 'trainRatio', 'classes', 'seed', 'features', 'hidden', 'activation', 'loss', 'optimizer', 'lr', 'batch',
  'reg', 'regRate', 'dropout',
];

const DATASET_NAMES: Record<DatasetName, string> = {
  circle: 'Circle', xor: 'XOR', gauss: 'Gaussians', spiral: 'Spiral', moons: 'Moons', csv: 'Your CSV file',
};
const LR_CHOICES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

/** Options of a select of numbers, with the current value added when it is not one of the choices. */
const numberOptions = (choices: number[], v: number): [string, string][] =>
  [...new Set([...choices, v])].sort((a, b) => a - b).map((c) => [String(c), String(c)]);

export function createNetworkPanel(root: HTMLElement, app: App): Panel {
  let settings = cloneSettings(app.settings);
  let worker: Worker | null = null;
  let visible = false;
  let dirty = true;
  let csv: CsvPoints | null = null;
  let points: Points | null = null;
  let snapshot: Snapshot | null = null;
  let playing = false;
  let error = '';
  let curve: [number[], number[], number[]] = [[], [], []];

  // ---- Toolbar: play, step, reset, counter, and the training settings.
  const play = h('button', { class: 'big primary', 'data-testid': 'net-play', 'aria-label': 'Play' }, icon('play'));
  const step = h('button', { class: 'round', 'data-testid': 'net-step', 'aria-label': 'Train one epoch', title: 'Train one epoch' }, icon('step'));
  const reset = h('button', { class: 'round', 'data-testid': 'net-reset', 'aria-label': 'Reset the run', title: 'Reset the run' }, icon('reset'));
  const epochText = h('span', { 'data-testid': 'net-epoch' }, '000,000');
  const counter = h('div', { class: 'counter', 'aria-live': 'off' }, h('small', {}, 'Epoch'), epochText);
  const set = (patch: Partial<Settings>): void => app.update(patch);
  const lr = selectField('Learning rate', numberOptions(LR_CHOICES, settings.lr), String(settings.lr), (v) => set({ lr: Number(v) }), 'net-lr');
  const activation = selectField('Activation', ACTIVATIONS.map((a) => [a, a === 'relu' ? 'ReLU' : a[0].toUpperCase() + a.slice(1)] as const), settings.activation, (v) => set({ activation: v as Settings['activation'] }));
  const loss = selectField('Loss', LOSSES.map((l) => [l, l === 'mse' ? 'MSE' : 'Cross-entropy'] as const), settings.loss, (v) => set({ loss: v as Settings['loss'] }));
  const optimizer = selectField('Optimizer', OPTIMIZERS.map((o) => [o, o === 'sgd' ? 'SGD' : o === 'momentum' ? 'SGD + momentum 0.9' : 'Adam'] as const), settings.optimizer, (v) => set({ optimizer: v as Settings['optimizer'] }));
  const batch = numberField('Batch size', { min: 1, max: 1000, step: 1, value: settings.batch, integer: true, testId: 'net-batch' }, (v) => set({ batch: v }));
  const reg = selectField('Regularisation', REGULARIZATIONS.map((r) => [r, r === 'none' ? 'None' : r.toUpperCase()] as const), settings.reg, (v) => set({ reg: v as Settings['reg'] }));
  const regRate = selectField('Reg. rate', numberOptions(REG_RATES, settings.regRate), String(settings.regRate), (v) => set({ regRate: Number(v) }));
  const dropout = rangeField('Dropout', { min: 0, max: 0.9, step: 0.05, value: settings.dropout, format: (v) => v.toFixed(2) }, (v) => set({ dropout: v }));
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('div', { class: 'row', style: 'align-items: center' }, reset, play, step),
    counter,
    lr.el, activation.el, loss.el, optimizer.el, batch.el, reg.el, regRate.el, dropout.el,
  );

  // ---- Data column.
  const datasetButtons = new Map<DatasetName, HTMLButtonElement>();
  const datasetGrid = h('div', { class: 'datasets', role: 'group', 'aria-label': 'Data set' });
  for (const d of DATASETS) {
    const b = h('button', { 'aria-pressed': 'false', 'aria-label': DATASET_NAMES[d], title: DATASET_NAMES[d], 'data-testid': `dataset-${d}` });
    b.append(d === 'csv' ? h('span', { class: 'csv-label' }, 'CSV') : h('canvas', { width: 60, height: 60 }));
    b.addEventListener('click', () => {
      if (d === 'csv' && !csv) {
        fileInput.click();
        return;
      }
      set({ dataset: d });
    });
    datasetButtons.set(d, b);
    datasetGrid.append(b);
  }
  const fileId = newId('csv');
  const fileInput = h('input', { id: fileId, type: 'file', accept: '.csv,text/csv,text/plain', 'data-testid': 'csv-input', style: 'max-width: 100%' });
  const csvStatus = h('div', { class: 'small muted' });
  const csvError = h('div', { class: 'error', role: 'alert' });
  const dropzone = h(
    'div',
    { class: 'dropzone' },
    h('label', { for: fileId }, 'Drop a CSV file here, or choose one: two numeric columns and a label.'),
    fileInput, csvStatus, csvError,
  );
  const classes = rangeField('Classes (spiral, Gaussians)', { min: 2, max: 5, step: 1, value: settings.classes }, (v) => set({ classes: v }));
  const nPoints = numberField('Points', { min: 20, max: 2000, step: 10, value: settings.points, integer: true }, (v) => set({ points: v }));
  const ratio = rangeField('Training data', { min: 10, max: 90, step: 5, value: settings.trainRatio, format: (v) => `${v}%`, testId: 'net-ratio' }, (v) => set({ trainRatio: v }));
  const noise = rangeField('Noise (std)', { min: 0, max: 1, step: 0.05, value: settings.noise, format: (v) => v.toFixed(2), testId: 'net-noise' }, (v) => set({ noise: v }));
  const seed = numberField('Seed', { min: 0, max: 2 ** 31 - 1, step: 1, value: settings.seed, integer: true, testId: 'net-seed' }, (v) => set({ seed: v }));
  const regenerate = h('button', { 'data-testid': 'net-regenerate' }, 'Regenerate');
  regenerate.addEventListener('click', () => set({ seed: (settings.seed + 1) % 2 ** 31 }));
  const dataCol = h(
    'section',
    { class: 'stack', 'aria-label': 'Data' },
    h('h2', {}, 'Data'),
    datasetGrid, dropzone, classes.el, nPoints.el, ratio.el, noise.el,
    h('div', { class: 'row' }, seed.el, regenerate),
  );

  // ---- Network column.
  const layerCount = h('span', {}, '');
  const addLayer = h('button', { class: 'round', 'aria-label': 'Add a hidden layer', 'data-testid': 'add-layer' }, '+');
  const removeLayer = h('button', { class: 'round', 'aria-label': 'Remove the last hidden layer', 'data-testid': 'remove-layer' }, '−');
  addLayer.addEventListener('click', () => set({ hidden: [...settings.hidden, 2].slice(0, MAX_LAYERS) }));
  removeLayer.addEventListener('click', () => set({ hidden: settings.hidden.slice(0, -1) }));
  const diagram = new NetworkDiagram(set);
  const netCol = h(
    'section',
    { 'aria-label': 'Network' },
    h('div', { class: 'layers-head' }, h('h2', { style: 'margin: 0' }, 'Features and hidden layers'), addLayer, removeLayer, layerCount),
    diagram.el,
    h('p', { class: 'small muted', style: 'margin-top: 10px' },
      'Click a feature to use it or not. Each square is a neuron’s output over the plane; links are blue for positive weights, orange for negative, thicker when larger.'),
  );

  // ---- Output column.
  const fig = (testId: string): HTMLElement => h('b', { 'data-testid': testId }, '–');
  const testLoss = fig('net-test-loss');
  const trainLoss = fig('net-train-loss');
  const testAcc = fig('net-test-acc');
  const trainAcc = fig('net-train-acc');
  const figures = h(
    'div',
    { class: 'figures' },
    h('span', {}, 'Test loss ', testLoss), h('span', {}, 'Training loss ', trainLoss),
    h('span', {}, 'Test accuracy ', testAcc), h('span', {}, 'Training accuracy ', trainAcc),
  );
  const chartBox = h('div', { class: 'chart', role: 'img', 'aria-label': 'Training and test loss per epoch' });
  const chart = new uPlot(
    {
      width: 350,
      height: 150,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false } },
      axes: [{ size: 28, font: '11px system-ui' }, { size: 40, font: '11px system-ui' }],
      series: [
        { label: 'epoch' },
        { label: 'training loss', stroke: '#59636e', width: 1.5, points: { show: false } },
        { label: 'test loss', stroke: css(CLASS_COLORS[1]), width: 2, points: { show: false } },
      ],
    },
    [[], [], []],
    chartBox,
  );
  const boundary = h('canvas', { 'data-testid': 'net-boundary', role: 'img', 'aria-label': 'Decision boundary with the data points' });
  fitCanvas(boundary, 350);
  const showTest = h('input', { type: 'checkbox', id: newId('chk'), 'data-testid': 'net-show-test' });
  showTest.addEventListener('change', () => set({ showTest: showTest.checked }));
  const legend = h('div', { class: 'legend' });
  const netError = h('div', { class: 'error', role: 'alert', 'data-testid': 'net-error' });
  const outCol = h(
    'section',
    { class: 'output', 'aria-label': 'Output' },
    h('h2', {}, 'Output'),
    figures,
    chartBox,
    h('div', { class: 'legend' },
      h('span', {}, h('span', { class: 'swatch', style: 'background:#59636e' }), 'training loss'),
      h('span', {}, h('span', { class: 'swatch', style: `background:${css(CLASS_COLORS[1])}` }), 'test loss')),
    h('div', { class: 'boundary-wrap', style: 'margin-top: 10px' }, boundary),
    h('div', { class: 'legend' }, h('label', {}, showTest, ' Show test data'), legend),
    netError,
  );

  root.append(
    h('p', { class: 'lead' },
      'A neural network learns to separate the points. Press play: training runs in a worker, so the page stays responsive. Every setting is in the link, seed included, so a run can be shared and replayed exactly.'),
    toolbar,
    h('div', { class: 'net-grid' }, dataCol, netCol, outCol),
  );

  // ---- Drawing.
  function drawBoundary(): void {
    if (!points) return;
    const ctx = boundary.getContext('2d')!;
    if (snapshot) paintProbabilities(boundary, snapshot.output, NET_GRID, points.classes);
    else ctx.clearRect(0, 0, boundary.width, boundary.height);
    drawAxes(boundary, points.domain);
    drawPoints(boundary, points.domain, points.xTrain, points.yTrain);
    if (settings.showTest) drawPoints(boundary, points.domain, points.xTest, points.yTest, { test: true });
  }

  function drawSnapshot(): void {
    if (!snapshot || !points) return;
    const s = snapshot;
    epochText.textContent = String(s.epoch).padStart(6, '0').replace(/(\d{3})(\d{3})$/, '$1,$2');
    testLoss.textContent = fix(s.testLoss);
    trainLoss.textContent = fix(s.trainLoss);
    testAcc.textContent = pct(s.testAcc);
    trainAcc.textContent = pct(s.trainAcc);
    drawBoundary();
    diagram.paint(s, NET_GRID, points.classes);
  }

  function drawLegend(): void {
    if (!points) return;
    const names = settings.dataset === 'csv' && csv ? csv.classNames : Array.from({ length: points.classes }, (_, k) => `class ${k}`);
    legend.replaceChildren(...names.map((n, k) => h('span', {}, h('span', { class: 'swatch', style: `background:${css(CLASS_COLORS[k % CLASS_COLORS.length])}` }), n)));
  }

  function pushCurve(history: [number, number, number][]): void {
    for (const [e, tr, te] of history) {
      curve[0].push(e);
      curve[1].push(tr);
      curve[2].push(te);
    }
    // Keep the chart light on long runs: drop every other point past 4000.
    if (curve[0].length > 4000) curve = curve.map((a) => a.filter((_, i) => i % 2 === 0 || i === a.length - 1)) as typeof curve;
    chart.setData(curve);
  }

  /** The worker's kernel backend, once it has said. */
  let backend = '';

  function setPlaying(p: boolean): void {
    playing = p;
    play.replaceChildren(icon(p ? 'pause' : 'play'));
    play.setAttribute('aria-label', p ? 'Pause' : 'Play');
  }

  function onMessage(ev: MessageEvent<FromWorker>): void {
    const msg = ev.data;
    switch (msg.kind) {
      case 'net-data':
        points = msg.points;
        diagram.build(settings, points.classes);
        diagram.paintFeatures(points.domain, NET_GRID);
        layerCount.textContent = `${settings.hidden.length} hidden layer${settings.hidden.length === 1 ? '' : 's'}`;
        addLayer.disabled = settings.hidden.length >= MAX_LAYERS;
        removeLayer.disabled = settings.hidden.length === 0;
        drawLegend();
        return;
      case 'net-snapshot':
        snapshot = msg.snapshot;
        pushCurve(msg.history);
        setPlaying(msg.playing);
        drawSnapshot();
        return;
      case 'backend':
        backend = msg.name;
        document.getElementById('kernels')!.textContent = `Training runs in a worker on Backprop's ${msg.reason}`;
        return;
      case 'error':
        if (msg.source !== 'net') return;
        setPlaying(false);
        showError(msg.message);
        return;
    }
  }

  function showError(message: string): void {
    error = message;
    netError.textContent = message;
  }

  function send(msg: ToWorker): void {
    if (!worker) {
      worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = onMessage;
      worker.onerror = (e) => showError(`worker: ${e.message}`);
    }
    worker.postMessage(msg);
  }

  /** Starts a new run from the settings (epoch 0), or says why it cannot. */
  function restart(): void {
    dirty = false;
    snapshot = null;
    curve = [[], [], []];
    chart.setData(curve);
    setPlaying(false);
    showError('');
    if (settings.dataset === 'csv' && !csv) {
      points = null;
      const ctx = boundary.getContext('2d')!;
      ctx.clearRect(0, 0, boundary.width, boundary.height);
      showError('This link uses a CSV file, which links do not carry: drop the file on the page to load it again.');
      return;
    }
    send({ kind: 'net-reset', settings: cloneSettings(settings), csv });
  }

  // ---- Controls that are not plain settings.
  play.addEventListener('click', () => {
    if (!snapshot) return;
    send({ kind: playing ? 'net-pause' : 'net-play' });
    setPlaying(!playing);
  });
  step.addEventListener('click', () => snapshot && send({ kind: 'net-step' }));
  reset.addEventListener('click', restart);

  async function loadCsv(file: File): Promise<void> {
    csvError.textContent = '';
    try {
      csv = csvToPoints(await file.text(), file.name);
      csvStatus.textContent = `${file.name}: ${csv.y.length} rows, columns ${csv.columns.join(' and ')} (standardised), ${csv.classes} classes.`;
      if (settings.dataset === 'csv') restart();
      else set({ dataset: 'csv' });
    } catch (e) {
      csvError.textContent = (e as Error).message;
    }
  }
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    if (f) void loadCsv(f);
  });
  for (const target of [dropzone, boundary]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      dropzone.classList.add('over');
    });
    target.addEventListener('dragleave', () => dropzone.classList.remove('over'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      dropzone.classList.remove('over');
      const f = (e as DragEvent).dataTransfer?.files[0];
      if (f) void loadCsv(f);
    });
  }

  let thumbnailsDrawn = false;
  /** Small previews of the synthetic sets on their buttons (with the chosen number of classes). */
  function drawThumbnails(): void {
    thumbnailsDrawn = true;
    for (const d of DATASETS) {
      if (d === 'csv') continue;
      const canvas = datasetButtons.get(d)!.querySelector('canvas')!;
      const p = makePoints({ ...cloneSettings(settings), dataset: d, points: 160, noise: 0, seed: 1, trainRatio: 90 });
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      drawPoints(canvas, p.domain, p.xTrain, p.yTrain, { radius: 2 });
    }
  }

  function syncControls(s: Settings): void {
    for (const [d, b] of datasetButtons) b.setAttribute('aria-pressed', String(d === s.dataset));
    lr.input.replaceChildren(...numberOptions(LR_CHOICES, s.lr).map(([v, t]) => h('option', { value: v }, t)));
    lr.input.value = String(s.lr);
    activation.input.value = s.activation;
    loss.input.value = s.loss;
    optimizer.input.value = s.optimizer;
    batch.set(s.batch);
    reg.input.value = s.reg;
    regRate.input.replaceChildren(...numberOptions(REG_RATES, s.regRate).map(([v, t]) => h('option', { value: v }, t)));
    regRate.input.value = String(s.regRate);
    regRate.input.disabled = s.reg === 'none';
    dropout.set(s.dropout);
    classes.set(s.classes);
    classes.input.disabled = !(s.dataset === 'spiral' || s.dataset === 'gauss');
    nPoints.set(s.points);
    nPoints.input.disabled = s.dataset === 'csv';
    ratio.set(s.trainRatio);
    noise.set(s.noise);
    noise.input.disabled = s.dataset === 'csv';
    seed.set(s.seed);
    showTest.checked = s.showTest;
  }

  return {
    apply(s, changed) {
      settings = cloneSettings(s);
      syncControls(settings);
      if (!thumbnailsDrawn || changed.has('classes')) drawThumbnails();
      if (anyChanged(changed, RUN_KEYS)) {
        dirty = true;
        if (visible) restart();
      } else if (changed.has('showTest')) {
        drawBoundary();
      }
    },
    show(v) {
      visible = v;
      if (v && dirty) restart();
      if (!v && playing) {
        send({ kind: 'net-pause' });
        setPlaying(false);
      }
    },
    hooks: Object.freeze({
      /** The kernel backend the worker trains with ('' until it has said). */
      get backend(): string {
        return backend;
      },
      get ready(): boolean {
        return snapshot !== null;
      },
      get playing(): boolean {
        return playing;
      },
      get epoch(): number {
        return snapshot?.epoch ?? -1;
      },
      get trainLoss(): number {
        return snapshot?.trainLoss ?? NaN;
      },
      get testLoss(): number {
        return snapshot?.testLoss ?? NaN;
      },
      get trainAccuracy(): number {
        return snapshot?.trainAcc ?? NaN;
      },
      get testAccuracy(): number {
        return snapshot?.testAcc ?? NaN;
      },
      get classes(): number {
        return points?.classes ?? 0;
      },
      /** Checksum of the class probabilities on the grid: equal runs give equal values. */
      get outputChecksum(): string {
        return snapshot ? checksum(snapshot.output) : '';
      },
      /** Checksum of the boundary picture's pixels. */
      get boundaryChecksum(): string {
        return canvasChecksum(boundary);
      },
      get error(): string {
        return error;
      },
    }),
  };
}
