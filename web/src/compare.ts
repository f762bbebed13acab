/**
 * The course's unit-circle lesson (no DOM): the same points, four models. Logistic regression on (x₁, x₂) cannot
 * draw a circle; a decision tree fits the training points exactly and generalises in boxes; logistic regression on
 * φ(x) = (x₁², x₂²) is linear in the right features and learns from ~30 samples; an MLP learns the features itself.
 */
import { type Tensor, classic, data, fit, manualSeed, nn, noGrad, optim, reshape, sigmoid, tensor } from '../../src/index.js';
import { gridPoints, squareDomain } from './netcore.js';

export const COMPARE_MODELS = ['lrRaw', 'tree', 'lrPhi', 'mlp'] as const;
export type CompareModel = (typeof COMPARE_MODELS)[number];

export const COMPARE_TITLES: Record<CompareModel, string> = {
  lrRaw: 'Logistic regression on (x₁, x₂)',
  tree: 'Decision tree on (x₁, x₂)',
  lrPhi: 'Logistic regression on φ(x) = (x₁², x₂²)',
  mlp: 'MLP 2-16-16-1 on (x₁, x₂)',
};

/** Size of the pool the training points come from, and of the test set. */
export const POOL = 500;
export const TEST_SIZE = 1000;

export interface CirclePoints {
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
  domain: [number, number, number, number];
}

/**
 * The unit circle, y = ‖x‖² > 1 with x ~ N(0, I), without noise. The training points are the first nTrain of a
 * seeded pool, so a larger training set keeps the smaller one's points; the test set has its own seed.
 */
export function circlePoints(nTrain: number, seed: number): CirclePoints {
  const pool = data.makeCircle({ n: POOL, seed });
  const test = data.makeCircle({ n: TEST_SIZE, seed: seed + 104729 });
  const px = pool.x.data() as Float32Array;
  return {
    xTrain: px.slice(0, 2 * nTrain),
    yTrain: (pool.y.data() as Int32Array).slice(0, nTrain),
    xTest: test.x.data() as Float32Array,
    yTest: test.y.data() as Int32Array,
    domain: squareDomain(px),
  };
}

export interface CompareResult {
  model: CompareModel;
  trainAcc: number;
  testAcc: number;
  /** P(y = 1) on the G×G grid, row 0 at the top. */
  grid: Float32Array;
}

const asX = (x: Float32Array): Tensor => tensor(x, { shape: [x.length / 2, 2] });
const asY = (y: Int32Array): Tensor => tensor(y, { dtype: 'int32' });

function accuracy(pred: ArrayLike<number>, y: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) hits++;
  return hits / y.length;
}

/** P(y = 1) column of a [n, 2] probability tensor. */
function positive(proba: Tensor): Float32Array {
  const d = proba.data();
  return Float32Array.from({ length: proba.shape[0] }, (_, i) => d[2 * i + 1]);
}

/** Fits one of the four models on the training points and scores it on both splits and the grid. */
export async function runModel(model: CompareModel, p: CirclePoints, g: number, seed: number): Promise<CompareResult> {
  const xTr = asX(p.xTrain);
  const xTe = asX(p.xTest);
  const xGrid = asX(gridPoints(p.domain, g));
  const yTr = asY(p.yTrain);
  if (model === 'mlp') {
    manualSeed(seed);
    const net = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 16), new nn.Tanh(), new nn.Linear(16, 1));
    await fit(net, {
      data: [xTr, reshape(yTr.to('float32'), [-1, 1])],
      loss: 'bceWithLogits',
      optimizer: new optim.Adam(net.parameters(), { lr: 0.02 }),
      epochs: 400,
      batchSize: p.yTrain.length,
      verbose: false,
      yieldEveryMs: 0,
    });
    net.eval();
    const prob = (x: Tensor): Float32Array => noGrad(() => Float32Array.from(sigmoid(net.forward(x)).data()));
    const cls = (x: Tensor): Int32Array => Int32Array.from(prob(x), (q) => (q > 0.5 ? 1 : 0));
    return { model, trainAcc: accuracy(cls(xTr), p.yTrain), testAcc: accuracy(cls(xTe), p.yTest), grid: prob(xGrid) };
  }
  // φ(x) = (x₁², x₂²) is the library's `squares` feature map; the other two models see x as is.
  const phi = model === 'lrPhi' ? (x: Tensor): Tensor => data.squares.transform(x) : (x: Tensor): Tensor => x;
  // lr 1 is stable for φ(x) (the loss is L-smooth with L ≈ 1.1 for chi-squared features) and converges in 2000 steps.
  const clf = model === 'tree' ? new classic.DecisionTreeClassifier() : new classic.LogisticRegression({ lr: 1, epochs: 2000 });
  clf.fit(phi(xTr), yTr);
  return {
    model,
    trainAcc: accuracy(clf.predict(phi(xTr)).data(), p.yTrain),
    testAcc: accuracy(clf.predict(phi(xTe)).data(), p.yTest),
    grid: positive(clf.predictProba(phi(xGrid))),
  };
}
