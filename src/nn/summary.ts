/** summary(): a Keras-style table of a model's layers, output shapes and parameter counts. */
import { noGrad } from '../autograd/mode.js';
import { zeros } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { type Shape, fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface SummaryOptions {
  /** dtype of the zeros fed to the model (default float32; int32 for a model that starts with an Embedding). */
  dtype?: DType;
}

const fmtCount = (n: number): string => n.toLocaleString('en-US');

/**
 * Runs one forward pass of `model` on zeros of `inputShape` (batch dim included) under noGrad and in eval
 * mode, and returns (does not print) a table: each module indented under its parent, with its key and type,
 * the shape of its first output ('-' if it was not called) and the number of parameters it holds itself
 * (a shared parameter counted once), then the totals. Every module's training flag is restored afterwards.
 */
export function summary(model: Module, inputShape: Shape, options: SummaryOptions = {}): string {
  if (!(model instanceof Module)) throw new Error(`summary: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  const modes = model.modules().map((m) => [m, m.training] as const);
  const outShapes = new Map<Module, readonly number[]>();
  const removers = model.modules().map((m) =>
    m.registerForwardHook((mod: Module, _inputs: Tensor[], out: Tensor) => {
      if (!outShapes.has(mod)) outShapes.set(mod, out.shape);
    }),
  );
  try {
    model.eval();
    const x = zeros(inputShape, { dtype: options.dtype ?? 'float32' });
    noGrad(() => model.forward(x));
  } finally {
    for (const remove of removers) remove();
    for (const [m, training] of modes) m.training = training;
  }

  const rows: [string, string, string][] = [];
  const seenModules = new Set<Module>();
  const seenParams = new Set<Tensor>();
  const visit = (m: Module, label: string, depth: number): void => {
    seenModules.add(m);
    let own = 0;
    const children = m.namedChildren();
    const childParams = new Set(children.flatMap(([, c]) => c.parameters()));
    for (const p of m.parameters()) {
      if (childParams.has(p) || seenParams.has(p)) continue;
      seenParams.add(p);
      own += p.numel();
    }
    const shape = outShapes.get(m);
    rows.push([`${'  '.repeat(depth)}${label}`, shape ? fmtShape(shape) : '-', fmtCount(own)]);
    for (const [name, child] of children) {
      if (!seenModules.has(child)) visit(child, `${name} (${child.constructor.name})`, depth + 1);
    }
  };
  visit(model, model.constructor.name, 0);

  const params = model.parameters();
  const total = params.reduce((n, p) => n + p.numel(), 0);
  const trainable = params.reduce((n, p) => n + (p.requiresGrad ? p.numel() : 0), 0);
  const header: [string, string, string] = ['Layer (type)', 'Output shape', 'Param #'];
  const widths = [0, 1, 2].map((i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: [string, string, string]): string =>
    `${r[0].padEnd(widths[0])}   ${r[1].padEnd(widths[1])}   ${r[2].padStart(widths[2])}`;
  const rule = '='.repeat(widths[0] + widths[1] + widths[2] + 6);
  return [
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${fmtCount(total)}`,
    `Trainable params: ${fmtCount(trainable)}`,
    `Non-trainable params: ${fmtCount(total - trainable)}`,
  ].join('\n');
}
