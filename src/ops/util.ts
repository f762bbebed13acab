// Every op module imports this file, so the Tensor methods the autograd engine calls (add, to) are always installed.
import './methods.js';
import { record } from '../autograd/engine.js';
import { backend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import { empty } from '../tensor/creation.js';
import { type DType, isFloat, promoteTypes } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

export { record, empty };

/** A tensor, or a plain number that takes the other operand's dtype (as PyTorch treats Python scalars). */
export type TensorLike = Tensor | number;

export const K = (): Backend => backend();

/** Floating-point operations done by the ops since start (an add or a multiply counts 1; matmul 2·M·K·N). */
let flops = 0;

/** @internal Called by the ops next to their kernel calls. */
export function addFlops(n: number): void {
  flops += n;
}

/** Running total of floating-point operations done by every op, forward and backward (the course's "green AI" cost). */
export function flopCount(): number {
  return flops;
}

/** Wraps a number as a 0-d tensor of `dtype`; tensors pass through. */
export function lift(x: TensorLike | boolean, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'boolean') x = x ? 1 : 0;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${describe(x)}`);
  const t = empty([], dtype);
  t._data[0] = x;
  return t;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with tensor(…))';
  return typeof x;
}

/** Checks that `x` is a Tensor, naming the op and argument otherwise. */
export function expectTensor(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${describe(x)}`);
  return x;
}

/** Casts (differentiably) to `dtype`; a no-op when it already has it. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = empty(x.shape, dtype);
  K().cast(x._data, out._data);
  return isFloat(dtype) && isFloat(x.dtype) ? record(out, 'to', [x], (g) => [cast(g, x.dtype)]) : out;
}

/** Result dtype of a binary op: a number adopts the tensor's dtype unless it needs a float (int tensor, 0.5). */
export function resultType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteTypes(a.dtype, b.dtype);
  const t = (a instanceof Tensor ? a : b) as Tensor | number;
  const n = (a instanceof Tensor ? b : a) as Tensor | number;
  if (!(t instanceof Tensor)) return 'float32';
  if (!isFloat(t.dtype) && typeof n === 'number' && !Number.isInteger(n)) return 'float32';
  if (t.dtype === 'bool' && typeof n === 'number') return 'int32';
  return t.dtype;
}

/** Both operands as tensors of their common dtype (optionally forced to a float type). */
export function coerce(op: string, a: TensorLike, b: TensorLike, float = false): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && typeof a !== 'number') throw new Error(`${op}: first argument must be a Tensor or a number, got ${describe(a)}`);
  if (!(b instanceof Tensor) && typeof b !== 'number') throw new Error(`${op}: second argument must be a Tensor or a number, got ${describe(b)}`);
  let dtype = resultType(a, b);
  if (float && !isFloat(dtype)) dtype = 'float32';
  return [cast(lift(a, dtype), dtype), cast(lift(b, dtype), dtype)];
}

/** Casts int/bool tensors to float32 for ops that need floating point. */
export function toFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'float32');
}
