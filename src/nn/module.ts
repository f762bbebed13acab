/**
 * Module, the base of every layer. Nothing is registered: a module's parameters, buffers and submodules are
 * found by walking its own fields in the order they were set (STYLE.md habit 7).
 *
 * - a field holding a `Parameter` is a parameter; a field holding any other `Tensor` is a buffer (saved in
 *   stateDict, not returned by parameters()); a field holding a `Module` is a child;
 * - an array field is walked element by element, its entries named `<field>.<i>`;
 * - anything else (numbers, strings, null, functions, private `#fields`) is ignored;
 * - a field's key is its name in PyTorch's snake_case (`runningMean` → `running_mean`, `fc1` → `fc1`), so a
 *   model written by camelCasing a PyTorch model has PyTorch's stateDict keys and its weights move through
 *   safetensors unchanged.
 */
import { noGrad } from '../autograd/mode.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';

/** Runs after a module's forward with its inputs and output; a returned tensor replaces the output. */
export type ForwardHook = (module: Module, inputs: Tensor[], output: Tensor) => Tensor | void;

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shapes must always match. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A field name as PyTorch would spell the attribute: `numBatchesTracked` → `num_batches_tracked`. */
export function keyOf(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

interface Slots {
  params: [string, Parameter][];
  buffers: [string, Tensor][];
  children: [string, Module][];
}

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);
const isSlot = (v: unknown): boolean => v instanceof Tensor || v instanceof Module;

/** One module's own parameters, buffers and children, in field order. */
function ownSlots(m: Module): Slots {
  const slots: Slots = { params: [], buffers: [], children: [] };
  const put = (name: string, v: unknown): void => {
    if (v instanceof Parameter) slots.params.push([name, v]);
    else if (v instanceof Tensor) slots.buffers.push([name, v]);
    else if (v instanceof Module) slots.children.push([name, v]);
  };
  const keys = new Map<string, string>();
  for (const [field, value] of Object.entries(m)) {
    if (!isSlot(value) && !(Array.isArray(value) && value.some(isSlot))) continue;
    const key = keyOf(field);
    const other = keys.get(key);
    if (other !== undefined) {
      throw new Error(`${m.constructor.name}: fields '${other}' and '${field}' both map to the key '${key}'; rename one`);
    }
    keys.set(key, field);
    if (Array.isArray(value)) value.forEach((v, i) => put(`${key}.${i}`, v));
    else put(key, value);
  }
  return slots;
}

/** Every (key, tensor) of the state, without removing repeats (as PyTorch's state_dict), params before buffers. */
function stateEntries(m: Module, prefix: string, ancestors: Set<Module>, out: [string, Tensor][]): void {
  const { params, buffers, children } = ownSlots(m);
  for (const [name, t] of [...params, ...buffers]) out.push([join(prefix, name), t]);
  ancestors.add(m);
  for (const [name, child] of children) {
    if (ancestors.has(child)) {
      throw new Error(`stateDict: '${join(prefix, name)}' refers back to a module that contains it; a module cannot be its own descendant`);
    }
    stateEntries(child, join(prefix, name), ancestors, out);
  }
  ancestors.delete(m);
}

const indent = (s: string): string => s.split('\n').join('\n  ');

/** Base class of layers and models: subclasses set their fields in the constructor and define `forward`. */
export abstract class Module {
  /** Training mode (Dropout drops, BatchNorm uses batch statistics); set by `train()` and `eval()`. */
  training = true;
  #hooks: { fn: ForwardHook }[] = [];
  #ownForward: PropertyDescriptor | undefined;

  /** The computation. Call it directly: `model.forward(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Direct submodules with their keys, each once. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [name, m] of ownSlots(this).children) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  /** Direct submodules, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module (named '') and every submodule below it, parents before children, each once. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, prefix: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([prefix, m]);
      for (const [name, child] of ownSlots(m).children) visit(child, join(prefix, name));
    };
    visit(this, '');
    return out;
  }

  /** This module and every submodule, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name (`encoder.fc1.weight`); a shared parameter appears once, under its first name. */
  namedParameters(): [string, Parameter][] {
    return this.#collect((s) => s.params);
  }

  /** Every parameter, each once: what an optimizer updates. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer (a non-parameter tensor field, e.g. BatchNorm's running_mean) with its dotted name, each once. */
  namedBuffers(): [string, Tensor][] {
    return this.#collect((s) => s.buffers);
  }

  /** Every buffer, each once. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  #collect<T extends Tensor>(pick: (s: Slots) => [string, T][]): [string, T][] {
    const out: [string, T][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of pick(ownSlots(m))) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([join(prefix, name), t]);
      }
    }
    return out;
  }

  /** Number of parameter elements (shared ones once); `trainableOnly` counts those that require grad. */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.numel();
    return n;
  }

  /** Sets training mode on this module and every submodule; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. Dropout becomes the identity, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Turns gradients on or off for every parameter: `requiresGrad_(false)` freezes the module. Returns this. */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Calls `fn` on every submodule (children before their parent) and then on this one; returns this. */
  apply(fn: (m: Module) => void): this {
    const seen = new Set<Module>();
    const visit = (m: Module): void => {
      seen.add(m);
      for (const [, child] of ownSlots(m).children) if (!seen.has(child)) visit(child);
      fn(m);
    };
    visit(this);
    return this;
  }

  /**
   * The parameters and buffers by PyTorch key, in PyTorch's order (each module's parameters, then its buffers,
   * then its children). The tensors share data with the module but are detached. A tied tensor appears under
   * each of its names, as in PyTorch.
   */
  stateDict(): Record<string, Tensor> {
    const entries: [string, Tensor][] = [];
    stateEntries(this, '', new Set(), entries);
    return Object.fromEntries(entries.map(([k, t]) => [k, t.detach()]));
  }

  /**
   * Copies a state dict's values into this module's tensors, in place. Throws before copying anything when a
   * shape differs, or (strict, the default) when a key is missing or unexpected, listing every such key.
   */
  loadStateDict(stateDict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries: [string, Tensor][] = [];
    stateEntries(this, '', new Set(), entries);
    const own = new Map(entries);
    const missingKeys = [...own.keys()].filter((k) => !Object.hasOwn(stateDict, k));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !own.has(k));
    const wrong: string[] = [];
    for (const [k, t] of own) {
      if (!Object.hasOwn(stateDict, k)) continue;
      const v = stateDict[k];
      if (!(v instanceof Tensor)) wrong.push(`${k} is ${v === null ? 'null' : typeof v}, not a Tensor`);
      else if (!shapesEqual(v.shape, t.shape)) wrong.push(`${k} is ${fmtShape(v.shape)} in the state dict but ${fmtShape(t.shape)} in the model`);
    }
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (wrong.length > 0) problems.push(`wrong shapes: ${wrong.join('; ')}`);
    if (problems.length > 0) {
      throw new Error(`loadStateDict: the state dict does not fit ${this.constructor.name}: ${problems.join('; ')}`);
    }
    noGrad(() => {
      for (const [k, t] of own) if (Object.hasOwn(stateDict, k)) t.copy_(stateDict[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Runs `hook(module, inputs, output)` after every forward of this module, however forward is called (the
   * instance's forward is wrapped while hooks exist). Returns a function that removes the hook.
   */
  registerForwardHook(hook: ForwardHook): () => void {
    if (this.#hooks.length === 0) {
      this.#ownForward = Object.getOwnPropertyDescriptor(this, 'forward');
      const inner = this.forward;
      Object.defineProperty(this, 'forward', {
        configurable: true,
        writable: true,
        enumerable: false,
        value: (...inputs: Tensor[]): Tensor => {
          let out = inner.apply(this, inputs);
          for (const h of [...this.#hooks]) {
            const r = h.fn(this, inputs, out);
            if (r instanceof Tensor) out = r;
          }
          return out;
        },
      });
    }
    const entry = { fn: hook };
    this.#hooks.push(entry);
    return () => {
      const i = this.#hooks.indexOf(entry);
      if (i < 0) return;
      this.#hooks.splice(i, 1);
      if (this.#hooks.length > 0) return;
      Reflect.deleteProperty(this, 'forward');
      if (this.#ownForward) Object.defineProperty(this, 'forward', this.#ownForward);
    };
  }

  /** The settings shown between the parentheses of toString(), e.g. `inFeatures=2, outFeatures=8, bias=true`. */
  extraRepr(): string {
    return '';
  }

  /** Prints like PyTorch's repr: `Sequential(\n  (0): Linear(inFeatures=2, outFeatures=8, bias=true)\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = ownSlots(this).children.map(([name, m]) => `(${name}): ${indent(m.toString())}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length === 1 && childLines.length === 0) s += lines[0];
    else if (lines.length > 0) s += `\n  ${lines.join('\n  ')}\n`;
    return `${s})`;
  }

  /** Node's console.log shows toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
