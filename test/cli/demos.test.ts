import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { demoCircle } from '../../src/cli/commands/demo-circle.js';
import { J1, J2, demoGd, descend, trueMinima } from '../../src/cli/commands/demo-gd.js';
import { demoRidge } from '../../src/cli/commands/demo-ridge.js';
import { demoXor } from '../../src/cli/commands/demo-xor.js';
import { info } from '../../src/cli/commands/info.js';

const silent = { log: (): void => {} };

/** Runs a command with --json and returns its printed lines. */
async function lines(run: (o: { log: (l: string) => void; json: boolean }) => Promise<unknown>): Promise<{ out: string[]; result: unknown }> {
  const out: string[] = [];
  const result = await run({ log: (l) => out.push(l), json: true });
  return { out, result };
}

describe('demo xor', () => {
  test('a linear model cannot exceed 75%; the one-hidden-layer MLP gets all 4 points', async () => {
    for (const seed of [0, 1]) {
      const r = await demoXor({ seed, ...silent });
      assert.ok(r.linear.accuracy <= 0.75, `seed ${seed}: linear accuracy ${r.linear.accuracy}`);
      assert.equal(r.mlp.accuracy, 1, `seed ${seed}: MLP accuracy ${r.mlp.accuracy}`);
      // The best linear model on XOR is the constant 1/2: its BCE is log 2.
      assert.ok(Math.abs(r.linear.loss - Math.LN2) < 0.01, `linear loss ${r.linear.loss}`);
      assert.equal(r.linear.parameters, 3);
      assert.equal(r.mlp.parameters, 2 * 8 + 8 + 8 + 1);
    }
  });

  test('deterministic for a seed; --json prints the figures on the last line', async () => {
    const { out, result } = await lines((o) => demoXor({ seed: 3, epochs: 50, ...o }));
    const again = await demoXor({ seed: 3, epochs: 50, ...silent });
    assert.deepEqual(again.mlp.probabilities, (result as typeof again).mlp.probabilities);
    const last = JSON.parse(out[out.length - 1]);
    assert.deepEqual(last.mlp.probabilities, again.mlp.probabilities);
    assert.ok(out.some((l) => l.includes('MLP 2-8-1')), 'a readable table is printed first');
  });
});

describe('demo circle', () => {
  test("the course's claims: LR on x underfits, the tree overfits, φ from 30 samples ≥ 95%, MLP ≥ 90%", async () => {
    const { out, result } = await lines((o) => demoCircle({ seed: 0, ...o }));
    const r = result as Awaited<ReturnType<typeof demoCircle>>;
    const get = (labels: string, k: number) => r.entries.filter((e) => e.labels === labels)[k];
    assert.equal(r.entries.length, 8);
    // Raw logistic regression: near chance (the majority rate), whatever the labels.
    for (const labels of ['clean', 'flipped']) assert.ok(get(labels, 0).testAccuracy <= 0.7, `${labels} LR test ${get(labels, 0).testAccuracy}`);
    // The tree memorises its training labels, flipped ones included.
    const tree = get('flipped', 1);
    assert.equal(tree.trainAccuracy, 1);
    assert.ok(tree.trainAccuracy - tree.testAccuracy >= 0.1, `tree gap ${tree.trainAccuracy - tree.testAccuracy}`);
    const phi = get('clean', 2);
    assert.equal(phi.trainSamples, 30);
    assert.ok(phi.testAccuracy >= 0.95, `φ test ${phi.testAccuracy}`);
    assert.ok(get('clean', 3).testAccuracy >= 0.9, `MLP test ${get('clean', 3).testAccuracy}`);
    // About 20% of the labels were flipped; e^(−1/2) ≈ 61% of N(0, I₂) lies outside the unit circle.
    assert.ok(Math.abs(r.flippedFraction - 0.2) < 0.05, `flipped ${r.flippedFraction}`);
    assert.ok(Math.abs(r.majorityRate - Math.exp(-0.5)) < 0.05, `majority ${r.majorityRate}`);
    const json = JSON.parse(out[out.length - 1]);
    assert.deepEqual(json.entries.map((e: { trainAccuracy: number }) => e.trainAccuracy), r.entries.map((e) => e.trainAccuracy));
  });
});

describe('demo gd', () => {
  test('J′ by hand matches a central difference of J', () => {
    for (const f of [J1, J2]) {
      for (const x of [0.45, 0.8, 1.3, 2.7, 4.1]) {
        const h = 1e-6;
        const fd = (f.value(x + h) - f.value(x - h)) / (2 * h);
        assert.ok(Math.abs(fd - f.derivative(x)) < 1e-5 * Math.max(1, Math.abs(fd)), `${f.name}′(${x}): ${f.derivative(x)} vs ${fd}`);
        // ...and the tensor version computes the same J.
        assert.ok(Math.abs(f.tensorFn(bp.tensor([x], { dtype: 'float64' })).item() - f.value(x)) < 1e-12);
      }
    }
  });

  test('J₁ has one minimum, e^(−1/2), with J = 2/e; J₂ has one per dip of sin(πx)', () => {
    const m1 = trueMinima(J1, 10);
    assert.equal(m1.length, 1);
    assert.ok(Math.abs(m1[0] - Math.exp(-0.5)) < 1e-12);
    assert.ok(Math.abs(J1.value(m1[0]) - 2 / Math.E) < 1e-12);
    const m2 = trueMinima(J2, 6);
    assert.equal(m2.length, 3);
    // sin(πx) < 0 on (1, 2), (3, 4), (5, 6).
    m2.forEach((m, k) => assert.ok(m > 2 * k + 1 && m < 2 * k + 2, `minimum ${m}`));
  });

  test('every run ends at a true minimum with |J′| ≈ 0, or is reported as leaving the domain', async () => {
    const { out, result } = await lines((o) => demoGd(o));
    const r = result as Awaited<ReturnType<typeof demoGd>>;
    const j1Runs = r.runs.filter((run) => run.function === 'J₁');
    for (const run of j1Runs) {
      assert.equal(run.status, 'converged');
      assert.ok(Math.abs(run.endX - Math.exp(-0.5)) < 1e-7, `J₁ from ${run.start} ended at ${run.endX}`);
    }
    const j2Runs = r.runs.filter((run) => run.function === 'J₂');
    const reached = new Set(j2Runs.filter((run) => run.status === 'converged').map((run) => run.minimum));
    assert.ok(reached.size >= 2, `J₂ minima reached: ${[...reached]}`);
    for (const run of r.runs) {
      if (run.status === 'converged') {
        const f = run.function === 'J₁' ? J1 : J2;
        assert.ok(Math.abs(f.derivative(run.endX)) < 1e-8);
        assert.notEqual(run.minimum, null);
      } else {
        assert.equal(run.status, 'left domain');
        assert.equal(run.endJ, null);
      }
    }
    assert.ok(JSON.parse(out[out.length - 1]).runs.length === r.runs.length);
  });

  test('a step that jumps past 1/e is reported as leaving the domain, not as a number', () => {
    // J₁′(3) ≈ 2.18 and J₁′(0.82) ≈ 0.77: with α = 1 the second step lands at x ≈ 0.05 < 1/e.
    const run = descend(J1, 3, { lr: 1, momentum: 0, tol: 1e-8, maxSteps: 100 });
    assert.equal(run.status, 'left domain');
    assert.equal(run.steps, 2);
    assert.ok(run.exitX! < Math.exp(-1));
    assert.equal(run.endJ, null);
  });
});

describe('demo ridge', () => {
  test('closed form and gradient descent give the same θ', async () => {
    const { out, result } = await lines((o) => demoRidge({ seed: 0, ...o }));
    const r = result as Awaited<ReturnType<typeof demoRidge>>;
    assert.equal(JSON.parse(out[out.length - 1]).maxAbsDiff, r.maxAbsDiff);
    assert.ok(r.maxAbsDiff < 1e-6, `max diff ${r.maxAbsDiff}`);
    assert.ok(Math.abs(r.closedFormObjective - r.gdObjective) < 1e-9 * r.closedFormObjective);
    // Ridge shrinks: ‖θ_ridge‖ < ‖θ_least squares‖.
    const norm = (v: number[]): number => Math.hypot(...v);
    assert.ok(norm(r.closedFormTheta) < norm(r.leastSquaresTheta));
    const other = await demoRidge({ seed: 1, lambda: 0.5, ...silent });
    assert.ok(other.maxAbsDiff < 1e-6);
  });
});

describe('info', () => {
  test('version, node and backends', async () => {
    const { out, result } = await lines((o) => info(o));
    const r = result as Awaited<ReturnType<typeof info>>;
    assert.match(r.version, /^\d+\.\d+\.\d+/);
    assert.equal(r.node, process.version);
    assert.equal(r.backend, bp.backend().name);
    assert.deepEqual(r.backends, bp.listBackends());
    assert.equal(r.threads, bp.getNumThreads());
    assert.deepEqual(JSON.parse(out[out.length - 1]), r);
  });

  test('says why a forced backend runs', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'info', '--json'], {
      encoding: 'utf8', env: { ...process.env, BACKPROP_BACKEND: 'wasm' },
    });
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as Awaited<ReturnType<typeof info>>;
    assert.equal(r.backend, 'wasm');
    assert.match(r.why, /SIMD128.*forced by BACKPROP_BACKEND=wasm/);
    const rows = run.stdout.split('\n');
    assert.ok(rows.some((l) => /^backend details +SIMD128/.test(l)), run.stdout);
  });
});
