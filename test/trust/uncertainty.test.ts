import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { mcDropout } from '../../src/trust/index.js';

function dropoutMlp(seed: number): nn.Sequential {
  bp.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(6, 32), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(32, 4));
}

const entropy = (p: number[]): number => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);

describe('MC dropout', () => {
  const x = bp.rand([5, 6], { generator: new bp.Generator(1) });

  test('N-sample mean, predictive entropy and mutual information match the samples drawn by hand', () => {
    const model = dropoutMlp(2);
    model.eval();
    bp.manualSeed(3);
    const r = mcDropout(model, x, { samples: 25 });
    // The same 25 draws by hand: train mode, same seed, same order of draws.
    bp.manualSeed(3);
    model.train();
    const draws = Array.from({ length: 25 }, () => bp.noGrad(() => model.forward(x).softmax(1).toArray() as number[][]));
    model.eval();
    for (let i = 0; i < 5; i++) {
      const mean = [0, 1, 2, 3].map((k) => draws.reduce((s, d) => s + d[i][k], 0) / 25);
      const h = entropy(mean);
      const eh = draws.reduce((s, d) => s + entropy(d[i]), 0) / 25;
      const got = (r.mean.toArray() as number[][])[i];
      mean.forEach((m, k) => assert.ok(Math.abs(got[k] - m) < 1e-6));
      assert.ok(Math.abs(r.entropy.data()[i] - h) < 1e-5);
      assert.ok(Math.abs(r.expectedEntropy.data()[i] - eh) < 1e-5);
      assert.ok(Math.abs(r.mutualInformation.data()[i] - (h - eh)) < 1e-5);
      assert.ok(r.mutualInformation.data()[i] > 0, 'dropout samples differ, so MI > 0');
    }
    assert.deepEqual(r.mean.shape, [5, 4]);
    assert.equal(r.samples, 25);
    assert.equal(model.training, false);
  });

  test('only Dropout switches on: BatchNorm keeps its running statistics and eval behaviour', () => {
    bp.manualSeed(4);
    const bn = new nn.BatchNorm1d(16);
    const model = new nn.Sequential(new nn.Linear(6, 16), bn, new nn.Dropout(0.3), new nn.Linear(16, 3));
    model.eval();
    const before = Array.from(bn.runningMean!.data());
    mcDropout(model, x, { samples: 10, batchSize: 2 });
    assert.deepEqual(Array.from(bn.runningMean!.data()), before);
    assert.equal(bn.training, false);
  });

  test('throws on a model without Dropout', () => {
    assert.throws(() => mcDropout(new nn.Sequential(new nn.Linear(6, 2)), x), /has no Dropout layer/);
  });

  test('memory stays flat over thousands of samples', () => {
    const src = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../src/index.ts')).href;
    const trust = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../src/trust/index.ts')).href;
    const script = `
      import { nn, rand, manualSeed } from '${src}';
      import { mcDropout } from '${trust}';
      manualSeed(1);
      const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(64, 10));
      const x = rand([32, 32]);
      const used = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
      // Measure inside one long call, from a forward hook: at sample 200 and at sample 2,000.
      let calls = 0, at200 = 0, at2000 = 0;
      model.at(3).registerForwardHook(() => { calls++; if (calls === 200) at200 = used(); if (calls === 2000) at2000 = used(); });
      mcDropout(model, x, { samples: 2000 });
      console.log(JSON.stringify({ at200, at2000 }));
    `;
    const file = resolve(mkdtempSync(resolve(tmpdir(), 'bp-mc-')), 'mc.ts');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { at200, at2000 } = JSON.parse(run.stdout.trim().split('\n').pop()!);
    // 1,800 samples of [32, 10] probabilities and [32, 64] activations (1.3 kB and 8 kB each):
    // keeping either would add ≥ 2 MB; a clean run grows by about 0.15 MB.
    assert.ok(at2000 - at200 < 1024 * 1024, `memory grew by ${((at2000 - at200) / 1048576).toFixed(2)} MB over 1,800 samples`);
  });
});
