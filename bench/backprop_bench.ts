/**
 * Backprop's side of the peer benchmark: one workload, the peers' protocol (../shared/bench/peers/README.md),
 * one `RESULT {json}` line with the peers' keys. Same data, same initial weights (init_*.f32 through
 * loadStateDict), same batch order (perm_epochs.u16), SGD lr 0.05 momentum 0.9, batch 64.
 *
 *   npx tsx bench/backprop_bench.ts --workload mlp|cnn|tiny|logreg [--data bench/.data] [--epochs E]
 *       [--steps 2000] [--max-batches N] [--mode raw|fit] [--backend js|native]   (threads: env BACKPROP_NUM_THREADS)
 *
 * --mode raw (default) is a plain loop — indexSelect the batch, forward, loss, zeroGrad, backward, step,
 * loss.item() — so it measures the engine; --mode fit runs the same through fit() to show its overhead.
 * Epoch time includes gathering the batches and excludes data loading and evaluation, as in the peers.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Tensor, argmax, backend, binaryCrossEntropyWithLogits, crossEntropy, fit, indexSelect, LambdaCallback, listBackends,
  manualSeed, nn, noGrad, optim, relu, reshape, setBackend, tanh, tensor,
} from '../src/index.js';
// Thread control and the backend's description are not in the public API (yet); bench/gemm.ts reaches them the same way.
import { backendInfo, getNumThreads, setNumThreads } from '../src/backend/index.js';
import { AnchorData, median, parseArgs } from './anchors.js';

const EPOCHS: Record<string, number> = { mlp: 3, cnn: 2, logreg: 3 };
const BATCH = 64;
const LR = 0.05;
const MOMENTUM = 0.9;
const TINY_LR = 0.1;

/** W1: 784-256-128-10 ReLU MLP. */
class Mlp extends nn.Module {
  fc1 = new nn.Linear(784, 256);
  fc2 = new nn.Linear(256, 128);
  fc3 = new nn.Linear(128, 10);
  override forward(x: Tensor): Tensor {
    return this.fc3.forward(relu(this.fc2.forward(relu(this.fc1.forward(x)))));
  }
}

/** W3: 2-8-8-1 tanh MLP giving a logit. */
class Tiny extends nn.Module {
  fc1 = new nn.Linear(2, 8);
  fc2 = new nn.Linear(8, 8);
  fc3 = new nn.Linear(8, 1);
  override forward(x: Tensor): Tensor {
    return this.fc3.forward(tanh(this.fc2.forward(tanh(this.fc1.forward(x)))));
  }
}

/** W4: softmax regression 784-10. */
class LogReg extends nn.Module {
  fc = new nn.Linear(784, 10);
  override forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}

type ModuleCtor = new (...args: unknown[]) => nn.Module;

/** nn.Conv2d and nn.MaxPool2d, or why they cannot be used (they come from another part of the project). */
function convLayers(): { Conv2d: ModuleCtor; MaxPool2d: ModuleCtor } | string {
  const layers = nn as unknown as Record<string, unknown>;
  const missing = ['Conv2d', 'MaxPool2d'].filter((k) => typeof layers[k] !== 'function');
  if (missing.length > 0) return `conv layers not available (nn.${missing.join(', nn.')} missing)`;
  return { Conv2d: layers.Conv2d as ModuleCtor, MaxPool2d: layers.MaxPool2d as ModuleCtor };
}

/** W2: LeNet-5-like CNN, conv6@5×5 pad 2, pool, conv16@5×5, pool, 400-120-84-10; flattens C·H·W as PyTorch. */
class Cnn extends nn.Module {
  conv1: nn.Module;
  conv2: nn.Module;
  pool: nn.Module;
  fc1 = new nn.Linear(400, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  constructor(layers: { Conv2d: ModuleCtor; MaxPool2d: ModuleCtor }) {
    super();
    this.conv1 = new layers.Conv2d(1, 6, 5, { padding: 2 });
    this.conv2 = new layers.Conv2d(6, 16, 5);
    this.pool = new layers.MaxPool2d(2);
  }
  override forward(x: Tensor): Tensor {
    let h = this.pool.forward(relu(this.conv1.forward(x)));
    h = this.pool.forward(relu(this.conv2.forward(h)));
    h = reshape(h, [h.shape[0], 400]);
    return this.fc3.forward(relu(this.fc2.forward(relu(this.fc1.forward(h)))));
  }
}

function buildModel(workload: string): nn.Module {
  switch (workload) {
    case 'mlp': return new Mlp();
    case 'tiny': return new Tiny();
    case 'logreg': return new LogReg();
    case 'cnn': {
      const layers = convLayers();
      if (typeof layers === 'string') throw new Error(`W2: ${layers}`);
      return new Cnn(layers);
    }
  }
  throw new Error(`backprop_bench: unknown workload '${workload}'; expected mlp, cnn, tiny or logreg`);
}

/** The shared initial weights, copied in through loadStateDict (strict: every key must match). */
function loadInit(model: nn.Module, data: AnchorData, workload: string): void {
  const init = data.initParams(workload);
  const state: Record<string, Tensor> = {};
  for (const [k, p] of Object.entries(init)) state[k] = tensor(p.data, { shape: p.shape });
  model.loadStateDict(state);
}

const now = (): number => performance.now() / 1000;

type Result = Record<string, unknown>;

async function runTiny(model: nn.Module, data: AnchorData, steps: number, mode: string, res: Result): Promise<void> {
  const c = data.circle();
  const x = tensor(c.x, { shape: [c.n, 2] });
  const y = tensor(c.y, { shape: [c.n, 1] });
  const opt = new optim.SGD(model.parameters(), { lr: TINY_LR });
  const t0 = now();
  if (mode === 'fit') {
    await fit(model, { data: [x, y], batchSize: c.n, epochs: steps, shuffle: false, loss: 'bceWithLogits', optimizer: opt, verbose: false, yieldEveryMs: 0 });
  } else {
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = binaryCrossEntropyWithLogits(model.forward(x), y);
      loss.backward();
      opt.step();
    }
  }
  const dt = now() - t0;
  const [acc, finalLoss] = noGrad(() => {
    const logits = model.forward(x);
    const hit = logits.gt(0).float().eq(y).float().mean().item();
    return [hit, binaryCrossEntropyWithLogits(logits, y).item()];
  });
  Object.assign(res, { steps, seconds: dt, steps_per_s: steps / dt, train_acc: acc, final_loss: finalLoss });
}

async function runMnist(model: nn.Module, data: AnchorData, workload: string, args: Record<string, string>, res: Result): Promise<void> {
  const m = data.mnist();
  const shape = workload === 'cnn' ? [1, 28, 28] : [784];
  const xTrain = tensor(m.xTrain, { shape: [m.nTrain, ...shape] });
  const yTrain = tensor(Int32Array.from(m.yTrain), { dtype: 'int32' });
  const xTest = tensor(m.xTest, { shape: [m.nTest, ...shape] });
  const opt = new optim.SGD(model.parameters(), { lr: LR, momentum: MOMENTUM });
  const epochs = Number(args.epochs ?? EPOCHS[workload]);
  const nbFull = Math.floor(m.nTrain / BATCH);
  const nb = args['max-batches'] ? Math.min(nbFull, Number(args['max-batches'])) : nbFull;
  const batch = (perm: Uint16Array, b: number): [Tensor, Tensor] => {
    const idx = tensor(Int32Array.from(perm.subarray(b * BATCH, (b + 1) * BATCH)), { dtype: 'int32' });
    return [indexSelect(xTrain, 0, idx), indexSelect(yTrain, 0, idx)];
  };
  const epochSeconds: number[] = [];
  const losses: number[] = [];
  model.train();
  if (args.mode === 'fit') {
    let epoch = 0;
    let t0 = 0;
    // fit() iterates this once per epoch; onEpochBegin tells it which epoch's order to use.
    const batches = { length: nb, *[Symbol.iterator]() { const perm = data.perm(epoch); for (let b = 0; b < nb; b++) yield batch(perm, b); } };
    const timer = new LambdaCallback({
      onEpochBegin: (e: number) => { epoch = e; t0 = now(); },
      onEpochEnd: (_e: number, logs: Record<string, number>) => { epochSeconds.push(now() - t0); losses.push(logs.loss); },
    });
    await fit(model, { data: batches, loss: 'crossEntropy', optimizer: opt, epochs, shuffle: false, callbacks: [timer], verbose: false, yieldEveryMs: 0 });
  } else {
    for (let e = 0; e < epochs; e++) {
      const perm = data.perm(e);
      let runLoss = 0;
      const t0 = now();
      for (let b = 0; b < nb; b++) {
        const [xb, yb] = batch(perm, b);
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(xb), yb);
        loss.backward();
        opt.step();
        runLoss += loss.item();
      }
      epochSeconds.push(now() - t0);
      losses.push(runLoss / nb);
    }
  }
  model.eval();
  const t0 = now();
  const pred = noGrad(() => argmax(model.forward(xTest), 1)).data();
  const tInfer = now() - t0;
  let correct = 0;
  for (let i = 0; i < m.nTest; i++) if (pred[i] === m.yTest[i]) correct++;
  const sps = epochSeconds.map((t) => (nb * BATCH) / t);
  Object.assign(res, {
    epochs, epoch_seconds: epochSeconds, samples_per_s_per_epoch: sps, samples_per_s: median(sps.length > 1 ? sps.slice(1) : sps),
    epoch_mean_loss: losses, test_acc: correct / m.nTest, n_test: m.nTest, batches_per_epoch: nb, partial: nb < nbFull,
    infer_samples_per_s: m.nTest / tInfer,
  });
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const args = parseArgs(process.argv.slice(2), { workload: 'mlp', steps: '2000', mode: 'raw', data: join(here, '.data') });
  if (args.probe) {
    // for bench/run.ts: what this build of Backprop offers
    const info = { backend: backend().name, available: listBackends(), reason: backendInfo().reason, conv: typeof convLayers() !== 'string' };
    console.log('PROBE ' + JSON.stringify(info));
    return;
  }
  const res: Result = { framework: 'backprop', workload: args.workload, mode: args.mode };
  try {
    const want = args.backend ?? process.env.BACKPROP_BACKEND;
    if (want && backend().name !== want) {
      if (!listBackends().includes(want)) throw new Error(`backend '${want}' is not available (listBackends(): ${listBackends().join(', ')})`);
      setBackend(want);
    }
    const threads = process.env.BACKPROP_NUM_THREADS;
    if (threads) setNumThreads(Number(threads));
    Object.assign(res, { backend: backend().name, threads: backend().name === 'js' ? 1 : getNumThreads(), backend_info: backendInfo().reason });
    if (args.mode !== 'raw' && args.mode !== 'fit') throw new Error(`--mode must be raw or fit, got '${args.mode}'`);
    manualSeed(0);
    const model = buildModel(args.workload);
    const data = new AnchorData(args.data);
    loadInit(model, data, args.workload);
    if (args.workload === 'tiny') await runTiny(model, data, Number(args.steps), args.mode, res);
    else await runMnist(model, data, args.workload, args, res);
    res.max_rss_kb = process.resourceUsage().maxRSS;
    console.log('RESULT ' + JSON.stringify(res));
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    console.log('RESULT ' + JSON.stringify(res));
    process.exitCode = 1;
  }
}

await main();
