// bench/backprop_bench.ts on tiny hand-made data folders (no peers, no TF.js, no PyTorch): the RESULT line parses,
// has the peers' keys, and the first step matches a closed form. All weights start at zero, so only the output
// bias gets a gradient on step 1 and the outputs stay constant over the batch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Writes a data folder in prepare_data.js's format: meta.json and raw little-endian arrays. */
function writeData(files: Record<string, Float32Array | Uint8Array | Uint16Array>, meta: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'bp-bench-'));
  for (const [name, a] of Object.entries(files)) writeFileSync(join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return dir;
}

/** Zero weights for Linear layers [in, out], with prepare_data.js's parameter table. */
function zeroInit(layers: [string, number, number][]): { flat: Float32Array; params: object[] } {
  const params: object[] = [];
  let off = 0;
  for (const [name, inF, outF] of layers) {
    params.push({ name: `${name}.weight`, shape: [outF, inF], offset: off, length: inF * outF });
    off += inF * outF;
    params.push({ name: `${name}.bias`, shape: [outF], offset: off, length: outF });
    off += outF;
  }
  return { flat: new Float32Array(off), params };
}

function runBench(args: string[]): Record<string, unknown> {
  const p = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'backprop_bench.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line; stdout: ${p.stdout} stderr: ${p.stderr}`);
  const r = JSON.parse(line.slice(7)) as Record<string, unknown>;
  assert.equal(r.error, undefined, `the bench reported an error: ${String(r.error)}`);
  assert.equal(p.status, 0);
  return r;
}

const bce = (z: number, p: number): number => -(p * Math.log(1 / (1 + Math.exp(-z))) + (1 - p) * Math.log(1 - 1 / (1 + Math.exp(-z))));

test('W3 tiny: one full-batch step from zero weights moves only the output bias, by −lr·(σ(0) − mean y)', () => {
  const n = 10;
  const x = new Float32Array(2 * n).map((_, i) => Math.sin(i + 1));
  const y = new Float32Array(n).map((_, i) => (i < 7 ? 1 : 0)); // mean y = 0.7
  const init = zeroInit([['fc1', 2, 8], ['fc2', 8, 8], ['fc3', 8, 1]]);
  const dir = writeData({ 'circle_x.f32': x, 'circle_y.f32': y, 'init_tiny.f32': init.flat }, { n_train: 0, n_test: 0, files: {}, params: { tiny: init.params } });
  try {
    const r = runBench(['--workload', 'tiny', '--steps', '1', '--data', dir]);
    assert.equal(r.framework, 'backprop');
    assert.equal(r.steps, 1);
    assert.ok(typeof r.steps_per_s === 'number' && r.steps_per_s > 0);
    const b = -0.1 * (0.5 - 0.7); // the constant logit after one step: b₃ = −lr·∂L/∂b₃
    assert.ok(Math.abs((r.final_loss as number) - bce(b, 0.7)) < 1e-6, `final_loss ${r.final_loss}, expected ${bce(b, 0.7)}`);
    assert.ok(Math.abs((r.train_acc as number) - 0.7) < 1e-6, `train_acc ${r.train_acc}: logit ${b} > 0 predicts 1 everywhere`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('W4 softmax regression: the first batch from zero weights has loss ln 10; the RESULT has the peers keys', () => {
  const [nTrain, nTest] = [64, 10];
  const img = (k: number): Float32Array => new Float32Array(k * 784).map((_, i) => ((i * 7919) % 255) / 255);
  const labels = (k: number): Uint8Array => new Uint8Array(k).map((_, i) => i % 10);
  const perm = new Uint16Array(nTrain).map((_, i) => nTrain - 1 - i);
  const init = zeroInit([['fc', 784, 10]]);
  const dir = writeData(
    { 'train_images.f32': img(nTrain), 'train_labels.u8': labels(nTrain), 'test_images.f32': img(nTest), 'test_labels.u8': labels(nTest), 'perm_epochs.u16': perm, 'init_logreg.f32': init.flat },
    { n_train: nTrain, n_test: nTest, files: {}, params: { logreg: init.params } },
  );
  try {
    const r = runBench(['--workload', 'logreg', '--epochs', '1', '--data', dir]);
    for (const k of ['samples_per_s', 'epoch_seconds', 'test_acc', 'epoch_mean_loss', 'batches_per_epoch']) assert.ok(k in r, `missing key ${k}`);
    assert.equal(r.batches_per_epoch, 1);
    assert.ok(Math.abs((r.epoch_mean_loss as number[])[0] - Math.log(10)) < 1e-5, `epoch-1 loss ${(r.epoch_mean_loss as number[])[0]}, expected ln 10`);
    const acc = r.test_acc as number;
    assert.ok(acc >= 0 && acc <= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
