/**
 * The fused kernels (optimizer steps, log-softmax, softmax cross-entropy) on every available backend, against
 * references written here from each kernel's definition in float64, and every accelerated backend also
 * against the js kernel. Part of the shared kernel suite (kernels.test.ts lists them as covered).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsBackend } from '../../src/backend/js/index.js';
import type { AdamStep, Backend, FloatArr, SGDStep } from '../../src/backend/types.js';
import { Generator } from '../../src/index.js';
import { backendNamed, forEachBackendVariant, variantTest } from './variants.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const FLOATS: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
// Lengths around SIMD widths (4, 8, 16), unroll factors and thread split points, and 0 and 1.
const LENGTHS = [0, 1, 3, 7, 16, 17, 63, 255, 1001, 70001];

function randn(g: Generator, n: number, Type: Ctor, scale = 1): FloatArr {
  const a = new Type(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - g.nextFloat();
    a[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * g.nextFloat());
  }
  return a;
}


/** Relative closeness: |got − want| ≤ tol·(1 + |want|); non-finite values must match exactly. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const gv = got[i];
    if (!Number.isFinite(w) || !Number.isFinite(gv)) {
      if (!(Object.is(gv, w) || (Number.isNaN(gv) && Number.isNaN(w)))) assert.fail(`${what}: [${i}] = ${gv}, expected ${w}`);
    } else if (!(Math.abs(gv - w) <= tol * (1 + Math.abs(w)))) {
      assert.fail(`${what}: [${i}] = ${gv}, expected ${w} (difference ${Math.abs(gv - w)})`);
    }
  }
}

const tolOf = (Type: Ctor): number => (Type === Float32Array ? 2e-6 : 1e-13);

/** The SGD step from its definition, in float64. */
function refSgd(p: number[], g: number[], buf: number[] | null, o: SGDStep): void {
  for (let i = 0; i < p.length; i++) {
    const d = g[i] + o.weightDecay * p[i];
    if (buf === null) {
      p[i] -= o.lr * d;
      continue;
    }
    buf[i] = o.first ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
    p[i] -= o.lr * (o.nesterov ? d + o.momentum * buf[i] : buf[i]);
  }
}

/** The Adam/AdamW step from its definition, in float64. */
function refAdam(p: number[], g: number[], m: number[], v: number[], vmax: number[] | null, o: AdamStep): void {
  for (let i = 0; i < p.length; i++) {
    if (o.decoupled) p[i] *= 1 - o.lr * o.weightDecay;
    const gi = g[i] + (o.decoupled ? 0 : o.weightDecay * p[i]);
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
    let vhat = v[i];
    if (vmax) vhat = vmax[i] = Math.max(vmax[i], v[i]);
    const mhat = m[i] / (1 - o.beta1 ** o.step);
    p[i] -= (o.lr * mhat) / (Math.sqrt(vhat) / Math.sqrt(1 - o.beta2 ** o.step) + o.eps);
  }
}

/**
 * The suite, for one backend. `variant` names a setting it runs under (thread count, forced portable code);
 * `apply` switches to it for the duration of each test and returns the function that restores the previous one.
 */
function fusedSuite(name: string, variant = '', apply: () => () => void = () => () => {}): void {
  const B = backendNamed(name);
  const it = variantTest(name, variant, apply);

  it(`sgdStep — plain, momentum (first and later steps), dampening, Nesterov, weight decay`, () => {
    const g0 = new Generator(1);
    const settings: Omit<SGDStep, 'first'>[] = [
      { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
      { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
      { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 1e-2, nesterov: false },
      { lr: 0.02, momentum: 0.8, dampening: 0, weightDecay: 5e-3, nesterov: true },
    ];
    for (const [dt, Type] of FLOATS) {
      for (const n of LENGTHS) {
        for (const s of settings) {
          const p = randn(g0, n, Type);
          const buf = s.momentum ? randn(g0, n, Type) : null;
          const rp = Array.from(p);
          const rb = buf ? Array.from(buf) : null;
          for (const first of [true, false]) {
            const g = randn(g0, n, Type);
            const gCopy = g.slice();
            const o = { ...s, first };
            B.sgdStep(p, g, buf, o);
            refSgd(rp, Array.from(g), rb, o);
            assert.deepEqual(g, gCopy, 'sgdStep must not modify the gradient');
            assertClose(p, rp, 4 * tolOf(Type), `sgdStep ${dt} n=${n} ${JSON.stringify(o)}: p`);
            if (buf) assertClose(buf, rb!, 4 * tolOf(Type), `sgdStep ${dt} n=${n}: buf`);
            // The next step starts from the backend's own values, as training does.
            rp.splice(0, n, ...Array.from(p));
            if (buf) rb!.splice(0, n, ...Array.from(buf));
          }
        }
      }
    }
  });

  it(`adamStep — Adam and AdamW, amsgrad, weight decay, steps 1 and 7`, () => {
    const g0 = new Generator(2);
    for (const [dt, Type] of FLOATS) {
      for (const n of LENGTHS) {
        for (const decoupled of [false, true]) {
          for (const amsgrad of [false, true]) {
            for (const step of [1, 7]) {
              const o: AdamStep = { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: decoupled ? 0.01 : 1e-3, step, decoupled };
              const p = randn(g0, n, Type);
              const g = randn(g0, n, Type);
              const m = randn(g0, n, Type, 0.1);
              const v = randn(g0, n, Type, 0.1).map(Math.abs) as FloatArr;
              const vmax = amsgrad ? (v.map((x) => x * (g0.nextFloat() < 0.5 ? 2 : 0.5)) as FloatArr) : null;
              const ref = [p, g, m, v].map((a) => Array.from(a));
              const rvmax = vmax ? Array.from(vmax) : null;
              B.adamStep(p, g, m, v, vmax, o);
              refAdam(ref[0], ref[1], ref[2], ref[3], rvmax, o);
              const what = `adamStep ${dt} n=${n} decoupled=${decoupled} amsgrad=${amsgrad} step=${step}`;
              assertClose(p, ref[0], 8 * tolOf(Type), `${what}: p`);
              assertClose(m, ref[2], 4 * tolOf(Type), `${what}: m`);
              assertClose(v, ref[3], 4 * tolOf(Type), `${what}: v`);
              if (vmax) assertClose(vmax, rvmax!, 4 * tolOf(Type), `${what}: vmax`);
            }
          }
        }
      }
    }
  });

  /** Shapes rows × cols: one column, tails around 4/8/16, many rows. */
  const SHAPES: [number, number][] = [[0, 5], [1, 1], [3, 1], [1, 10], [64, 10], [5, 17], [7, 33], [2, 1000], [300, 3]];

  it(`logSoftmax and its backward, with large, −∞ and NaN logits`, () => {
    const g0 = new Generator(3);
    for (const [dt, Type] of FLOATS) {
      for (const [rows, cols] of SHAPES) {
        const x = randn(g0, rows * cols, Type, 5);
        if (rows > 1 && cols > 2) {
          x[0] = 1000; // a shift that overflows without the max subtraction
          x[cols + 1] = -Infinity;
        }
        const out = new Type(rows * cols);
        B.logSoftmax(x, rows, cols, out);
        const want: number[] = [];
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
          const mx = Math.max(...row);
          const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
          for (const v of row) want.push(v - lse);
        }
        assertClose(out, want, tolOf(Type) * 4, `logSoftmax ${dt} [${rows},${cols}]`);
        const gy = randn(g0, rows * cols, Type);
        const gx = new Type(rows * cols);
        B.logSoftmaxBackward(out, gy, rows, cols, gx);
        const wantG: number[] = [];
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let c = 0; c < cols; c++) s += gy[r * cols + c];
          for (let c = 0; c < cols; c++) wantG.push(gy[r * cols + c] - Math.exp(out[r * cols + c]) * s);
        }
        assertClose(gx, wantG, tolOf(Type) * 8 * Math.sqrt(cols), `logSoftmaxBackward ${dt} [${rows},${cols}]`);
      }
      const nanRow = Type.from([1, Number.NaN, 2]);
      const out = new Type(3);
      B.logSoftmax(nanRow, 1, 3, out);
      assert.ok(out.every(Number.isNaN), `logSoftmax ${dt}: a NaN in the row makes the row NaN, got ${out}`);
    }
  });

  it(`softmaxCrossEntropy forward and backward, with ignored rows`, () => {
    const g0 = new Generator(4);
    for (const [dt, Type] of FLOATS) {
      for (const [rows, cols] of SHAPES) {
        const x = randn(g0, rows * cols, Type, 4);
        const target = new Int32Array(rows).map(() => Math.floor(g0.nextFloat() * cols));
        if (rows > 2) target[1] = -100;
        const loss = new Type(rows);
        const probs = new Type(rows * cols);
        B.softmaxCrossEntropy(x, rows, cols, target, -100, loss, probs);
        const gl = randn(g0, rows, Type);
        const gx = new Type(rows * cols);
        B.softmaxCrossEntropyBackward(probs, target, -100, gl, rows, cols, gx);
        const wantLoss: number[] = [];
        const wantP: number[] = [];
        const wantG: number[] = [];
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
          const mx = Math.max(...row);
          const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
          const ignored = target[r] === -100;
          wantLoss.push(ignored ? 0 : lse - row[target[r]]);
          row.forEach((v, c) => {
            const pr = Math.exp(v - lse);
            wantP.push(pr);
            wantG.push(ignored ? 0 : gl[r] * (pr - (c === target[r] ? 1 : 0)));
          });
        }
        assertClose(loss, wantLoss, tolOf(Type) * 4, `softmaxCrossEntropy ${dt} [${rows},${cols}]: loss`);
        assertClose(probs, wantP, tolOf(Type) * 4, `softmaxCrossEntropy ${dt} [${rows},${cols}]: probs`);
        assertClose(gx, wantG, tolOf(Type) * 4, `softmaxCrossEntropyBackward ${dt} [${rows},${cols}]`);
      }
    }
  });

  it(`activationBackward for relu, tanh and sigmoid`, () => {
    const g0 = new Generator(6);
    for (const [dt, Type] of FLOATS) {
      for (const n of LENGTHS) {
        const x = randn(g0, n, Type, 3);
        if (n > 2) x[1] = 0;
        const g = randn(g0, n, Type);
        const defs = {
          relu: [(v: number) => Math.max(v, 0), (y: number) => (y > 0 ? 1 : 0)],
          tanh: [Math.tanh, (y: number) => 1 - y * y],
          sigmoid: [(v: number) => 1 / (1 + Math.exp(-v)), (y: number) => y * (1 - y)],
        } as const;
        for (const [op, [f, dfy]] of Object.entries(defs) as [keyof typeof defs, readonly [(v: number) => number, (y: number) => number]][]) {
          const y = new Type(n);
          for (let i = 0; i < n; i++) y[i] = f(x[i]);
          const out = new Type(n);
          B.activationBackward(op, y, g, out);
          assertClose(out, Array.from(y, (yi, i) => g[i] * dfy(yi)), 2 * tolOf(Type), `activationBackward ${op} ${dt} n=${n}`);
        }
      }
    }
  });

  it(`bceWithLogits forward and backward, stable at ±100 and exact at 0`, () => {
    const g0 = new Generator(7);
    for (const [dt, Type] of FLOATS) {
      for (const n of LENGTHS) {
        const x = randn(g0, n, Type, 4);
        if (n > 3) [x[0], x[1], x[2]] = [100, -100, 0];
        const t = new Type(n);
        for (let i = 0; i < n; i++) t[i] = g0.nextFloat();
        const out = new Type(n);
        B.bceWithLogits(x, t, out);
        // −t·log σ(x) − (1 − t)·log(1 − σ(x)), with log σ(x) = −log1p(e^−x) written for each sign.
        const logSig = (v: number): number => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
        assertClose(out, Array.from(x, (v, i) => -t[i] * logSig(v) - (1 - t[i]) * logSig(-v)), 4 * tolOf(Type), `bceWithLogits ${dt} n=${n}`);
        const sig = (v: number): number => Math.exp(logSig(v));
        const g = randn(g0, n, Type);
        const gx = new Type(n);
        B.bceWithLogitsBackward(x, t, g, 0, gx);
        assertClose(gx, Array.from(x, (v, i) => g[i] * (sig(v) - t[i])), 4 * tolOf(Type), `bceWithLogitsBackward ${dt} n=${n}`);
        B.bceWithLogitsBackward(x, t, null, 0.25, gx);
        assertClose(gx, Array.from(x, (v, i) => 0.25 * (sig(v) - t[i])), 4 * tolOf(Type), `bceWithLogitsBackward ${dt} n=${n}, scalar g`);
      }
    }
  });

  if (name !== 'js') {
    it(`the fused kernels agree with the js kernels on a training-sized case`, () => {
      const g0 = new Generator(5);
      const n = 784 * 256 + 13;
      for (const [dt, Type] of FLOATS) {
        const p = randn(g0, n, Type);
        const g = randn(g0, n, Type);
        const buf = randn(g0, n, Type);
        const [p2, buf2] = [p.slice(), buf.slice()];
        const o: SGDStep = { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false, first: false };
        B.sgdStep(p, g, buf, o);
        jsBackend.sgdStep(p2, g, buf2, o);
        assertClose(p, p2, tolOf(Type), `sgdStep ${dt} vs js`);
        const x = randn(g0, 64 * 10, Type, 3);
        const [a, b] = [new Type(640), new Type(640)];
        B.logSoftmax(x, 64, 10, a);
        jsBackend.logSoftmax(x, 64, 10, b);
        assertClose(a, b, tolOf(Type) * 4, `logSoftmax ${dt} vs js`);
        // Activation backwards: the same float64 formula rounded once, so equal to js; the cross-entropy within tolerance.
        const y = randn(g0, n, Type).map(Math.tanh) as FloatArr;
        const [c, d] = [new Type(n), new Type(n)];
        for (const op of ['relu', 'tanh', 'sigmoid'] as const) {
          B.activationBackward(op, y, g, c);
          jsBackend.activationBackward(op, y, g, d);
          assert.deepEqual(c, d, `activationBackward ${op} ${dt} vs js`);
        }
        const t = p.map((v) => (v > 0 ? 1 : 0)) as FloatArr;
        B.bceWithLogits(buf, t, c);
        jsBackend.bceWithLogits(buf, t, d);
        assertClose(c, d, tolOf(Type), `bceWithLogits ${dt} vs js`);
        B.bceWithLogitsBackward(buf, t, g, 0, c);
        jsBackend.bceWithLogitsBackward(buf, t, g, 0, d);
        assertClose(c, d, tolOf(Type), `bceWithLogitsBackward ${dt} vs js`);
      }
    });
  }
}

describe('fused kernels on every backend', () => {
  forEachBackendVariant(fusedSuite);
});
