/**
 * Init fixture cases (FORMAT.md section 8): one draw with the named init on the case's shape and arguments,
 * checked against the target distribution with the case's 5-sigma tolerances, plus the fans and gain.
 */
import { Generator, type Tensor, zeros } from '../index.js';
import { init } from '../nn/index.js';
import type { OtherCase } from './fixture-cases.js';

type Args = Record<string, any>;

const kaiming = (a: Args, generator: Generator): init.KaimingOptions => ({
  a: a.a ?? 0,
  mode: a.mode === 'fan_out' ? 'fanOut' : a.mode === 'fan_in' || a.mode === undefined ? 'fanIn' : a.mode,
  nonlinearity: a.nonlinearity ?? 'leaky_relu',
  generator,
});

/** Fixture op name → the init call, with the gain that PyTorch's formula uses for those arguments. */
const INITS: Record<string, { draw: (t: Tensor, a: Args, g: Generator) => Tensor; gain: (a: Args) => number }> = {
  kaiming_uniform_: { draw: (t, a, g) => init.kaimingUniform_(t, kaiming(a, g)), gain: (a) => init.calculateGain(a.nonlinearity ?? 'leaky_relu', a.a ?? 0) },
  kaiming_normal_: { draw: (t, a, g) => init.kaimingNormal_(t, kaiming(a, g)), gain: (a) => init.calculateGain(a.nonlinearity ?? 'leaky_relu', a.a ?? 0) },
  xavier_uniform_: { draw: (t, a, g) => init.xavierUniform_(t, a.gain ?? 1, g), gain: (a) => a.gain ?? 1 },
  xavier_normal_: { draw: (t, a, g) => init.xavierNormal_(t, a.gain ?? 1, g), gain: (a) => a.gain ?? 1 },
};

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** Runs one init case; null when it passes, otherwise what is wrong. */
export function runInitCase(c: OtherCase): string | null {
  const spec = INITS[c.op];
  if (!spec) return `init op '${c.op}' is not supported by the fixture runner`;
  const problems: string[] = [];
  const [fanIn, fanOut] = init.calculateFanInAndFanOut(c.shape);
  if (fanIn !== c.fan_in || fanOut !== c.fan_out) problems.push(`fans are [${fanIn}, ${fanOut}], expected [${c.fan_in}, ${c.fan_out}]`);
  const gain = spec.gain(c.args);
  if (!close(gain, c.gain)) problems.push(`gain is ${gain}, expected ${c.gain}`);

  const t = spec.draw(zeros(c.shape), c.args, new Generator(0));
  const d = t.data();
  const n = d.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += d[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (d[i] - mean) ** 2;
  const std = Math.sqrt(ss / (n - 1));
  const tol = c.test_tolerance;
  if (Math.abs(mean - c.expected.mean) > tol.mean_atol) problems.push(`sample mean ${mean} is more than ${tol.mean_atol} from ${c.expected.mean}`);
  const rel = std / c.expected.std - 1;
  if (Math.abs(rel) > tol.std_rtol) problems.push(`sample std ${std} is ${(rel * 100).toFixed(2)}% off ${c.expected.std} (allowed ${(tol.std_rtol * 100).toFixed(2)}%)`);
  if (c.distribution === 'uniform') {
    const bound = Math.fround(c.bound); // float32 rounding is monotonic: draws below the bound stay at or below its rounding
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(d[i]));
    if (worst > bound) problems.push(`a draw of magnitude ${worst} lies outside [−${c.bound}, ${c.bound}]`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}
