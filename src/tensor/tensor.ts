import type { GradFn } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/mode.js';
import { runBackward } from '../autograd/engine.js';
import { type DType, type TypedArray, dtypeOfArray, isFloat } from './dtype.js';
import { formatTensor } from './format.js';
import { type Shape, fmtShape, shapesEqual, sizeOf } from './shape.js';

/**
 * The shape as a frozen array. A shape that is frozen already (another tensor's: `empty(x.shape)`, views) is
 * shared rather than copied, as nothing can change it.
 */
function frozenShape(shape: Shape): readonly number[] {
  return Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
}

/** Nested arrays of numbers or booleans, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (default: same as createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again (default false). */
  createGraph?: boolean;
}

/**
 * An n-dimensional array with a dtype, stored contiguously in row-major order in a typed array that the
 * garbage collector owns: no `dispose()` is ever needed. Tensors with `requiresGrad` record how they were
 * computed, so `backward()` can fill `.grad` on the leaves.
 *
 * Ops are functions (`add(a, b)`) and also methods (`a.add(b)`); the methods are attached by `src/ops/methods.ts`.
 */
export class Tensor {
  // The fields are declared without initialisers and set in the constructor, in one fixed order: every tensor
  // then has the same hidden class, and construction (once per op) stays a handful of stores.
  /** Sizes of each dim. A scalar has shape []. */
  declare readonly shape: readonly number[];
  declare readonly dtype: DType;
  /** @internal The elements, row-major. Shared with views made by reshape/detach. */
  declare _data: TypedArray;
  /** The gradient accumulated by backward() (leaves, and non-leaves after retainGrad()). */
  declare grad: Tensor | null;
  /** The op that produced this tensor, when it was recorded; null for leaves. */
  declare gradFn: GradFn | null;
  /** @internal */
  declare _requiresGrad: boolean;
  /** @internal Set by retainGrad(): keep .grad on this non-leaf too. */
  declare _retainGrad: boolean;

  /** @internal Use `tensor()`, `zeros()`… to create tensors. */
  constructor(data: TypedArray, shape: Shape) {
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    }
    this.shape = frozenShape(shape);
    this.dtype = dtypeOfArray(data);
    this._data = data;
    this.grad = null;
    this.gradFn = null;
    this._requiresGrad = false;
    this._retainGrad = false;
  }

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements (PyTorch's name). */
  numel(): number {
    return this._data.length;
  }

  /** True when backward() should compute a gradient for this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(on: boolean) {
    this.requiresGrad_(on);
  }

  /** Sets requiresGrad on a leaf and returns this tensor. Only floating-point tensors can require grad. */
  requiresGrad_(on = true): this {
    if (this.gradFn && !on) {
      throw new Error('requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach() to get a tensor outside the graph');
    }
    if (on && !isFloat(this.dtype)) {
      throw new Error(`requiresGrad_: only float32/float64 tensors can require gradients, got dtype ${this.dtype}`);
    }
    this._requiresGrad = on;
    return this;
  }

  /** True for tensors created by the user (not by a recorded op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Keep .grad on this non-leaf tensor after backward(), for inspection. */
  retainGrad(): this {
    if (!this._requiresGrad) throw new Error('retainGrad: tensor does not require grad');
    this._retainGrad = true;
    return this;
  }

  /** The elements as a typed array, shared with the tensor (writes are seen by it): no copy. */
  data(): TypedArray {
    return this._data;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this._data.length !== 1) {
      throw new Error(`item: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    }
    return this._data[0];
  }

  /** The elements as nested arrays (booleans for bool tensors); a scalar gives a number. */
  toArray(): NestedArray {
    const d = this._data;
    const asBool = this.dtype === 'bool';
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return asBool ? d[offset] !== 0 : d[offset];
      const n = this.shape[dim];
      let stride = 1;
      for (let i = dim + 1; i < this.shape.length; i++) stride *= this.shape[i];
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** A tensor sharing this one's data, outside the graph (no gradient flows through it). */
  detach(): Tensor {
    return new Tensor(this._data, this.shape);
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad and adds it to their
   * `.grad`. A non-scalar needs `gradient`, the vector to multiply its Jacobian with (same shape).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (!this._requiresGrad) {
      throw new Error(
        `backward: tensor of shape ${fmtShape(this.shape)} does not require grad and has no gradFn ` +
          '(was it computed under noGrad, or from inputs without requiresGrad: true?)',
      );
    }
    if (gradient === undefined) {
      if (this._data.length !== 1) {
        throw new Error(
          `backward: gradient can be implied only for a scalar output, got shape ${fmtShape(this.shape)}; ` +
            'pass a gradient of the same shape, or reduce the output (e.g. .sum()) first',
        );
      }
    } else if (!shapesEqual(gradient.shape, this.shape)) {
      throw new Error(
        `backward: gradient has shape ${fmtShape(gradient.shape)} but the tensor has shape ${fmtShape(this.shape)}`,
      );
    }
    const createGraph = options.createGraph ?? false;
    runBackward([this], [gradient ?? null], {
      retainGraph: options.retainGraph ?? createGraph,
      createGraph,
      accumulate: true,
    });
  }

  /** Fills with a value in place. Not allowed on a tensor that requires grad while recording. */
  fill_(value: number): this {
    this.checkInPlace('fill_');
    this._data.fill(value);
    return this;
  }

  /** Sets every element to 0 in place. */
  zero_(): this {
    return this.fill_(0);
  }

  /** Copies another tensor's values (same number of elements) into this one, in place. */
  copy_(src: Tensor): this {
    this.checkInPlace('copy_');
    if (!shapesEqual(src.shape, this.shape)) {
      throw new Error(`copy_: source shape ${fmtShape(src.shape)} differs from destination shape ${fmtShape(this.shape)}`);
    }
    this._data.set(src._data);
    return this;
  }

  /** @internal */
  checkInPlace(op: string): void {
    if (this._requiresGrad && isGradEnabled() && this.gradFn === null) {
      throw new Error(
        `${op}: in-place change of a leaf tensor that requires grad while the graph is recorded; wrap it in noGrad(() => …)`,
      );
    }
  }

  /** Prints like PyTorch: `tensor([[1.0000, 2.5000]], requiresGrad=true)`. */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's console.log shows toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
