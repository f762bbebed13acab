/**
 * `backprop demo ridge`: ridge regression two ways on the same data. Both minimise exactly
 *     L(θ, b) = ‖y − Xθ − b·1‖² + λ‖θ‖²        (sum of squares; the intercept b is not penalised)
 * - closed form (classic.ridge): θ = (X̃ᵀX̃ + λI)⁻¹X̃ᵀỹ on centred data, b = ȳ − x̄ᵀθ, by Cholesky in float64;
 * - gradient descent (optim.SGD, full batch, float64) on L/N, which has the same minimiser, with the step
 *   1/L̂ where L̂ ≥ the largest eigenvalue of the Hessian H = (2/N)·[[XᵀX + λI, Xᵀ1], [1ᵀX, N]] (a Gershgorin
 *   bound), run until ‖∇‖ < tol. L/N is strongly convex (λ > 0), so descent converges to the unique minimiser
 *   and the two θ agree to the accuracy of the stopping rule.
 */
import { add, matmul, mul, square, sub, sum } from '../../ops/index.js';
import { tensor, zeros } from '../../tensor/creation.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as optim from '../../optim/index.js';
import { leastSquares, ridge } from '../../classic/index.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, checkSeed, intFlag, num, numberFlag, printJson, printTable, printer,
} from '../command.js';

export interface DemoRidgeOptions extends PrintOptions {
  /** Seed of the data (default 0). */
  seed?: number;
  /** Ridge penalty λ > 0 (default 10). */
  lambda?: number;
  /** Rows of the data (default 100). */
  samples?: number;
  /** Stop descent once the gradient norm of L/N is below this (default 1e-12). */
  tol?: number;
  /** Give up after this many steps (default 100000). */
  maxSteps?: number;
}

export interface DemoRidgeResult {
  seed: number;
  lambda: number;
  samples: number;
  /** The coefficients the data was made with, then the intercept. */
  trueTheta: number[];
  trueBias: number;
  leastSquaresTheta: number[];
  leastSquaresBias: number;
  closedFormTheta: number[];
  closedFormBias: number;
  gdTheta: number[];
  gdBias: number;
  /** max |θ_closed − θ_gd| over the coefficients and the intercept. */
  maxAbsDiff: number;
  /** The objective L(θ, b) at each solution. */
  closedFormObjective: number;
  gdObjective: number;
  steps: number;
  lr: number;
  finalGradNorm: number;
}

const TRUE_THETA = [2, -1, 0.5, 0, 3];
const TRUE_BIAS = 1;
const NOISE = 0.5;

/** X ~ N(0, 1) with the last column correlated to the first (x₅ = 0.8·x₁ + 0.6·z), y = Xθ + b + N(0, 0.5²). */
function makeData(n: number, gen: Generator): { x: Float64Array; y: Float64Array } {
  const f = TRUE_THETA.length;
  const x = new Float64Array(n * f);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = gen.nextNormal();
    x[i * f + f - 1] = 0.8 * x[i * f] + 0.6 * x[i * f + f - 1];
    let s = TRUE_BIAS;
    for (let j = 0; j < f; j++) s += x[i * f + j] * TRUE_THETA[j];
    y[i] = s + NOISE * gen.nextNormal();
  }
  return { x, y };
}

/** L(θ, b) = ‖y − Xθ − b‖² + λ‖θ‖², in float64 on plain arrays. */
function objective(x: Float64Array, y: Float64Array, theta: number[], b: number, lambda: number): number {
  const f = theta.length;
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    let r = y[i] - b;
    for (let j = 0; j < f; j++) r -= x[i * f + j] * theta[j];
    loss += r * r;
  }
  return loss + lambda * theta.reduce((s, t) => s + t * t, 0);
}

/** A Gershgorin bound on the largest eigenvalue of H = (2/N)·[[XᵀX + λI, Xᵀ1], [1ᵀX, N]]. */
function hessianBound(x: Float64Array, n: number, f: number, lambda: number): number {
  const h: number[][] = Array.from({ length: f + 1 }, () => new Array<number>(f + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const row = [...x.subarray(i * f, (i + 1) * f), 1];
    for (let a = 0; a <= f; a++) for (let c = 0; c <= f; c++) h[a][c] += row[a] * row[c];
  }
  for (let a = 0; a < f; a++) h[a][a] += lambda;
  return Math.max(...h.map((r) => r.reduce((s, v) => s + Math.abs(v), 0))) * (2 / n);
}

/** Fits ridge by the closed form and by gradient descent; prints and returns both θ and their difference. */
export async function demoRidge(options: DemoRidgeOptions = {}): Promise<DemoRidgeResult> {
  const seed = checkSeed('demo ridge', options.seed ?? 0);
  manualSeed(seed);
  const { lambda = 10, samples = 100, tol = 1e-12, maxSteps = 100000 } = options;
  if (!(lambda > 0 && Number.isFinite(lambda))) throw new Error(`demo ridge: lambda must be a finite number > 0, got ${lambda}`);
  const f = TRUE_THETA.length;
  if (!(Number.isInteger(samples) && samples > f)) throw new Error(`demo ridge: samples must be an integer > ${f}, got ${samples}`);
  const data = makeData(samples, new Generator(seed));
  const X = tensor(data.x, { dtype: 'float64', shape: [samples, f] });
  const Y = tensor(data.y, { dtype: 'float64', shape: [samples, 1] });

  const ls = leastSquares(X, Y.reshape([samples]));
  const closed = ridge(X, Y.reshape([samples]), lambda);
  const closedTheta = Array.from(closed.weight.data());
  const closedBias = closed.bias as number;

  // Gradient descent on L/N from zero.
  const theta = zeros([f, 1], { dtype: 'float64', requiresGrad: true });
  const b = zeros([1], { dtype: 'float64', requiresGrad: true });
  const lr = 1 / hessianBound(data.x, samples, f, lambda);
  const opt = new optim.SGD([theta, b], { lr });
  const lossOf = (): Tensor => mul(add(sum(square(sub(Y, add(matmul(X, theta), b)))), mul(sum(square(theta)), lambda)), 1 / samples);
  let steps = 0;
  let gradNorm = Infinity;
  for (;;) {
    opt.zeroGrad();
    lossOf().backward();
    gradNorm = Math.hypot(...theta.grad!.data(), ...b.grad!.data());
    if (gradNorm < tol || steps >= maxSteps) break;
    opt.step();
    steps++;
  }
  const gdTheta = Array.from(theta.data());
  const gdBias = b.item();
  const maxAbsDiff = Math.max(Math.abs(gdBias - closedBias), ...gdTheta.map((t, j) => Math.abs(t - closedTheta[j])));
  const result: DemoRidgeResult = {
    seed, lambda, samples, trueTheta: TRUE_THETA, trueBias: TRUE_BIAS,
    leastSquaresTheta: Array.from(ls.weight.data()), leastSquaresBias: ls.bias as number,
    closedFormTheta: closedTheta, closedFormBias: closedBias, gdTheta, gdBias, maxAbsDiff,
    closedFormObjective: objective(data.x, data.y, closedTheta, closedBias, lambda),
    gdObjective: objective(data.x, data.y, gdTheta, gdBias, lambda),
    steps, lr, finalGradNorm: gradNorm,
  };
  report(options, result);
  return result;
}

function report(options: PrintOptions, r: DemoRidgeResult): void {
  const log = printer(options);
  log(`Ridge regression on ${r.samples} rows, 5 features (x₅ correlated with x₁), y = Xθ + b + N(0, ${NOISE}²), seed ${r.seed}.`);
  log(`Both solutions minimise L(θ, b) = ‖y − Xθ − b‖² + λ‖θ‖² with λ = ${r.lambda} (intercept not penalised).`);
  log(`Closed form: θ = (X̃ᵀX̃ + λI)⁻¹X̃ᵀỹ on centred data (Cholesky, float64). Gradient descent: optim.SGD on L/N,`);
  log(`float64, step 1/L̂ = ${num(r.lr, 4)}, ${r.steps} steps, final ‖∇‖ = ${r.finalGradNorm.toExponential(1)}.`);
  log();
  const rows = r.trueTheta.map((t, j) => [`θ${j + 1}`, t, r.leastSquaresTheta[j], r.closedFormTheta[j], r.gdTheta[j], Math.abs(r.closedFormTheta[j] - r.gdTheta[j])]);
  rows.push(['b', r.trueBias, r.leastSquaresBias, r.closedFormBias, r.gdBias, Math.abs(r.closedFormBias - r.gdBias)]);
  printTable(log, ['', 'true', 'least squares', 'ridge closed form', 'ridge GD', '|closed − GD|'],
    rows.map(([name, ...v]) => [name as string, ...(v as number[]).map((x, k) => (k === 4 ? x.toExponential(2) : x.toFixed(10)))]));
  log();
  log(`max |θ_closed − θ_GD| = ${r.maxAbsDiff.toExponential(2)}; L(closed form) = ${r.closedFormObjective.toFixed(10)}, L(GD) = ${r.gdObjective.toFixed(10)}.`);
  log('Ridge shrinks θ towards 0 compared with least squares; the intercept is left free.');
  printJson(options, r);
}

export const demoRidgeCommand: CommandSpec = {
  name: 'demo ridge',
  summary: 'closed-form ridge regression against gradient descent: the same θ',
  usage: 'demo ridge [--lambda <λ>] [--samples <n>] [--seed <n>] [--json]',
  flags: {
    lambda: { type: 'string', value: '<λ>', description: 'ridge penalty, > 0 (default 10)' },
    samples: { type: 'string', value: '<n>', description: 'rows of data (default 100)' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => demoRidge({
    lambda: numberFlag(f, 'lambda', 10, Number.MIN_VALUE), samples: intFlag(f, 'samples', 100, 6), seed: intFlag(f, 'seed', 0, 0), json: f.json === true,
  }),
};
