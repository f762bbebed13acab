// The playground's computations without a browser: data and network (netcore), the unit-circle comparison,
// gradient descent (gdcore) and the digits model's explanations (digitscore).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { manualSeed, nn } from '../../src/index.js';
import { circlePoints, runModel } from '../../web/src/compare.js';
import { PIXELS, SIDE, buildDigitsModel, fgsm, loadDigitsModel, predict, preprocess, saliency } from '../../web/src/digitscore.js';
import { descend, evaluate } from '../../web/src/gdcore.js';
import { Trainer, checksum, csvToPoints, featurize, gridPoints, makePoints, squareDomain } from '../../web/src/netcore.js';
import { type Settings, defaultSettings } from '../../web/src/state.js';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
const settings = (patch: Partial<Settings> = {}): Settings => ({ ...defaultSettings(), ...patch });

describe('network panel data and model', () => {
  test('makePoints: seeded, split by the ratio, circle labels obey ‖x‖² > 1', () => {
    const a = makePoints(settings({ points: 200, trainRatio: 30 }));
    const b = makePoints(settings({ points: 200, trainRatio: 30 }));
    assert.deepEqual(a, b);
    assert.equal(a.yTrain.length, 60);
    assert.equal(a.yTest.length, 140);
    for (let i = 0; i < a.yTrain.length; i++) {
      const r2 = a.xTrain[2 * i] ** 2 + a.xTrain[2 * i + 1] ** 2;
      assert.equal(a.yTrain[i], r2 > 1 ? 1 : 0);
    }
    assert.notDeepEqual(makePoints(settings({ points: 200, seed: 2 })).xTrain, a.xTrain);
    const spiral = makePoints(settings({ dataset: 'spiral', classes: 4 }));
    assert.equal(spiral.classes, 4);
    assert.deepEqual([...new Set(spiral.yTrain)].sort(), [0, 1, 2, 3]);
  });

  test('squareDomain is a square holding every point', () => {
    const x = Float32Array.from([-1, 0.5, 3, -2, 0.2, 0.1]);
    const [x0, x1, y0, y1] = squareDomain(x);
    assert.ok(Math.abs(x1 - x0 - (y1 - y0)) < 0.11);
    for (let i = 0; i < x.length; i += 2) assert.ok(x[i] > x0 && x[i] < x1 && x[i + 1] > y0 && x[i + 1] < y1);
  });

  test('featurize computes each feature of (2, −1) by hand', () => {
    const f = featurize(Float32Array.from([2, -1]), ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2']);
    assert.deepEqual(f.shape, [1, 7]);
    const want = [2, -1, 4, 1, -2, Math.sin(2), Math.sin(-1)];
    Array.from(f.data()).forEach((v, j) => assert.ok(Math.abs(v - want[j]) < 1e-6, `feature ${j}: ${v} vs ${want[j]}`));
  });

  test('gridPoints: row 0 at the top, cell centres', () => {
    const g = gridPoints([0, 2, 0, 2], 2);
    assert.deepEqual(Array.from(g), [0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
  });

  test('the same settings give the same run, bit for bit; another seed another run', () => {
    const s = settings({ hidden: [3], dropout: 0.2, optimizer: 'momentum', lr: 0.1, points: 120 });
    const run = (x: Settings): { loss: number; sum: string } => {
      const t = new Trainer(x, makePoints(x));
      for (let e = 0; e < 3; e++) t.trainEpoch();
      const snap = t.snapshot(gridPoints(t.points.domain, 10));
      return { loss: snap.testLoss, sum: checksum(snap.output) + snap.weights.map((w) => checksum(w.data)).join('') };
    };
    const a = run(s);
    manualSeed(12345); // the run seeds itself; global state left by others must not matter
    assert.deepEqual(run(s), a);
    assert.notDeepEqual(run({ ...s, seed: 2 }), a);
  });

  test('logistic regression on (x₁², x₂²) learns the circle; snapshot shapes', () => {
    const s = settings({ features: ['x1sq', 'x2sq'], hidden: [], lr: 0.1, points: 200 });
    const t = new Trainer(s, makePoints(s));
    const before = t.scores();
    for (let e = 0; e < 30; e++) t.trainEpoch();
    const after = t.scores();
    assert.ok(after.testLoss < 0.6 * before.testLoss, `${before.testLoss} → ${after.testLoss}`);
    assert.ok(after.testAcc > 0.9, `test accuracy ${after.testAcc}`);
    const snap = t.snapshot(gridPoints(t.points.domain, 8));
    assert.equal(snap.output.length, 64 * 2);
    assert.equal(snap.neurons.length, 0);
    assert.deepEqual(snap.weights[0].shape, [1, 2]);
  });

  test('multi-class: softmax outputs per class, rows summing to 1; MSE loss stays in [0, 1]', () => {
    const s = settings({ dataset: 'gauss', classes: 3, hidden: [4, 3], loss: 'mse', points: 90 });
    const t = new Trainer(s, makePoints(s));
    t.trainEpoch();
    const snap = t.snapshot(gridPoints(t.points.domain, 5));
    assert.equal(snap.output.length, 25 * 3);
    for (let i = 0; i < 25; i++) assert.ok(Math.abs(snap.output[3 * i] + snap.output[3 * i + 1] + snap.output[3 * i + 2] - 1) < 1e-5);
    assert.deepEqual(snap.neurons.map((n) => n.length), [25 * 4, 25 * 3]);
    assert.ok(snap.testLoss >= 0 && snap.testLoss <= 1);
  });

  test('csvToPoints: label column found by name, header optional, features standardised', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'},${10 * i + 3}`);
    const p = csvToPoints(`u,class,v\n${rows.join('\n')}`, 'f.csv');
    assert.deepEqual(p.columns, ['u', 'v']);
    assert.deepEqual(p.classNames, ['a', 'b']);
    assert.equal(p.y[1], 0); // row 1 is 'a'
    let mean = 0;
    for (let i = 0; i < 20; i++) mean += p.x[2 * i];
    assert.ok(Math.abs(mean / 20) < 1e-5);
    const bare = csvToPoints(Array.from({ length: 12 }, (_, i) => `${i},${-i},${i % 3}`).join('\n'), 'g.csv');
    assert.equal(bare.y.length, 12);
    assert.equal(bare.classes, 3);
  });

  test('csvToPoints: errors name the file and the problem', () => {
    const many = (f: (i: number) => string): string => `a,b,label\n${Array.from({ length: 20 }, (_, i) => f(i)).join('\n')}`;
    assert.throws(() => csvToPoints('a,b\n1,2\n3,4', 'two.csv'), /two\.csv: expected 3 columns/);
    assert.throws(() => csvToPoints(many((i) => `x${i},1,0`), 'text.csv'), /text\.csv: column 'a' is not numeric/);
    assert.throws(() => csvToPoints(many((i) => `${i},1,${i % 6}`), 'six.csv'), /six\.csv: .* 6 classes; expected 2 to 5/);
    assert.throws(() => csvToPoints('a,b,label\n1,2,0\n2,3,1', 'short.csv'), /short\.csv: 2 rows; expected 10 to 5000/);
  });
});

describe('unit-circle comparison', () => {
  test('a larger training set keeps the smaller one as its prefix', () => {
    const a = circlePoints(30, 3);
    const b = circlePoints(100, 3);
    assert.deepEqual(b.xTrain.slice(0, 60), a.xTrain);
    assert.deepEqual(b.xTest, a.xTest);
  });

  test('logistic regression on φ(x) = (x₁², x₂²) beats the same model on (x₁, x₂) from 30 points', async () => {
    const p = circlePoints(30, 1);
    const phi = await runModel('lrPhi', p, 4, 1);
    const raw = await runModel('lrRaw', p, 4, 1);
    assert.ok(phi.testAcc >= 0.95, `φ(x): ${phi.testAcc}`);
    assert.ok(raw.testAcc < 0.8, `(x₁, x₂): ${raw.testAcc}`);
    assert.equal(phi.grid.length, 16);
  });
});

describe('gradient descent', () => {
  const o = { lr: 0.1, momentum: 0, schedule: 'constant' as const, steps: 10 };

  test('on the bowl x² + y² plain GD scales the point by (1 − 2α) per step', () => {
    const p = descend('bowl', [2, -1], o);
    assert.equal(p.points.length, 11);
    p.points.forEach((pt, k) => {
      assert.ok(Math.abs(pt[0] - 2 * 0.8 ** k) < 1e-12);
      assert.ok(Math.abs(pt[1] + 0.8 ** k) < 1e-12);
      assert.ok(Math.abs(p.values[k] - 5 * 0.64 ** k) < 1e-12);
    });
  });

  test('momentum follows v ← μv + ∇J, x ← x − αv', () => {
    const p = descend('ravine', [2, 1], { ...o, momentum: 0.9 });
    let [x, y, vx, vy] = [2, 1, 0, 0];
    for (let k = 1; k <= 10; k++) {
      vx = 0.9 * vx + x / 10;
      vy = 0.9 * vy + 4 * y;
      x -= 0.1 * vx;
      y -= 0.1 * vy;
      assert.ok(Math.abs(p.points[k][0] - x) < 1e-12 && Math.abs(p.points[k][1] - y) < 1e-12, `step ${k}`);
    }
  });

  test('schedules: step halves α every fifth of the run; cosine ends near 0', () => {
    const step = descend('bowl', [1, 1], { ...o, schedule: 'step', steps: 20, lr: 0.01 });
    assert.deepEqual(step.lrs.map((a) => Number(a.toPrecision(6))), Array.from({ length: 20 }, (_, k) => 0.01 * 0.5 ** Math.floor(k / 4)));
    const cos = descend('bowl', [1, 1], { ...o, schedule: 'cosine', steps: 20 });
    assert.ok(cos.lrs[0] === 0.1 && cos.lrs[19] < 0.001);
  });

  test('J(x) = x²/(1 + log x) reaches its minimum at x = e^(−1/2)', () => {
    const p = descend('j1', [2.5], { ...o, steps: 200 });
    assert.equal(p.stopped, null);
    assert.ok(Math.abs(p.points[200][0] - Math.exp(-0.5)) < 1e-4);
    assert.ok(Math.abs(p.values[200] - 2 * Math.exp(-1)) < 1e-8);
  });

  test('a start left of the pole x = 1/e is outside the domain: the path stops at once', () => {
    const p = descend('j1', [0.3], o);
    assert.equal(p.points.length, 0);
    assert.match(p.stopped!, /left the domain at step 0/);
  });

  test('evaluate matches the formula of J₂', () => {
    const xs = Float64Array.from([0.5, 1.5, 3.25]);
    const v = evaluate('j2', xs);
    xs.forEach((x, i) => assert.ok(Math.abs(v[i] - (x * x * Math.sin(Math.PI * x)) / (1 + Math.log(x))) < 1e-12));
  });
});

describe('digits', () => {
  test('preprocess: the ink is cropped, its longer side scaled to 20 pixels and its mass centred', () => {
    const w = 100;
    const gray = new Float32Array(w * w);
    for (let y = 10; y < 60; y++) for (let x = 70; x < 90; x++) gray[y * w + x] = 1; // 20 wide, 50 tall, off-centre
    const img = preprocess(gray, w, w)!;
    let [rows, cols, mass, cx, cy] = [new Set<number>(), new Set<number>(), 0, 0, 0];
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = img[y * SIDE + x];
        if (v > 0.01) [rows, cols] = [rows.add(y), cols.add(x)];
        [mass, cx, cy] = [mass + v, cx + v * x, cy + v * y];
      }
    }
    assert.equal(rows.size, 20);
    assert.equal(cols.size, 8);
    assert.ok(Math.abs(cx / mass - 13.5) <= 0.5 && Math.abs(cy / mass - 13.5) <= 0.5, `centre ${cx / mass}, ${cy / mass}`);
    assert.equal(preprocess(new Float32Array(w * w), w, w), null);
  });

  manualSeed(3);
  const model = buildDigitsModel(16);
  model.eval();
  const image = Float32Array.from({ length: PIXELS }, (_, i) => ((i * 7919) % 101) / 100);

  test('saliency equals |W₁ᵀ (1[h > 0] ⊙ W₂[c])|, the closed form for a ReLU MLP', () => {
    const [l1, , l2] = [...model] as [nn.Linear, nn.Module, nn.Linear];
    const w1 = l1.weight.data();
    const b1 = l1.bias!.data();
    const w2 = l2.weight.data();
    const c = 4;
    const want = new Float64Array(PIXELS);
    for (let j = 0; j < 16; j++) {
      let h = b1[j];
      for (let i = 0; i < PIXELS; i++) h += w1[j * PIXELS + i] * image[i];
      if (h <= 0) continue;
      for (let i = 0; i < PIXELS; i++) want[i] += w2[c * 16 + j] * w1[j * PIXELS + i];
    }
    const got = saliency(model, image, c);
    for (let i = 0; i < PIXELS; i++) assert.ok(Math.abs(got[i] - Math.abs(want[i])) < 1e-5, `pixel ${i}`);
  });

  test('FGSM moves each pixel by at most ε, stays in [0, 1], and raises the loss of the label', () => {
    const label = 2;
    const loss = (x: Float32Array): number => -Math.log(predict(model, x)[label]);
    const adv = fgsm(model, image, label, 0.05);
    for (let i = 0; i < PIXELS; i++) {
      assert.ok(Math.abs(adv[i] - image[i]) <= 0.05 + 1e-6);
      assert.ok(adv[i] >= 0 && adv[i] <= 1);
    }
    assert.ok(loss(adv) > loss(image));
    assert.deepEqual(fgsm(model, image, label, 0), image);
  });

  test('the shipped model loads, reaches ≥ 97% on its test digits and classifies its example digits', () => {
    const { model: shipped } = loadDigitsModel(new Uint8Array(readFileSync(resolve(web, 'public/digits.safetensors'))));
    const info = JSON.parse(readFileSync(resolve(web, 'public/digits.json'), 'utf8')) as { testAccuracy: number; examples: Record<string, string> };
    assert.ok(info.testAccuracy >= 0.97, `test accuracy ${info.testAccuracy}`);
    let right = 0;
    for (const [digit, b64] of Object.entries(info.examples)) {
      const x = Float32Array.from(Buffer.from(b64, 'base64'), (b) => b / 255);
      const p = predict(shipped, x);
      if (p.indexOf(Math.max(...p)) === Number(digit)) right++;
    }
    assert.ok(right >= 9, `${right}/10 examples right`);
  });
});
