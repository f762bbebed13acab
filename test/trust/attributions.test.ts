import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { AdaptiveAvgPool2d } from '../../src/nn/pooling.js';
import { Conv2d } from '../../src/nn/conv.js';
import {
  completenessGap, gradCam, gradientXInput, heatmapPNG, heatmapRGBA, integratedGradients, resizeBilinear, saliency, smoothGrad,
} from '../../src/trust/index.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

const W = [[0.5, -1, 2, 0], [-0.25, 0.5, 1, 3], [1, 1, -1, -2]];
function linearModel(): nn.Sequential {
  const lin = new nn.Linear(4, 3);
  bp.noGrad(() => {
    lin.weight.copy_(bp.tensor(W));
    lin.bias!.copy_(bp.tensor([0.1, -0.2, 0.3]));
  });
  return new nn.Sequential(lin);
}

function tanhMlp(seed: number, d: number, c: number): nn.Sequential {
  bp.manualSeed(seed);
  const m = new nn.Sequential(new nn.Linear(d, 16), new nn.Tanh(), new nn.Linear(16, 8), new nn.Sigmoid(), new nn.Linear(8, c));
  bp.noGrad(() => m.parameters().forEach((p) => p.copy_(p.mul(2))));
  return m;
}

describe('gradient attributions', () => {
  const x = bp.tensor([[0.2, 0.4, 0.6, 0.8], [0.9, 0.1, 0.3, 0.5]]);

  test('saliency of a linear model is the weight row of the explained class', () => {
    close(saliency(linearModel(), x, { target: [2, 0] }).data(), [...W[2], ...W[0]]);
    // Default target: the predicted class. Logits row 0 = [1.0, 2.95, −1.3] → 1; row 1 = [1.05, 1.425, 0] → 1.
    close(saliency(linearModel(), x).data(), [...W[1], ...W[1]]);
    close(saliency(linearModel(), x, { target: 2, abs: true }).data(), [...W[2], ...W[2]].map(Math.abs));
  });

  test('gradient × input of a linear model is x ⊙ w_c', () => {
    const xs = x.data();
    close(gradientXInput(linearModel(), x, { target: 1 }).data(), Array.from(xs, (v, i) => v * W[1][i % 4]));
  });

  test('saliency of a probability output matches central finite differences', () => {
    const m = tanhMlp(1, 4, 3);
    const g = saliency(m, x, { target: 0, output: 'probability' }).data();
    const xd = Array.from(x.data());
    const h = 1e-3;
    const p0 = (v: number[]): number => bp.noGrad(() => m.forward(bp.tensor([v.slice(0, 4)])).softmax(1).data()[0]);
    for (let j = 0; j < 4; j++) {
      const up = xd.slice(0, 4);
      const dn = xd.slice(0, 4);
      up[j] += h;
      dn[j] -= h;
      assert.ok(Math.abs((p0(up) - p0(dn)) / (2 * h) - g[j]) < 2e-3, `coordinate ${j}`);
    }
  });

  test('SmoothGrad with σ = 0 equals saliency; with σ > 0 it is seeded', () => {
    const m = tanhMlp(2, 4, 3);
    close(smoothGrad(m, x, { sigma: 0, samples: 3 }).data(), saliency(m, x).data(), 1e-7);
    const a = smoothGrad(m, x, { sigma: 0.2, samples: 5, generator: new bp.Generator(1) }).data();
    const b = smoothGrad(m, x, { sigma: 0.2, samples: 5, generator: new bp.Generator(1) }).data();
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.notDeepEqual(Array.from(a), Array.from(saliency(m, x).data()));
  });

  test('explanations run in eval mode and restore the mode', () => {
    bp.manualSeed(3);
    const m = new nn.Sequential(new nn.Linear(4, 8), new nn.Dropout(0.5), new nn.Linear(8, 3));
    m.train();
    const a = saliency(m, x, { target: 0 }).data();
    const b = saliency(m, x, { target: 0 }).data();
    assert.deepEqual(Array.from(a), Array.from(b)); // dropout off: deterministic
    assert.equal(m.training, true);
  });
});

describe('Integrated Gradients', () => {
  test('on a linear model equals (x − x′) ⊙ w_c exactly', () => {
    const x = bp.tensor([[0.2, 0.4, 0.6, 0.8]]);
    const ig = integratedGradients(linearModel(), x, { target: 1, steps: 4, baseline: 0.5 });
    close(ig.data(), [0.2, 0.4, 0.6, 0.8].map((v, j) => (v - 0.5) * W[1][j]));
  });

  test('completeness: attributions sum to F(x) − F(x′) within 1% at 256 steps (nonlinear model)', () => {
    const m = tanhMlp(4, 10, 3);
    const x = bp.rand([6, 10], { generator: new bp.Generator(5) });
    for (const baseline of [0, bp.full([10], 0.5)]) {
      for (const output of ['logit', 'probability'] as const) {
        const ig = integratedGradients(m, x, { steps: 256, baseline, output, batchSize: 300 });
        // F(x) − F(x′) computed independently of the library's helpers.
        const logits = bp.noGrad(() => m.forward(x));
        const target = logits.argmax(1).data();
        const base = typeof baseline === 'number' ? bp.full([6, 10], baseline) : baseline.unsqueeze(0).expand([6, 10]);
        const f = (t: bp.Tensor): Float32Array => bp.noGrad(() => (output === 'probability' ? m.forward(t).softmax(1) : m.forward(t)).data() as Float32Array);
        const fx = f(x);
        const fb = f(base);
        const sums = ig.sum(1).data();
        for (let i = 0; i < 6; i++) {
          const want = fx[i * 3 + target[i]] - fb[i * 3 + target[i]];
          assert.ok(Math.abs(sums[i] - want) <= 0.01 * Math.abs(want), `row ${i} (${output}): Σ attributions ${sums[i]} vs F(x) − F(x′) = ${want}`);
        }
        const gaps = completenessGap(m, x, ig, { baseline, output });
        assert.ok(Math.max(...gaps) < 0.01);
      }
    }
  });

  test('a coarse integral is visibly incomplete (the test above can fail)', () => {
    const m = tanhMlp(4, 10, 3);
    const x = bp.rand([6, 10], { generator: new bp.Generator(5) });
    const gaps = completenessGap(m, x, integratedGradients(m, x, { steps: 1 }));
    assert.ok(Math.max(...gaps) > 0.01, `max gap ${Math.max(...gaps)}`);
  });

  test('rejects a baseline of the wrong shape', () => {
    assert.throws(() => integratedGradients(linearModel(), bp.rand([2, 4]), { baseline: bp.zeros([3]) }), /baseline \[3\] does not fit input \[2,4\]/);
  });
});

describe('Grad-CAM', () => {
  // conv → ReLU → global average pool → linear: Grad-CAM then reduces to CAM (Zhou et al., 2016):
  // α_k = w_ck / (h·w), map = ReLU(Σ_k α_k A_k).
  bp.manualSeed(6);
  const conv = new Conv2d(1, 3, 3, { padding: 1 });
  const act = new nn.ReLU();
  const head = new nn.Linear(3, 2);
  const model = new nn.Sequential(conv, act, new AdaptiveAvgPool2d(1), new nn.Flatten(), head);
  const x = bp.rand([2, 1, 6, 6], { generator: new bp.Generator(7) });

  test('equals ReLU(Σ_k (w_ck / hw) A_k) for a global-average-pooling head', () => {
    const cam = gradCam(model, act, x, { target: 1, size: null });
    assert.deepEqual(cam.shape, [2, 6, 6]);
    const A = bp.noGrad(() => act.forward(conv.forward(x))).data();
    const w = head.weight.data();
    const expected = new Float64Array(2 * 36);
    for (let n = 0; n < 2; n++) {
      for (let p = 0; p < 36; p++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (w[3 + k] / 36) * A[n * 108 + k * 36 + p];
        expected[n * 36 + p] = Math.max(s, 0);
      }
    }
    close(cam.data(), expected, 1e-6);
  });

  test('resizes to the input size by default, removes its hook, and leaves .grad alone', () => {
    const small = new nn.Sequential(new Conv2d(1, 2, 3, { stride: 2 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2 * 2 * 2, 3));
    const xi = bp.rand([1, 1, 5, 5]);
    const cam = gradCam(small, small.at(1), xi);
    assert.deepEqual(cam.shape, [1, 5, 5]);
    const before = bp.noGrad(() => small.forward(xi).data());
    assert.ok(Object.getOwnPropertyDescriptor(small.at(1), 'forward') === undefined, 'the hook must be removed');
    assert.deepEqual(Array.from(bp.noGrad(() => small.forward(xi).data())), Array.from(before));
    for (const p of small.parameters()) assert.equal(p.grad, null);
  });

  test('resizeBilinear matches PyTorch’s align_corners=False', () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear')
    const out = resizeBilinear(bp.tensor([[1, 2], [3, 4]]), [4, 4]);
    close(out.data(), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });
});

describe('heat-map PNG', () => {
  test('decodes with pngjs to the expected size, with red on positive and blue on negative attributions', async () => {
    const map = bp.zeros([28, 28]);
    const image = bp.zeros([28, 28]);
    bp.noGrad(() => {
      map.data()[3 * 28 + 4] = 1; // positive at (3, 4)
      map.data()[10 * 28 + 20] = -1; // negative at (10, 20)
    });
    const bytes = await heatmapPNG(map, { image, scale: 3, percentile: 100 });
    const png = PNG.sync.read(Buffer.from(bytes));
    assert.equal(png.width, 84);
    assert.equal(png.height, 84);
    const px = (i: number, j: number): number[] => Array.from(png.data.subarray((i * 84 + j) * 4, (i * 84 + j) * 4 + 4));
    const pos = px(3 * 3 + 1, 4 * 3 + 2);
    const neg = px(10 * 3, 20 * 3);
    assert.ok(pos[0] > pos[2] && pos[0] > 100, `positive pixel ${pos}`);
    assert.ok(neg[2] > neg[0] && neg[2] > 100, `negative pixel ${neg}`);
    assert.deepEqual(px(0, 0), [0, 0, 0, 255]); // black background, no attribution
  });

  test('accepts flat square maps and checks the image size', () => {
    const img = heatmapRGBA(bp.rand([784]), { colormap: 'inferno' });
    assert.equal(img.width, 28);
    assert.equal(img.data.length, 28 * 28 * 4);
    assert.throws(() => heatmapRGBA(bp.rand([28, 28]), { image: bp.rand([14, 14]) }), /image is 14×14 but the map is 28×28/);
    assert.throws(() => heatmapRGBA(bp.rand([27])), /not square/);
  });
});
