/**
 * The optimizer base: parameter groups, per-tensor state, stateDict. Each optimizer is thin (STYLE.md habit 8):
 * it keeps state in `this.state` and calls a pure update function that works in place on typed arrays.
 */
import { enableGrad } from '../autograd/mode.js';
import type { FloatArray } from '../tensor/dtype.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** The option every optimizer has. */
export interface BaseOptions {
  /** Learning rate: the step size α. */
  lr: number;
}

/**
 * A parameter group: its tensors and its own value of every option. Schedulers change `lr` (and momentum) here.
 * Other keys may appear (schedulers store `initialLr`, OneCycleLR its `maxLr`…); they are kept and saved.
 */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & { params: Tensor[]; [key: string]: unknown };

/** A group as given to the constructor or `addParamGroup`: its tensors and the options it overrides. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & {
  params: Iterable<Tensor> | Tensor;
  [key: string]: unknown;
};

/** What an optimizer optimises: tensors (one group), or parameter groups. */
export type Params<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | readonly ParamGroupInput<O>[];

/** One entry of a parameter's state: a buffer shaped like the parameter, a counter, or a buffer not yet made. */
export type StateValue = FloatArray | number | null;
export type ParamState = Record<string, StateValue>;

/** A buffer in a state dict: the parameter's shape and the values, row-major. */
export interface SavedBuffer {
  shape: number[];
  data: number[];
}

/**
 * What `stateDict()` returns, a plain JSON-serialisable object in PyTorch's layout:
 * - `state`: keyed by the parameter's index counted across all groups in order ("0", "1", …); only parameters
 *   that have state (have been stepped) appear. Each entry maps a state name (`step`, `expAvg`, `momentumBuffer`…)
 *   to a number, to null (a buffer not created yet), or to a buffer `{ shape, data }`.
 * - `paramGroups`: each group's options (lr, betas, … and keys added by schedulers) and `params`, the indices
 *   of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, SavedBuffer | number | null>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Checks one option's value: null when valid, otherwise a description of what was expected. */
export type Rule = (value: unknown) => string | null;

/** Validation of an optimizer's options: one rule per known key, and an optional check across keys. */
export interface OptionRules {
  keys: Record<string, Rule>;
  /** A constraint between options (null = fine, else the whole message after the optimizer's name). */
  across?: (o: Record<string, unknown>) => string | null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A finite number >= 0 (learning rates, eps, weight decay, momentum). */
export const nonNegative: Rule = (v) => (finite(v) && v >= 0 ? null : 'a finite number >= 0');
/** Any finite number. */
export const finiteNumber: Rule = (v) => (finite(v) ? null : 'a finite number');
/** A number in [0, 1) (a decay rate β). */
export const unitOpen: Rule = (v) => (finite(v) && v >= 0 && v < 1 ? null : 'a number in [0, 1)');
/** A number in [0, 1]. */
export const unitClosed: Rule = (v) => (finite(v) && v >= 0 && v <= 1 ? null : 'a number in [0, 1]');
/** true or false. */
export const boolean: Rule = (v) => (typeof v === 'boolean' ? null : 'true or false');
/** Adam's (β1, β2): two numbers in [0, 1). */
export const betaPair: Rule = (v) =>
  Array.isArray(v) && v.length === 2 && v.every((b) => unitOpen(b) === null) ? null : 'two numbers [β1, β2], each in [0, 1)';

function fmtValue(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number') return String(v); // JSON would print NaN and Infinity as null
  if (Array.isArray(v)) return `[${v.map(fmtValue).join(',')}]`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** `weight_decay` and `weightdecay` both normalise to `weightdecay`: used to catch PyTorch spellings. */
const looseName = (k: string): string => k.replace(/_/g, '').toLowerCase();

/** A copy of a group's options (arrays copied too), without `params`. */
function copyOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'params') out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

/** A new state buffer of the same kind and length as `p`, filled with `value`. */
export function newBuffer<A extends FloatArray>(p: A, value = 0): A {
  const b = p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length);
  if (value !== 0) b.fill(value);
  return b as A;
}

/** `defaults` overridden by the options that are given (an `undefined` option keeps the default). */
export function withDefaults<O extends object>(name: string, defaults: O, options: Partial<O> | undefined): O {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Tensor)) {
    throw new Error(`${name}: options is ${fmtValue(options)}; expected an object such as { lr: 0.01 }`);
  }
  const out = copyOptions(defaults as Record<string, unknown>);
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return out as O;
}

/**
 * Base class of every optimizer. Subclasses give their defaults and option rules to the constructor, and
 * implement `initState` (the state made at a parameter's first step) and `update` (one step of one parameter,
 * which calls a pure function on the typed arrays).
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState> {
  /** The optimizer's name, used in error messages. */
  readonly name: string;
  /** The constructor's options with defaults filled in: a group takes these where it gives none. */
  readonly defaults: O;
  /** The parameter groups, each with its own options; schedulers change `lr` here. */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (moment buffers, step counts), created at a parameter's first step. */
  state = new Map<Tensor, S>();
  private readonly rules: OptionRules;

  /**
   * @param name the optimizer's name for messages
   * @param params tensors that require grad, or parameter groups `{ params, ...options }`
   * @param defaults every option; an `undefined` value marks an option without default, required in each group
   * @param rules how to validate each option
   */
  protected constructor(name: string, params: Params<O>, defaults: O, rules: OptionRules) {
    this.name = name;
    this.rules = rules;
    this.checkOptions(defaults, '', true);
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new Error(`${name}: params is a single Tensor of shape ${fmtShape(params.shape)}; pass an array of tensors ([x]) or of parameter groups`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new Error(`${name}: params is ${fmtValue(params)}; expected an iterable of tensors or an array of parameter groups { params, ...options }`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error(`${name}: got an empty parameter list; pass the tensors to optimise (e.g. model.parameters())`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /**
   * Adds a parameter group: its tensors, with its own options over the defaults (e.g. a smaller lr for a
   * pre-trained backbone). A tensor may belong to one group only.
   */
  addParamGroup(input: ParamGroupInput<O>): void {
    const gi = this.paramGroups.length;
    const where = ` in parameter group ${gi}`;
    if (input === null || typeof input !== 'object' || input instanceof Tensor || !('params' in input)) {
      throw new Error(`${this.name}: parameter group ${gi} is ${fmtValue(input)}; expected { params, ...options }`);
    }
    const raw = input.params;
    const params = raw instanceof Tensor ? [raw] : raw !== null && typeof raw === 'object' && Symbol.iterator in raw ? [...raw] : null;
    if (params === null) throw new Error(`${this.name}: params${where} is ${fmtValue(raw)}; expected a Tensor or an iterable of tensors`);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      this.checkParam(p, `parameter ${i}${where}`);
      if (seen.has(p)) throw new Error(`${this.name}: parameter ${i}${where} appears twice (in this or another group); a tensor may belong to one group only`);
      seen.add(p);
    });
    const { params: _ignored, ...overrides } = input;
    for (const k of Object.keys(overrides)) {
      const known = Object.keys(this.defaults).find((d) => d !== k && looseName(d) === looseName(k));
      if (known) throw new Error(`${this.name}: unknown option '${k}'${where}; did you mean '${known}'?`);
    }
    const group = { ...copyOptions(this.defaults as unknown as Record<string, unknown>) } as Record<string, unknown>;
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) group[k] = Array.isArray(v) ? [...v] : v;
    for (const k of Object.keys(this.defaults)) {
      if (group[k] === undefined) {
        throw new Error(`${this.name}: ${k} is required${where} (it has no default); give it in the options or in every parameter group`);
      }
    }
    this.checkOptions(group, where, false);
    group.params = params;
    this.paramGroups.push(group as ParamGroup<O>);
  }

  /**
   * Updates every parameter that has a gradient (parameters whose `.grad` is null are skipped). `closure`, if
   * given, re-evaluates the model and returns the loss (run with grad recording on), as in PyTorch.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    for (let gi = 0; gi < this.paramGroups.length; gi++) {
      const group = this.paramGroups[gi];
      for (let i = 0; i < group.params.length; i++) {
        const p = group.params[i];
        const g = p.grad;
        if (g === null) continue;
        if (g.dtype !== p.dtype || !shapesEqual(g.shape, p.shape)) {
          throw new Error(
            `${this.name}.step: parameter ${i} in parameter group ${gi} has shape ${fmtShape(p.shape)} and dtype ${p.dtype}, ` +
              `but its grad has shape ${fmtShape(g.shape)} and dtype ${g.dtype}; they must match`,
          );
        }
        let s = this.state.get(p);
        if (s === undefined) {
          s = this.initState(p, group);
          this.state.set(p, s);
        }
        this.update(p.data() as FloatArray, g.data() as FloatArray, s, group);
      }
    }
    return loss;
  }

  /** Clears every parameter's gradient: sets `.grad` to null, or (setToNone = false) fills it with zeros. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone || p.grad === null) p.grad = null;
        else if (p.grad.gradFn !== null) p.grad = new Tensor(p.grad.data().slice().fill(0), p.grad.shape);
        else p.grad.data().fill(0);
      }
    }
  }

  /** The state at a parameter's first step (buffers of the parameter's dtype). */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /** One step of one parameter: `p` and `g` are its data and grad, both of the parameter's typed-array kind. */
  protected abstract update(p: FloatArray, g: FloatArray, state: S, group: ParamGroup<O>): void;

  /** The optimizer's state and options as a JSON-serialisable object (format: see OptimizerStateDict). */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const ids = group.params.map((p) => {
        const id = next++;
        const s = this.state.get(p);
        if (s !== undefined) {
          const entry: Record<string, SavedBuffer | number | null> = {};
          for (const [k, v] of Object.entries(s)) {
            entry[k] = v === null || typeof v === 'number' ? v : { shape: [...p.shape], data: Array.from(v) };
          }
          state[String(id)] = entry;
        }
        return id;
      });
      return { ...copyOptions(group), params: ids };
    });
    return { state, paramGroups };
  }

  /**
   * Restores what `stateDict()` saved, onto an optimizer built over the same parameters in the same groups.
   * Group options are replaced (lr and the rest); state buffers are copied into arrays of each parameter's dtype.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new Error(`${op}: got ${fmtValue(sd)}; expected { state, paramGroups } as stateDict() returns`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${op}: the state dict has ${sd.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, { p: Tensor; gi: number }>();
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi].params;
      if (!Array.isArray(g?.params) || g.params.length !== mine.length) {
        throw new Error(`${op}: parameter group ${gi} has ${Array.isArray(g?.params) ? g.params.length : 'no'} parameters in the state dict but ${mine.length} in the optimizer`);
      }
      g.params.forEach((id, j) => byId.set(id, { p: mine[j], gi }));
    });
    const groups = sd.paramGroups.map((g, gi) => {
      const group = copyOptions(g);
      for (const k of Object.keys(this.defaults)) {
        if (group[k] === undefined) throw new Error(`${op}: parameter group ${gi} has no '${k}'`);
      }
      this.checkOptions(group, ` in parameter group ${gi} of the state dict`, false);
      group.params = this.paramGroups[gi].params;
      return group as ParamGroup<O>;
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const found = byId.get(Number(key));
      if (!found) throw new Error(`${op}: the state dict has state for parameter ${key}, which no parameter group lists`);
      const { p, gi } = found;
      const fresh = this.initState(p, groups[gi]);
      const s: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(entry ?? {})) s[k] = this.loadValue(v, p, `${op}: state '${k}' of parameter ${key}`);
      for (const [k, v] of Object.entries(fresh)) {
        if (!(k in s)) throw new Error(`${op}: state of parameter ${key} has no '${k}'; expected the keys ${Object.keys(fresh).join(', ')}`);
        if (typeof v === 'number' && typeof s[k] !== 'number') throw new Error(`${op}: state '${k}' of parameter ${key} is ${fmtValue(entry[k])}; expected a number`);
        if (typeof v !== 'number' && typeof s[k] === 'number') throw new Error(`${op}: state '${k}' of parameter ${key} is a number; expected a buffer { shape, data } or null`);
      }
      state.set(p, s as S);
    }
    groups.forEach((g, gi) => (this.paramGroups[gi] = g));
    this.state = state;
  }

  private loadValue(v: unknown, p: Tensor, what: string): StateValue {
    if (v === null || typeof v === 'number') return v;
    const b = v as SavedBuffer;
    if (typeof v !== 'object' || !Array.isArray(b.data)) throw new Error(`${what} is ${fmtValue(v)}; expected a number, null or { shape, data }`);
    if (b.data.length !== p.numel() || (Array.isArray(b.shape) && !shapesEqual(b.shape, p.shape))) {
      throw new Error(`${what} has shape ${Array.isArray(b.shape) ? fmtShape(b.shape) : '?'} (${b.data.length} values) but the parameter has shape ${fmtShape(p.shape)}`);
    }
    return p.dtype === 'float64' ? Float64Array.from(b.data) : Float32Array.from(b.data);
  }

  private checkParam(p: unknown, what: string): void {
    if (!(p instanceof Tensor)) throw new Error(`${this.name}: ${what} is ${fmtValue(p)}; expected a Tensor`);
    if (!isFloat(p.dtype)) throw new Error(`${this.name}: ${what} has dtype ${p.dtype}; only float32/float64 tensors can be optimised`);
    if (!p.requiresGrad) throw new Error(`${this.name}: ${what} (shape ${fmtShape(p.shape)}) does not require grad; create it with requiresGrad: true or call requiresGrad_()`);
    if (p.gradFn !== null) {
      throw new Error(`${this.name}: ${what} is not a leaf (it was computed by '${p.gradFn.op}'); optimise the leaf it came from, or detach() it and set requiresGrad`);
    }
  }

  /** Validates options against the rules; with `strict`, unknown keys are errors too (typos, PyTorch spellings). */
  private checkOptions(o: Record<string, unknown> | O, where: string, strict: boolean): void {
    const opts = o as Record<string, unknown>;
    for (const [k, v] of Object.entries(opts)) {
      const rule = this.rules.keys[k];
      if (rule === undefined) {
        if (strict && v !== undefined) {
          throw new Error(`${this.name}: unknown option '${k}'; expected one of ${Object.keys(this.rules.keys).join(', ')}`);
        }
        continue;
      }
      if (v === undefined) continue;
      const expected = rule(v);
      if (expected !== null) throw new Error(`${this.name}: ${k} = ${fmtValue(v)}${where}; expected ${expected}`);
    }
    const msg = this.rules.across?.(opts) ?? null;
    if (msg !== null) throw new Error(`${this.name}: ${msg}${where}`);
  }
}
