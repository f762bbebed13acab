// The PyTorch reference fixtures (../shared/fixtures/pytorch, format in ../shared/fixtures/FORMAT.md) through the
// same runner as `npm run fixtures`. BACKPROP_FIXTURES points at another folder in that format.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runFixtureFolder } from '../src/cli/fixtures.js';
import { backend, listBackends, setBackend } from '../src/backend/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.BACKPROP_FIXTURES ?? resolve(here, '../../shared/fixtures/pytorch');
const GROUPS = ['elementwise', 'reductions', 'shape', 'linalg', 'nn', 'stability', 'init', 'optim', 'sched', 'conv'];

// Every backend runs every case: the accelerated kernels must reproduce PyTorch as the js reference does.
for (const name of listBackends()) {
  test(`PyTorch fixtures in ${dir} on the ${name} backend: ${GROUPS.join(', ')}`, () => {
    assert.ok(existsSync(dir), `fixture folder ${dir} not found; set BACKPROP_FIXTURES to a folder in the FORMAT.md format`);
    const before = backend().name;
    setBackend(name);
    try {
      const reports = runFixtureFolder(dir, GROUPS);
      assert.deepEqual(reports.map((r) => r.group).sort(), [...GROUPS].sort());
      for (const r of reports) {
        assert.ok(r.passed > 0, `${r.group}: no case ran`);
        assert.deepEqual(r.failures, [], `${name} backend, ${r.group}: ${r.failures.length} failed`);
      }
    } finally {
      setBackend(before);
    }
  });
}

test('the runner works on any folder in the format and reports failing cases by name', async () => {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawnSync } = await import('node:child_process');
  const src = JSON.parse(readFileSync(resolve(dir, 'elementwise.json'), 'utf8'));
  const good = src.cases.find((c: { op: string }) => c.op === 'mul');
  const bad = structuredClone(good);
  bad.name = 'mul_corrupted';
  bad.grads[1].data[0] += 1;
  const other = mkdtempSync(resolve(tmpdir(), 'bp-fixtures-'));
  writeFileSync(resolve(other, 'mine.json'), JSON.stringify({ ...src, group: 'mine', variant: 'test', cases: [good, bad] }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(here, '../src/cli/fixtures.ts'), other], { encoding: 'utf8' });
  const lines = run.stdout.trim().split('\n');
  assert.equal(run.status, 1);
  assert.equal(lines[0], 'mine: 1 passed, 1 failed');
  assert.match(lines[1], /^ {2}mul_corrupted: grad of other: element 0 is /);
  assert.equal(lines[lines.length - 1], '1 passed, 1 failed');
});
