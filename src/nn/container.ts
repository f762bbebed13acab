/** Containers: ModuleList holds modules, Sequential also chains them. */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * A list of modules stored as the fields 0, 1, 2, … so that they are found like any other field and their
 * keys are PyTorch's (`0.weight`). Index it like an array (`list[0]`, `list.at(-1)`) and iterate it.
 */
export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    let n = 0;
    while (this[n] !== undefined) n++;
    return n;
  }

  /** Adds a module at the end, under the next index; returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new Error(`${this.constructor.name}.append: expected a Module, got ${module === null ? 'null' : typeof module}`);
    }
    this[this.length] = module;
    return this;
  }

  /** Appends each module in turn; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** The module at index i; a negative i counts from the end. */
  at(i: number): Module {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) throw new Error(`${this.constructor.name}.at: index ${i} is out of range for ${n} modules`);
    return this[j];
  }

  *[Symbol.iterator](): Iterator<Module> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i];
  }

  /** A ModuleList only holds modules; the model that owns it decides how to call them. */
  override forward(..._inputs: Tensor[]): Tensor {
    throw new Error(`${this.constructor.name}: has no forward; call its modules from your model's forward, or use Sequential`);
  }
}

/** Modules applied in order, each to the previous one's output: `new Sequential(new Linear(2, 8), new ReLU())`. */
export class Sequential extends ModuleList {
  constructor(...modules: Module[]) {
    super(modules);
  }

  override forward(x: Tensor): Tensor {
    for (const m of this) x = m.forward(x);
    return x;
  }
}
