/**
 * The training worker: all model fitting happens here, off the page's thread, so the page never freezes.
 * The page creates one worker per panel that trains (network, comparison).
 */
import { COMPARE_MODELS, circlePoints, runModel } from './compare.js';
import { Trainer, gridPoints, makePoints } from './netcore.js';
import { backendInfo } from '../../src/index.js';
import { CMP_GRID, type FromWorker, NET_GRID, type ToWorker } from './protocol.js';

// The worker's global has Worker's postMessage signature (the DOM typings have no worker scope).
const scope = self as unknown as Worker;
const post = (msg: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(msg, transfer);

{
  const { name, reason } = backendInfo();
  post({ kind: 'backend', name, reason });
}

/** Time budget of one slice of training before the worker reports and reads its messages. */
const SLICE_MS = 40;

let trainer: Trainer | null = null;
let grid: Float32Array = new Float32Array(0);
let playing = false;
/** Losses of the epochs trained since the last report. */
let history: [number, number, number][] = [];

function trainOneEpoch(t: Trainer): void {
  t.trainEpoch();
  const s = t.scores();
  history.push([t.epoch, s.trainLoss, s.testLoss]);
}

/** Sends the current figures and heatmaps with the losses gathered since the last report. */
function report(t: Trainer): void {
  const s = t.snapshot(grid);
  const transfer = [s.output.buffer, ...s.neurons.map((n) => n.buffer), ...s.weights.map((w) => w.data.buffer)];
  post({ kind: 'net-snapshot', snapshot: s, history, playing }, transfer);
  history = [];
}

/** Each play starts a new chain of slices; a chain left over from before a pause or reset stops itself. */
let chain = 0;

/** Trains for one time slice, reports, and yields so that pause and reset messages get through. */
function loop(id: number): void {
  const t = trainer;
  if (!playing || !t || id !== chain) return;
  try {
    const t0 = performance.now();
    do trainOneEpoch(t);
    while (performance.now() - t0 < SLICE_MS);
    report(t);
  } catch (e) {
    playing = false;
    post({ kind: 'error', source: 'net', message: (e as Error).message });
    return;
  }
  setTimeout(() => loop(id), 0);
}

function onNetwork(msg: Exclude<ToWorker, { kind: 'cmp-run' }>): void {
  switch (msg.kind) {
    case 'net-reset': {
      playing = false;
      history = [];
      trainer = null;
      const points = makePoints(msg.settings, msg.csv);
      const t = new Trainer(msg.settings, points);
      trainer = t;
      grid = gridPoints(points.domain, NET_GRID);
      post({ kind: 'net-data', points });
      const s = t.scores();
      history.push([0, s.trainLoss, s.testLoss]);
      report(t);
      return;
    }
    case 'net-play':
      if (trainer && !playing) {
        playing = true;
        const id = ++chain;
        setTimeout(() => loop(id), 0);
      }
      return;
    case 'net-pause':
      if (trainer && playing) {
        playing = false;
        report(trainer);
      }
      return;
    case 'net-step':
      if (trainer) {
        playing = false;
        trainOneEpoch(trainer);
        report(trainer);
      }
      return;
  }
}

let cmpLatest = 0;

/** Fits the comparison's models one by one, yielding between them so that a newer request replaces this one. */
async function compare(id: number, nTrain: number, seed: number): Promise<void> {
  cmpLatest = id;
  const points = circlePoints(nTrain, seed);
  for (const model of COMPARE_MODELS) {
    await new Promise((r) => setTimeout(r, 0));
    if (cmpLatest !== id) return;
    try {
      const r = await runModel(model, points, CMP_GRID, seed);
      post({ kind: 'cmp-model', id, ...r }, [r.grid.buffer]);
    } catch (e) {
      post({ kind: 'error', source: 'cmp', message: `${model}: ${(e as Error).message}` });
    }
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>): void => {
  const msg = ev.data;
  if (msg.kind === 'cmp-run') {
    void compare(msg.id, msg.nTrain, msg.seed);
    return;
  }
  try {
    onNetwork(msg);
  } catch (e) {
    playing = false;
    post({ kind: 'error', source: 'net', message: (e as Error).message });
  }
};
