// The README's code runs as written: its XOR block (imports of 'backprop' pointed at src/) reaches 100%.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function runTs(code: string): { status: number | null; stdout: string; stderr: string } {
  const file = resolve(mkdtempSync(resolve(tmpdir(), 'bp-example-')), 'example.mts');
  writeFileSync(file, code.replaceAll("from 'backprop'", `from '${pathToFileURL(resolve(root, 'src/index.ts')).href}'`));
  return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: root });
}

test('README: the XOR block reaches 100% accuracy', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const block = /```ts xor\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has no ```ts xor block');
  assert.ok(block[1].trim().split('\n').length <= 25, 'the XOR example should stay short');
  const run = runTs(block[1]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^accuracy: 100%$/m);
});

test('README: the API tour runs', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const block = /## A tour of the API\n\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block);
  const run = runTs(block[1]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^tensor\(\[\[/);
});

test('README: the fit() block trains the circle to ≥ 90% test accuracy and reports its cost', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const block = /## Training a model\n\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block);
  const run = runTs(block[1]);
  assert.equal(run.status, 0, run.stderr);
  const [summary, acc] = run.stdout.trim().split('\n');
  assert.match(summary, /^\d+ epochs in [\d.]+ s, [\d.]+ [kMG]FLOP/);
  assert.ok(Number(acc) >= 0.9, `accuracy ${acc}`);
});

test('examples/xor.ts reaches 100% accuracy', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'examples/xor.ts')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^accuracy: 100%$/m);
});
