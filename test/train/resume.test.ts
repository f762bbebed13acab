// Checkpoints and resumption: a run stopped at any point (an exception, or kill -9 at a few moments, checkpoint
// writes included) and resumed ends with the same weights, bit for bit, as a run never stopped; a damaged or
// missing checkpoint is an error, never a silent fresh start.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { DataLoader, TensorDataset, randomShift } from '../../src/data/index.js';
import { train } from '../../src/cli/commands/train.js';
import { Callback, EarlyStopping, type FitOptions, LRScheduler, LambdaCallback, checkpointInfo, fit, loadCheckpoint } from '../../src/train/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'bp-resume-'));
after(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(work, `run${dirs++}`);

/** The bytes of a model's state: equal bytes are bit-identical weights and buffers. */
const stateBytes = (m: nn.Module): Buffer => Buffer.from(bp.serializeSafetensors(m.stateDict()));

/**
 * A small run that uses every source of state a resume must restore: seeded init, shuffling (the global generator
 * for tensors; a DataLoader's own generator), augmentation, dropout, BatchNorm buffers, AdamW moments in two
 * parameter groups, a StepLR schedule and EarlyStopping with its best weights.
 */
function setup(kind: 'tensors' | 'loader'): { model: nn.Sequential; options: FitOptions; loaderGen: bp.Generator } {
  bp.manualSeed(5);
  const n = 100;
  const x = bp.randn([n, 1, 8, 8]);
  const y = bp.randint(0, 3, [n]);
  // Class k brightens row 2k + 1, so the task is learnable.
  const xd = x.data();
  const yd = y.data();
  for (let i = 0; i < n; i++) for (let c = 0; c < 8; c++) xd[i * 64 + (2 * yd[i] + 1) * 8 + c] += 2;
  const xTrain = bp.narrow(x, 0, 0, 84);
  const yTrain = bp.narrow(y, 0, 0, 84);
  const valData: [bp.Tensor, bp.Tensor] = [bp.narrow(x, 0, 84, 16), bp.narrow(y, 0, 84, 16)];
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Dropout(0.3), new nn.Linear(64, 3),
  );
  const params = model.parameters();
  const optimizer = new optim.AdamW([{ params: params.slice(0, 4), lr: 3e-3 }, { params: params.slice(4), lr: 1e-2 }]);
  const loaderGen = new bp.Generator(11);
  const data = kind === 'tensors'
    ? ([xTrain, yTrain] as const)
    : new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 16, shuffle: true, generator: loaderGen, transform: randomShift(1) });
  const callbacks = [new LRScheduler(new optim.StepLR(optimizer, 2, 0.5)), new EarlyStopping({ patience: 10, restoreBestWeights: true })];
  return {
    model, loaderGen,
    options: { data: data as FitOptions['data'], valData, loss: 'crossEntropy', optimizer, epochs: 5, batchSize: 16, callbacks, metrics: ['accuracy'], verbose: false },
  };
}

/** A callback that throws before the given global batch, as a crash would stop the run. */
function crashAt(step: number): LambdaCallback {
  let seen = 0;
  return new LambdaCallback({
    onBatchBegin: () => {
      if (++seen === step) throw new Error('simulated crash');
    },
  });
}

describe('fit: checkpoint and resume in one process', () => {
  for (const kind of ['tensors', 'loader'] as const) {
    test(`${kind}: crashes mid-epoch and at an epoch's last step, resumed twice, give the uninterrupted weights and History`, async () => {
      const ref = setup(kind);
      const refHistory = await fit(ref.model, ref.options);
      const refBytes = stateBytes(ref.model);

      // Checkpointing itself changes nothing.
      const plain = setup(kind);
      const dir0 = freshDir();
      await fit(plain.model, { ...plain.options, checkpoint: { dir: dir0, everySteps: 4, generators: [plain.loaderGen] } });
      assert.ok(stateBytes(plain.model).equals(refBytes), 'a run that writes checkpoints has the same weights');

      // 6 batches per epoch: a crash before step 15 resumes from step 12 (epoch 2's last batch, before its
      // validation); one before step 23 resumes from step 20 (inside epoch 4).
      const dir = freshDir();
      let s = setup(kind);
      const checkpoint = { dir, everySteps: 4, generators: [s.loaderGen] };
      await assert.rejects(fit(s.model, { ...s.options, checkpoint, callbacks: [...s.options.callbacks!, crashAt(15)] }), /simulated crash/);
      assert.deepEqual({ ...(await checkpointInfo(dir)), savedAt: '' }, { dir, epoch: 1, stepInEpoch: 6, globalStep: 12, completed: false, meta: null, savedAt: '' });
      s = setup(kind);
      await assert.rejects(
        fit(s.model, { ...s.options, checkpoint: { ...checkpoint, generators: [s.loaderGen] }, resume: true, callbacks: [...s.options.callbacks!, crashAt(23 - 12)] }),
        /simulated crash/,
      );
      assert.equal((await checkpointInfo(dir))!.globalStep, 20);
      s = setup(kind);
      const history = await fit(s.model, { ...s.options, checkpoint: { ...checkpoint, generators: [s.loaderGen] }, resume: dir });
      assert.ok(stateBytes(s.model).equals(refBytes), 'resumed weights are bit-identical to the uninterrupted run');
      assert.deepEqual(history.epochs, refHistory.epochs);
      assert.deepEqual(history.history, refHistory.history);
      const done = await checkpointInfo(dir);
      assert.equal(done!.completed, true);
      assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-000009.safetensors', 'checkpoint.json'], 'older tensor files are removed');

      // Resuming a finished run trains nothing more and ends with the same weights (EarlyStopping restores its best).
      s = setup(kind);
      const again = await fit(s.model, { ...s.options, checkpoint: { ...checkpoint, generators: [s.loaderGen] }, resume: true });
      assert.ok(stateBytes(s.model).equals(refBytes));
      assert.deepEqual(again.history, refHistory.history);
    });
  }

  test('a callback that stopped training at a checkpointed step: the resumed run only finishes that epoch', async () => {
    /** Stops training after the given global batch, as TerminateOnNaN would. */
    class StopAt extends Callback {
      private seen = 0;
      constructor(readonly step: number) {
        super();
      }
      override onBatchEnd(): void {
        if (++this.seen === this.step) this.ctx.stopTraining = true;
      }
    }
    const ref = setup('tensors');
    const refHistory = await fit(ref.model, { ...ref.options, callbacks: [...ref.options.callbacks!, new StopAt(9)] });
    assert.deepEqual(refHistory.epochs, [0, 1]);
    const dir = freshDir();
    let s = setup('tensors');
    const crash = new LambdaCallback({
      onEpochEnd: (epoch) => {
        if (epoch === 1) throw new Error('simulated crash');
      },
    });
    await assert.rejects(fit(s.model, { ...s.options, checkpoint: { dir, everySteps: 3 }, callbacks: [...s.options.callbacks!, new StopAt(9), crash] }), /simulated crash/);
    assert.deepEqual({ ...(await checkpointInfo(dir)), savedAt: '' }, { dir, epoch: 1, stepInEpoch: 3, globalStep: 9, completed: false, meta: null, savedAt: '' });
    s = setup('tensors');
    const history = await fit(s.model, { ...s.options, resume: dir });
    assert.deepEqual(history.history, refHistory.history);
    assert.ok(stateBytes(s.model).equals(stateBytes(ref.model)));
  });

  test('the checkpoint holds model, optimizer, scheduler, EarlyStopping and RNG state', async () => {
    const s = setup('tensors');
    const dir = freshDir();
    await fit(s.model, { ...s.options, epochs: 2, checkpoint: { dir, meta: { run: 'a' } } });
    const c = await loadCheckpoint(dir);
    assert.deepEqual(Object.keys(c.modelState()).sort(), Object.keys(s.model.stateDict()).sort());
    for (const [k, t] of Object.entries(s.model.stateDict())) assert.deepEqual(c.modelState()[k].toArray(), t.toArray(), k);
    assert.deepEqual(c.rng, [bp.getRngState()]);
    assert.deepEqual(c.info.meta, { run: 'a' });
    const record = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    // Two groups with their own lr, halved by StepLR(2) after the 2nd epoch; Adam's step count per parameter.
    assert.deepEqual(record.optimizer.paramGroups.map((g: { lr: number }) => g.lr), [3e-3 / 2, 1e-2 / 2]);
    assert.equal(record.optimizer.state['0'].step, 12);
    assert.deepEqual(record.callbacks.map((cb: { type: string }) => cb.type), ['LRScheduler', 'EarlyStopping']);
    assert.equal(record.callbacks[0].state.scheduler.lastEpoch, 2);
    assert.equal(record.position.epoch, 2);
    assert.equal(record.position.globalStep, 12);
  });
});

describe('fit: a checkpoint that cannot be used is an error', () => {
  test('missing folder, empty folder, damaged files, another run, another batch size, another model', async () => {
    const s = setup('tensors');
    const dir = freshDir();
    await fit(s.model, { ...s.options, epochs: 1, checkpoint: { dir, everySteps: 4, meta: { run: 'a' } } });
    const resume = async (dir: string, extra: Partial<FitOptions> = {}, model: nn.Module = setup('tensors').model): Promise<unknown> => {
      const t = setup('tensors');
      const same = model === t.model;
      const optimizer = same ? t.options.optimizer : new optim.SGD(model.parameters(), { lr: 0.1 });
      return fit(model, { ...t.options, optimizer, callbacks: same ? t.options.callbacks : [], resume: dir, ...extra });
    };
    await assert.rejects(resume(join(work, 'nowhere')), /nowhere does not exist; there is no checkpoint/);
    const empty = freshDir();
    mkdirSync(empty);
    await assert.rejects(resume(empty), /holds no checkpoint \(no checkpoint.json\); the run was stopped before its first checkpoint/);
    await assert.rejects(
      fit(setup('tensors').model, { ...setup('tensors').options, checkpoint: { dir } }),
      /already holds a checkpoint \(training finished after 1 epoch, step 6\); pass resume/,
    );
    await assert.rejects(resume(dir, { checkpoint: { dir, meta: { run: 'b' } } }), /written by a different run/);
    // A DataLoader's own generator must be saved too, or the resumed order would silently differ.
    const l = setup('loader');
    await assert.rejects(fit(l.model, { ...l.options, checkpoint: { dir: freshDir() } }), /shuffles with its own generator; pass it in checkpoint.generators/);
    const other = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 3));
    await assert.rejects(resume(dir, {}, other), /does not fit this model/);

    // Mid-epoch checkpoint: the batch sequence must be the same.
    const mid = freshDir();
    const t = setup('tensors');
    await assert.rejects(fit(t.model, { ...t.options, checkpoint: { dir: mid, everySteps: 2 }, callbacks: [...t.options.callbacks!, crashAt(4)] }), /simulated crash/);
    await assert.rejects(resume(mid, { batchSize: 8 }), /inside epoch 1 of batches of 16 \(6 per epoch\); this run has batches of 8/);

    const record = join(dir, 'checkpoint.json');
    const tensors = join(dir, readdirSync(dir).find((f) => f.endsWith('.safetensors'))!);
    const bytes = readFileSync(tensors);
    truncateSync(tensors, bytes.length - 100);
    await assert.rejects(resume(dir), /has \d+ bytes but the checkpoint recorded \d+: the file is truncated/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5] ^= 1;
    writeFileSync(tensors, flipped);
    await assert.rejects(resume(dir), /does not match the SHA-256 that the checkpoint recorded: the file is corrupt/);
    writeFileSync(tensors, bytes);
    const text = readFileSync(record, 'utf8');
    writeFileSync(record, text.slice(0, text.length >> 1));
    await assert.rejects(resume(dir), /checkpoint.json is not valid JSON .*truncated or corrupt/);
  });
});

// ---- kill -9 of the `backprop train` command ------------------------------------------------------------------

/** A CSV of 3 classes in 3 numeric features plus a categorical one, from a fixed seed. */
function writeCsv(file: string): void {
  const g = new bp.Generator(3);
  const lines = ['a,b,c,colour,label'];
  for (let i = 0; i < 300; i++) {
    const k = g.nextInt(3);
    const f = [0, 1, 2].map((j) => (g.nextNormal() + (j === k ? 1.5 : 0)).toFixed(4));
    lines.push(`${f.join(',')},${['red', 'green', 'blue'][(k + g.nextInt(2)) % 3]},c${k}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const child = join(root, 'test/train/resume-child.ts');
const env = (kill = ''): NodeJS.ProcessEnv => ({ ...process.env, BP_TEST_KILL: kill });

/** Runs the command in a child process with a failpoint; returns how it ended. */
function runChild(args: string[], kill = ''): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, ...args], { cwd: root, env: env(kill), encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

describe('backprop train --resume after kill -9', () => {
  test('killed at several moments (mid-write included) and resumed, it saves the uninterrupted weights bit for bit', async () => {
    const csv = join(work, 'blobs.csv');
    writeCsv(csv);
    const config = join(work, 'config.json');
    writeFileSync(config, JSON.stringify({
      model: { hidden: [16], dropout: 0.2 }, optimizer: { name: 'adam', lr: 0.01 }, training: { epochs: 6, batchSize: 16, patience: 3 },
    }));
    const base = ['train', '--csv', csv, '--target', 'label', '--config', config];
    // The uninterrupted reference, in this process: the command's own function, without checkpoints.
    const refOut = freshDir();
    await train({ csv, target: 'label', config, out: refOut, log: () => {} });

    const ck = freshDir();
    const out = freshDir();
    const flags = ['--checkpoint-every', '3', '--out', out];
    const killed = (r: ReturnType<typeof runChild>, what: string): void => assert.equal(r.signal, 'SIGKILL', `${what}: ${r.status} ${r.stderr}`);
    // Right after the 4th commit, while older files are being removed.
    killed(runChild([...base, '--checkpoint', ck, ...flags], 'after-commit:4'), 'after a commit');
    const first = (await checkpointInfo(ck))!;
    assert.equal(first.globalStep, 9, 'initial checkpoint + steps 3, 6, 9');
    // Half of a tensor file on disk: the record still names the previous, whole one.
    killed(runChild([...base, '--resume', ck, ...flags], 'tensors-half:2'), 'mid tensor write');
    assert.equal((await checkpointInfo(ck))!.globalStep, 12);
    assert.ok(readdirSync(ck).some((f) => f.endsWith('.tmp')), 'the half-written temporary file is left');
    // The new record fully written but not renamed into place.
    killed(runChild([...base, '--resume', ck, ...flags], 'record-unrenamed:3'), 'before the record rename');
    assert.equal((await checkpointInfo(ck))!.globalStep, 18);
    // From outside, at whatever point the run has reached 2 more checkpoints.
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...base, '--resume', ck, ...flags], { cwd: root, env: env(), stdio: 'ignore' });
    const ended = new Promise<NodeJS.Signals | null>((res) => proc.on('exit', (_code, signal) => res(signal)));
    let stop = false;
    const poll = (async () => {
      while (!stop) {
        const step = await checkpointInfo(ck).then((i) => i?.globalStep ?? 0, () => 0);
        if (step >= 24) {
          proc.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const signal = await ended;
    stop = true;
    await poll;
    if (signal !== 'SIGKILL') assert.fail('the outside kill came too late: the run ended first');

    const last = runChild([...base, '--resume', ck, ...flags]);
    assert.equal(last.status, 0, last.stderr);
    const a = readFileSync(join(refOut, 'model.safetensors'));
    const b = readFileSync(join(out, 'model.safetensors'));
    assert.ok(a.equals(b), 'the resumed run saved the same weights, bit for bit');
    assert.equal((await checkpointInfo(ck))!.completed, true);
    assert.ok(!readdirSync(ck).some((f) => f.endsWith('.tmp')), 'temporary files are cleaned up');

    // A changed argument is another run: refused, not silently mixed.
    const other = runChild([...base, '--seed', '9', '--resume', ck]);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /written by a different run \(checkpoint.meta differs: config.seed: 0 in the checkpoint, 9 now\)/);
    // And a fresh run is not let into a folder that holds one.
    const fresh = runChild([...base, '--checkpoint', ck]);
    assert.equal(fresh.status, 1);
    assert.match(fresh.stderr, /already holds a checkpoint \(training finished after 6 epochs, step \d+\); continue it with --resume/);
  });
});
