// Tensors are garbage-collected: thousands of training steps without dispose() or scopes keep memory flat.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../../src/index.ts')).href;

test('memory stays flat over many forward/backward steps (no dispose needed)', () => {
  const script = `
    import { randn, zeros, noGrad, crossEntropy, randint, manualSeed } from '${src}';
    manualSeed(1);
    const w1 = randn([64, 128]).mul(0.1).requiresGrad_();
    const b1 = zeros([128], { requiresGrad: true });
    const w2 = randn([128, 10]).mul(0.1).requiresGrad_();
    const params = [w1, b1, w2];
    const x = randn([32, 64]);
    const y = randint(0, 10, [32]);
    const step = () => {
      const loss = crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2), y);
      params.forEach((p) => (p.grad = null));
      loss.backward();
      noGrad(() => params.forEach((p) => p.copy_(p.sub(p.grad.mul(0.01)))));
    };
    const used = () => { globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    for (let i = 0; i < 200; i++) step();
    const before = used();
    for (let i = 0; i < 2000; i++) step();
    const after = used();
    console.log(JSON.stringify({ before, after }));
  `;
  const file = resolve(mkdtempSync(resolve(tmpdir(), 'bp-mem-')), 'mem.ts');
  writeFileSync(file, script);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { before, after } = JSON.parse(run.stdout.trim().split('\n').pop()!);
  // 2,000 steps allocate ~1 GB of tensors in total; anything kept alive per step would show up as MBs here.
  assert.ok(after - before < 4 * 1024 * 1024, `memory grew by ${((after - before) / 1048576).toFixed(1)} MB over 2,000 steps`);
});
