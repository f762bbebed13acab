/**
 * `backprop demo gd`: gradient descent on two functions of one variable, from several starts, plain and with
 * momentum, using optim.SGD on a 1-element tensor (an optimizer works on any tensor that requires grad).
 *
 * Both functions live where 1 + log x > 0, i.e. x > 1/e ≈ 0.3679. By hand:
 *   J₁(x) = x² / (1 + log x),        J₁′(x) = x·(1 + 2 log x) / (1 + log x)²
 *     (quotient rule: [2x(1 + log x) − x²·(1/x)] / (1 + log x)²). J₁′ < 0 below x = e^(−1/2) and > 0 above,
 *     so J₁ has one minimum, x* = e^(−1/2) ≈ 0.6065 with J₁(x*) = e⁻¹ / ½ = 2/e ≈ 0.7358: every start that stays
 *     in the domain ends there.
 *   J₂(x) = J₁(x)·sin(πx),           J₂′(x) = J₁′(x)·sin(πx) + π·J₁(x)·cos(πx)
 *     J₂ oscillates with an amplitude that grows like x²/log x: a local minimum in each interval where
 *     sin(πx) < 0, deeper and deeper, so different starts end in different minima (and J₂ has no global one).
 * The true minima are the points where J′ (the formulas above, not autograd) changes sign from − to +, found
 * by bisection on a grid.
 */
import { add, div, log, mul, sin, square, sum } from '../../ops/index.js';
import { tensor } from '../../tensor/creation.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as optim from '../../optim/index.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, checkSeed, intFlag, num, numberFlag, numberListFlag, printJson, printTable, printer,
} from '../command.js';

/** A function of the demo: J on tensors (for autograd), J and J′ on numbers (by hand). */
export interface GdFunction {
  name: string;
  formula: string;
  /** J(x) with tensor ops, so that backward() gives the gradient. */
  tensorFn(x: Tensor): Tensor;
  value(x: number): number;
  /** J′(x) worked out by hand. */
  derivative(x: number): number;
}

const DOMAIN_MIN = Math.exp(-1);
const inDomain = (x: number): boolean => x > DOMAIN_MIN;
/** True minima are listed up to here at most (a run may wander far with a large step). */
const MAX_LISTED = 100;

const j1 = (x: number): number => (x * x) / (1 + Math.log(x));
const dj1 = (x: number): number => (x * (1 + 2 * Math.log(x))) / (1 + Math.log(x)) ** 2;

export const J1: GdFunction = {
  name: 'J₁',
  formula: 'x² / (1 + log x)',
  tensorFn: (x) => div(square(x), add(log(x), 1)),
  value: j1,
  derivative: dj1,
};

export const J2: GdFunction = {
  name: 'J₂',
  formula: 'x²·sin(πx) / (1 + log x)',
  tensorFn: (x) => div(mul(square(x), sin(mul(x, Math.PI))), add(log(x), 1)),
  value: (x) => j1(x) * Math.sin(Math.PI * x),
  derivative: (x) => dj1(x) * Math.sin(Math.PI * x) + Math.PI * j1(x) * Math.cos(Math.PI * x),
};

/** Local minima of f on (1/e, hi]: sign changes of f′ from − to + on a grid, refined by bisection. */
export function trueMinima(f: GdFunction, hi: number): number[] {
  const out: number[] = [];
  const n = Math.ceil((hi - DOMAIN_MIN) * 1000);
  let a = DOMAIN_MIN + 1e-9;
  for (let k = 1; k <= n; k++) {
    const b = DOMAIN_MIN + ((hi - DOMAIN_MIN) * k) / n;
    if (f.derivative(a) < 0 && f.derivative(b) >= 0) {
      let [lo, up] = [a, b];
      for (let i = 0; i < 200 && up - lo > 1e-15 * up; i++) {
        const mid = (lo + up) / 2;
        if (f.derivative(mid) < 0) lo = mid;
        else up = mid;
      }
      out.push((lo + up) / 2);
    }
    a = b;
  }
  return out;
}

export interface GdRun {
  function: string;
  method: 'plain' | 'momentum';
  start: number;
  /**
   * 'converged': |J′| < tol; 'left domain': a step went to x ≤ 1/e; 'diverged': x or J′ became infinite or NaN;
   * 'max steps': none of these within maxSteps.
   */
  status: 'converged' | 'left domain' | 'diverged' | 'max steps';
  /** The last x inside the domain (for 'left domain', the step that left is in `exitX`). */
  endX: number;
  /** J(endX); null when the path left the domain or diverged. */
  endJ: number | null;
  /** |J′(endX)| from the hand-derived formula; null when the path left the domain or diverged. */
  gradNorm: number | null;
  /** The x outside the domain (or not finite) that the path reached, for 'left domain' and 'diverged'. */
  exitX?: number;
  steps: number;
  /** Index into the function's `minima` of the true minimum reached (|x − x*| < 1e-6), or null. */
  minimum: number | null;
}

export interface DemoGdResult {
  seed: number;
  lr: number;
  momentum: number;
  tol: number;
  maxSteps: number;
  functions: { name: string; formula: string; minima: { x: number; J: number }[] }[];
  runs: GdRun[];
}

export interface DemoGdOptions extends PrintOptions {
  /** Accepted for symmetry with the other demos; gradient descent from fixed starts draws nothing (default 0). */
  seed?: number;
  /** Step size α of both methods (default 0.01). */
  lr?: number;
  /** Momentum μ of the second method (default 0.9). */
  momentum?: number;
  /** Stop once |J′(x)| < tol (default 1e-8). */
  tol?: number;
  /** Give up after this many steps (default 10000). */
  maxSteps?: number;
  /** Starts for J₁ (default 0.4, 0.5, 1, 2, 4). */
  starts1?: number[];
  /** Starts for J₂ (default 0.38, 0.5, 1.2, 2.2, 3.3, 4.6, 5.8). */
  starts2?: number[];
}

/** Runs SGD on f from `start` until |J′| < tol, the path leaves the domain, or maxSteps. */
export function descend(f: GdFunction, start: number, o: { lr: number; momentum: number; tol: number; maxSteps: number }): GdRun {
  const method = o.momentum > 0 ? 'momentum' : 'plain';
  const base = { function: f.name, method, start } as const;
  if (!(Number.isFinite(start) && inDomain(start))) {
    return { ...base, status: 'left domain', endX: start, endJ: null, gradNorm: null, exitX: start, steps: 0, minimum: null };
  }
  const x = tensor([start], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.SGD([x], { lr: o.lr, momentum: o.momentum });
  let steps = 0;
  let prev = start;
  for (;;) {
    const xv = x.item();
    const g = Math.abs(f.derivative(xv));
    if (!Number.isFinite(xv) || (inDomain(xv) && !Number.isFinite(g))) {
      return { ...base, status: 'diverged', endX: prev, endJ: null, gradNorm: null, exitX: xv, steps, minimum: null };
    }
    if (!inDomain(xv)) return { ...base, status: 'left domain', endX: prev, endJ: null, gradNorm: null, exitX: xv, steps, minimum: null };
    if (g < o.tol || steps >= o.maxSteps) {
      return { ...base, status: g < o.tol ? 'converged' : 'max steps', endX: xv, endJ: f.value(xv), gradNorm: g, steps, minimum: null };
    }
    opt.zeroGrad();
    sum(f.tensorFn(x)).backward();
    prev = xv;
    opt.step();
    steps++;
  }
}

/** Runs every start of both functions, plain and with momentum; prints and returns where each ended. */
export async function demoGd(options: DemoGdOptions = {}): Promise<DemoGdResult> {
  const seed = checkSeed('demo gd', options.seed ?? 0);
  manualSeed(seed);
  const { lr = 0.01, momentum = 0.9, tol = 1e-8, maxSteps = 10000 } = options;
  if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`demo gd: lr must be a finite number > 0, got ${lr}`);
  if (!(momentum > 0 && momentum < 1)) throw new Error(`demo gd: momentum must be in (0, 1), got ${momentum}`);
  const starts: [GdFunction, number[]][] = [
    [J1, options.starts1 ?? [0.4, 0.5, 1, 2, 4]],
    [J2, options.starts2 ?? [0.38, 0.5, 1.2, 2.2, 3.3, 4.6, 5.8]],
  ];
  const runs: GdRun[] = [];
  const functions: DemoGdResult['functions'] = [];
  for (const [f, xs] of starts) {
    const fRuns: GdRun[] = [];
    for (const mu of [0, momentum]) for (const s of xs) fRuns.push(descend(f, s, { lr, momentum: mu, tol, maxSteps }));
    // List the true minima up to just past the furthest start or converged end (capped: a big step can go far).
    const hi = Math.min(MAX_LISTED, Math.max(2, ...fRuns.filter((r) => r.status === 'converged').map((r) => r.endX), ...xs.filter(Number.isFinite)) + 1);
    const minima = trueMinima(f, hi);
    for (const r of fRuns) {
      if (r.status === 'converged') {
        const k = minima.findIndex((m) => Math.abs(m - r.endX) < 1e-6);
        r.minimum = k >= 0 ? k : null;
      }
    }
    functions.push({ name: f.name, formula: f.formula, minima: minima.map((m) => ({ x: m, J: f.value(m) })) });
    runs.push(...fRuns);
  }
  const result: DemoGdResult = { seed, lr, momentum, tol, maxSteps, functions, runs };
  report(options, result);
  return result;
}

function report(options: PrintOptions, r: DemoGdResult): void {
  const log = printer(options);
  log(`Gradient descent x ← x − α·J′(x) with optim.SGD on a float64 tensor: α = ${r.lr}, momentum μ = ${r.momentum} for the`);
  log(`second method; stop when |J′(x)| < ${r.tol} or after ${r.maxSteps} steps. Domain: 1 + log x > 0, i.e. x > 1/e ≈ 0.3679.`);
  for (const f of r.functions) {
    log();
    log(`${f.name}(x) = ${f.formula}. True minima (J′ by hand changes sign from − to +):`);
    log(`  ${f.minima.map((m, k) => `#${k + 1} x = ${num(m.x, 8)} (J = ${num(m.J, 6)})`).join(', ')}`);
    log();
    printTable(log, ['method', 'start', 'end x', 'J(end)', 'steps', '|J′(end)|', 'result'],
      r.runs.filter((run) => run.function === f.name).map((run) => [
        run.method, num(run.start), run.endJ === null ? '-' : num(run.endX, 8), run.endJ === null ? '-' : num(run.endJ, 6),
        run.steps, run.gradNorm === null ? '-' : run.gradNorm.toExponential(1), describe(run),
      ]));
  }
  log();
  for (const line of conclusions(r)) log(line);
  printJson(options, r);
}

/** What the runs showed, from the figures (not a fixed text). */
function conclusions(r: DemoGdResult): string[] {
  const lines: string[] = [];
  for (const f of r.functions) {
    const runs = r.runs.filter((run) => run.function === f.name);
    const reached = new Set(runs.filter((run) => run.minimum !== null).map((run) => run.minimum));
    const ok = runs.filter((run) => run.minimum !== null).length;
    const why = f.minima.length === 1 ? ` (${f.name} has only one)` : reached.size >= 2 ? ' (different starts, different minima)' : '';
    lines.push(`${f.name}: ${ok} of ${runs.length} runs reached a true minimum with |J′| < ${r.tol}; ${reached.size} distinct minim${reached.size === 1 ? 'um' : 'a'} reached${why}.`);
  }
  const exits = r.runs.filter((run) => run.status === 'left domain');
  if (exits.length > 0) {
    lines.push(`${exits.length} run${exits.length === 1 ? '' : 's'} left the domain: ${exits.map((e) => `${e.function} ${e.method} from ${num(e.start)}`).join(', ')}.`);
    lines.push('A step longer than the way to the wall at x = 1/e (a large α, a steep slope, or speed built up by momentum) lands where J is undefined.');
  }
  return lines;
}

function describe(run: GdRun): string {
  if (run.status === 'left domain') return `left the domain at step ${run.steps} (x = ${num(run.exitX!, 4)} ≤ 1/e)`;
  if (run.status === 'diverged') return `diverged at step ${run.steps} (x = ${num(run.exitX!, 4)})`;
  if (run.status === 'max steps') return `not converged after ${run.steps} steps`;
  return run.minimum === null ? `|J′| ≈ 0, beyond the listed minima (x > ${MAX_LISTED})` : `minimum #${run.minimum + 1} (|J′| ≈ 0)`;
}

export const demoGdCommand: CommandSpec = {
  name: 'demo gd',
  summary: 'gradient descent on J(x) = x²/(1+log x) and x²·sin(πx)/(1+log x) from several starts',
  usage: 'demo gd [--lr <α>] [--momentum <μ>] [--max-steps <n>] [--starts1 <x,…>] [--starts2 <x,…>] [--seed <n>] [--json]',
  flags: {
    lr: { type: 'string', value: '<α>', description: 'step size (default 0.01)' },
    momentum: { type: 'string', value: '<μ>', description: 'momentum of the second method, in (0, 1) (default 0.9)' },
    'max-steps': { type: 'string', value: '<n>', description: 'steps before giving up (default 10000)' },
    starts1: { type: 'string', value: '<x,…>', description: 'starting points for J₁ (default 0.4,0.5,1,2,4)' },
    starts2: { type: 'string', value: '<x,…>', description: 'starting points for J₂ (default 0.38,0.5,1.2,2.2,3.3,4.6,5.8)' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => demoGd({
    lr: numberFlag(f, 'lr', 0.01, Number.MIN_VALUE), momentum: numberFlag(f, 'momentum', 0.9, Number.MIN_VALUE, 0.999999),
    maxSteps: intFlag(f, 'max-steps', 10000, 1), starts1: numberListFlag(f, 'starts1', [0.4, 0.5, 1, 2, 4]),
    starts2: numberListFlag(f, 'starts2', [0.38, 0.5, 1.2, 2.2, 3.3, 4.6, 5.8]), seed: intFlag(f, 'seed', 0, 0), json: f.json === true,
  }),
};
