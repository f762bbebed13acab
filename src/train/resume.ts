/**
 * Checkpoints from which a killed training run continues and ends with the same weights, bit for bit, as a run
 * that was never stopped. A checkpoint is a folder:
 *
 *     checkpoint.json               the commit record: position (epoch, step), optimizer and callback state, the
 *                                   generators' states, the History so far, and the byte length and SHA-256 of…
 *     checkpoint-000007.safetensors  …the tensors: model weights and buffers, optimizer buffers, callback tensors
 *
 * Writing: the tensor file under a new name, then checkpoint.json, each atomically (temporary file, fsync,
 * rename), then the folder is fsync'd and older tensor files are removed. The rename of checkpoint.json is the
 * commit: a kill at any moment leaves the previous checkpoint or the new one, both whole. Reading checks the
 * length and hash, so a truncated or altered file is an error, never a silent fresh start.
 *
 * Bit-identical resumption needs the same batches in the same order and the same random draws: the generators'
 * states are saved as they were when the epoch's batches began (the shuffle and any augmentation are redrawn
 * from there, and the batches already trained are skipped) and as they were at the checkpoint (dropout and the
 * rest continue from there). Node only (node:fs, node:crypto, imported lazily).
 */
import { DataLoader } from '../data/dataloader.js';
import { writeFileAtomic } from '../io/files.js';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { type Generator, type GeneratorState, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type Callback, EarlyStopping, LRScheduler, ReduceLROnPlateau } from './callbacks.js';
import { ModelCheckpoint } from './checkpoint.js';
import type { Logs, OptimizerLike, TrainableModel } from './types.js';

/** fit()'s `checkpoint` option. */
export interface CheckpointOptions {
  /** The checkpoint folder (created if needed). */
  dir: string;
  /** Write a checkpoint every this many optimizer steps, counted over the whole run. */
  everySteps?: number;
  /** Write a checkpoint after every this many epochs (default 1 when everySteps is not given). */
  everyEpochs?: number;
  /** Generators besides the global one whose state must be saved, e.g. a DataLoader's own `generator`. */
  generators?: Generator[];
  /** A JSON description of the run (data, settings…), saved and compared on resume: a different run is refused. */
  meta?: unknown;
  /** Start over in a folder that already holds a checkpoint (default false: that is an error). */
  overwrite?: boolean;
}

/** Where a checkpoint stands, as `checkpointInfo()` reads it. */
export interface CheckpointInfo {
  dir: string;
  /** The epoch in progress (0-based), or the next to start when stepInEpoch is 0. */
  epoch: number;
  /** Batches of `epoch` already trained. */
  stepInEpoch: number;
  /** Optimizer steps of the whole run. */
  globalStep: number;
  /** Training had ended (last epoch, or a callback stopped it) when this was written. */
  completed: boolean;
  /** The `meta` of CheckpointOptions. */
  meta: unknown;
  /** ISO time of writing. */
  savedAt: string;
}

/** The position and running figures of a run, kept by fit() and saved with every checkpoint. @internal */
export interface RunPosition {
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  /** Batch-size-weighted sums of the epoch's figures so far, and the rows counted. */
  epochSums: Logs;
  epochCount: number;
  /** States of the generators when the epoch's batches began (null at an epoch boundary). */
  epochRng: GeneratorState[] | null;
  /** The last epoch's logs, for onTrainEnd. */
  lastLogs: Logs;
  stopTraining: boolean;
  stopReason?: string;
  completed: boolean;
  /** Batch size and batches per epoch, checked when resuming mid-epoch. */
  batchSize: number;
  steps: number | null;
}

/** What a checkpoint keeps of the History (fit's History class lives in fit.ts; this is its data). */
export interface HistoryData {
  epochs: number[];
  history: Record<string, number[]>;
  flops: number;
  wallTimeMs: number;
  stopReason?: string;
}

/** Everything saved at a checkpoint. @internal */
export interface RunState {
  model: TrainableModel;
  optimizer: OptimizerLike;
  callbacks: readonly Callback[];
  generators: readonly Generator[];
  history: HistoryData;
  position: RunPosition;
  meta: unknown;
}

const FORMAT = 'backprop-checkpoint';
const VERSION = 1;
const RECORD = 'checkpoint.json';
const TENSOR_FILE = /^checkpoint-(\d+)\.safetensors$/;
const TEMP_FILE = /^\.checkpoint.*\.tmp$/;

interface OptimizerWithState extends OptimizerLike {
  stateDict(): { state: Record<string, Record<string, unknown>>; paramGroups: (Record<string, unknown> & { params: number[] })[] };
  loadStateDict(sd: unknown): void;
}

function statefulOptimizer(who: string, optimizer: OptimizerLike): OptimizerWithState {
  const o = optimizer as Partial<OptimizerWithState>;
  if (typeof o.stateDict !== 'function' || typeof o.loadStateDict !== 'function') {
    throw new Error(`${who}: checkpoints need an optimizer with stateDict() and loadStateDict() (every optim optimizer has them)`);
  }
  return optimizer as OptimizerWithState;
}

// ---- JSON with tensors and every number ------------------------------------------------------------------------

/**
 * A JSON-ready copy of `value`: tensors go into `tensors` under their path and are replaced by `{ $tensor: name }`;
 * NaN, ±Infinity and −0 (which JSON cannot hold) become `{ $number: 'NaN' }`… so every figure comes back exactly.
 */
function encode(value: unknown, path: string, tensors: Record<string, Tensor>): unknown {
  if (value instanceof Tensor) {
    tensors[path] = value;
    return { $tensor: path };
  }
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? value : { $number: Object.is(value, -0) ? '-0' : String(value) };
  if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}.${i}`, tensors));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = encode(v, `${path}.${k}`, tensors);
    return out;
  }
  return value;
}

/** The inverse of encode(). */
function decode(value: unknown, tensors: Record<string, Tensor>, file: string): unknown {
  if (Array.isArray(value)) return value.map((v) => decode(v, tensors, file));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$tensor === 'string') {
    const t = tensors[o.$tensor];
    if (!t) throw new Error(`loadCheckpoint: ${file} has no tensor '${o.$tensor}' that the checkpoint record refers to`);
    return t;
  }
  if (keys.length === 1 && typeof o.$number === 'string') return o.$number === '-0' ? -0 : Number(o.$number);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decode(o[k], tensors, file);
  return out;
}

// ---- callbacks ---------------------------------------------------------------------------------------------------

/** A callback that saves its own state: `stateDict()` (JSON, tensors allowed) and `loadStateDict(state)`. */
export interface StatefulCallback {
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

interface Scheduler {
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

const hasState = (x: unknown): x is StatefulCallback =>
  x !== null && typeof x === 'object' && typeof (x as StatefulCallback).stateDict === 'function' && typeof (x as StatefulCallback).loadStateDict === 'function';

/** EarlyStopping's progress; its fields are private to callbacks.ts, so they are reached by name here. */
type EarlyStoppingFields = { best: number; bestEpoch: number; stoppedEpoch: number; wait: number; bestWeights: Record<string, Tensor> | null };

/**
 * The state of a callback that has one, or undefined: its own stateDict(); EarlyStopping's best figure, patience
 * count and best weights; a scheduler callback's scheduler; ModelCheckpoint's best figure. Others (progress,
 * logging, TerminateOnNaN) have nothing that changes training.
 */
function callbackState(cb: Callback): unknown {
  if (hasState(cb)) return cb.stateDict();
  if (cb instanceof EarlyStopping) {
    const f = cb as unknown as EarlyStoppingFields;
    return { best: f.best, bestEpoch: f.bestEpoch, stoppedEpoch: f.stoppedEpoch, wait: f.wait, bestWeights: f.bestWeights };
  }
  if (cb instanceof LRScheduler || cb instanceof ReduceLROnPlateau) {
    const s = cb.scheduler as unknown;
    return hasState(s) ? { scheduler: (s as Scheduler).stateDict() } : undefined;
  }
  if (cb instanceof ModelCheckpoint) return { best: cb.best, saved: [...cb.saved] };
  return undefined;
}

function loadCallbackState(cb: Callback, state: unknown): void {
  if (hasState(cb)) return cb.loadStateDict(state);
  const s = state as Record<string, unknown>;
  if (cb instanceof EarlyStopping) {
    Object.assign(cb as unknown as EarlyStoppingFields, {
      best: s.best, bestEpoch: s.bestEpoch, stoppedEpoch: s.stoppedEpoch, wait: s.wait, bestWeights: s.bestWeights ?? null,
    });
  } else if (cb instanceof LRScheduler || cb instanceof ReduceLROnPlateau) {
    (cb.scheduler as unknown as Scheduler).loadStateDict(s.scheduler);
  } else if (cb instanceof ModelCheckpoint) {
    cb.best = s.best as number;
    cb.saved.splice(0, cb.saved.length, ...(s.saved as string[]));
  }
}

/** The callbacks that have state, with their class names, in order. */
function statefulCallbacks(callbacks: readonly Callback[]): { cb: Callback; type: string; state: unknown }[] {
  const out: { cb: Callback; type: string; state: unknown }[] = [];
  for (const cb of callbacks) {
    const state = callbackState(cb);
    if (state !== undefined) out.push({ cb, type: cb.constructor.name, state });
  }
  return out;
}

// ---- writing -----------------------------------------------------------------------------------------------------

async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** fsync of the folder, so the renames inside it survive a power cut too (a kill -9 does not need it). */
async function syncDir(dir: string): Promise<void> {
  const fs = await import('node:fs/promises');
  try {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms cannot open or sync a folder; the renames are still atomic.
  }
}

/** Reads checkpoint.json's write counter, or 0 when there is no valid record. */
async function lastWriteIndex(dir: string): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const rec = JSON.parse(await readFile(join(dir, RECORD), 'utf8')) as { writeIndex?: unknown };
    return Number.isSafeInteger(rec.writeIndex) ? (rec.writeIndex as number) : 0;
  } catch {
    return 0;
  }
}

/** Removes tensor files other than `keep` and temporary files left by killed writes. */
async function removeStale(dir: string, keep: string | null): Promise<void> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  for (const name of await fs.readdir(dir)) {
    if ((TENSOR_FILE.test(name) && name !== keep) || TEMP_FILE.test(name)) await fs.rm(join(dir, name), { force: true });
  }
}

/**
 * Writes a checkpoint of the run into `dir` (see the file's comment for the layout and the order of writes).
 * @internal fit() calls it; its argument is fit's own state.
 */
export async function saveCheckpoint(dir: string, run: RunState): Promise<CheckpointInfo> {
  const { join } = await import('node:path');
  const fs = await import('node:fs/promises');
  await fs.mkdir(dir, { recursive: true });
  const optimizer = statefulOptimizer('saveCheckpoint', run.optimizer);
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(run.model.stateDict())) tensors[`model.${k}`] = t;

  // Optimizer buffers go to the tensor file in the dtype of their parameter; numbers and options stay in JSON.
  const params = optimizer.paramGroups.flatMap((g) => (g as { params?: Tensor[] }).params ?? []);
  const sd = optimizer.stateDict();
  const state: Record<string, Record<string, unknown>> = {};
  for (const [id, entry] of Object.entries(sd.state)) {
    state[id] = {};
    for (const [k, v] of Object.entries(entry)) {
      if (v !== null && typeof v === 'object' && Array.isArray((v as { data?: unknown }).data)) {
        const b = v as { shape: number[]; data: number[] };
        const p = params[Number(id)];
        const data = p?.dtype === 'float64' ? Float64Array.from(b.data) : Float32Array.from(b.data);
        const name = `optimizer.${id}.${k}`;
        tensors[name] = new Tensor(data, b.shape);
        state[id][k] = { $tensor: name };
      } else {
        state[id][k] = encode(v, '', {});
      }
    }
  }
  const callbacks = statefulCallbacks(run.callbacks).map(({ type, state: s }, i) => ({ type, state: encode(s, `callbacks.${i}`, tensors) }));

  const writeIndex = (await lastWriteIndex(dir)) + 1;
  const file = `checkpoint-${String(writeIndex).padStart(6, '0')}.safetensors`;
  const bytes = serializeSafetensors(tensors, { format: FORMAT });
  await writeFileAtomic(join(dir, file), bytes);
  const p = run.position;
  const record = {
    format: FORMAT,
    version: VERSION,
    writeIndex,
    savedAt: new Date().toISOString(),
    tensors: { file, bytes: bytes.length, sha256: await sha256(bytes) },
    position: encode(p, '', {}),
    rng: run.generators.map((g) => g.getState()),
    optimizer: { paramGroups: encode(sd.paramGroups, '', {}), state },
    callbacks,
    history: encode(run.history, '', {}),
    meta: encode(run.meta ?? null, '', {}),
  };
  await writeFileAtomic(join(dir, RECORD), `${JSON.stringify(record)}\n`);
  await syncDir(dir);
  await removeStale(dir, file);
  return { dir, epoch: p.epoch, stepInEpoch: p.stepInEpoch, globalStep: p.globalStep, completed: p.completed, meta: run.meta ?? null, savedAt: record.savedAt };
}

// ---- reading -----------------------------------------------------------------------------------------------------

/** A checkpoint read back and checked, ready to restore a run. */
export class LoadedCheckpoint {
  /** @internal */
  constructor(
    readonly info: CheckpointInfo,
    readonly position: RunPosition,
    private readonly record: Record<string, any>,
    private readonly tensors: Record<string, Tensor>,
  ) {}

  /** The states of the generators at the checkpoint, in the order they were saved (the global one first). */
  get rng(): GeneratorState[] {
    return this.record.rng as GeneratorState[];
  }

  /** The History data so far. */
  get history(): HistoryData {
    return decode(this.record.history, this.tensors, this.info.dir) as HistoryData;
  }

  /** The model's weights and buffers by stateDict key. */
  modelState(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(this.tensors)) if (k.startsWith('model.')) out[k.slice(6)] = t;
    return out;
  }

  /** Copies the weights into `model` and the state into `optimizer` (which must be built the same way). */
  restoreTraining(who: string, model: TrainableModel, optimizer: OptimizerLike): void {
    const opt = statefulOptimizer(who, optimizer);
    try {
      model.loadStateDict(this.modelState());
    } catch (e) {
      throw new Error(`${who}: the checkpoint in ${this.info.dir} does not fit this model: ${(e as Error).message}`);
    }
    const saved = this.record.optimizer as { paramGroups: unknown; state: Record<string, Record<string, unknown>> };
    const params = optimizer.paramGroups.flatMap((g) => (g as { params?: Tensor[] }).params ?? []);
    const state: Record<string, Record<string, unknown>> = {};
    for (const [id, entry] of Object.entries(saved.state)) {
      state[id] = {};
      for (const [k, v] of Object.entries(entry)) {
        const d = decode(v, this.tensors, this.info.dir);
        state[id][k] = d instanceof Tensor ? { shape: [...d.shape], data: Array.from(d.data() as Float32Array) } : d;
        if (d instanceof Tensor && params[Number(id)] && params[Number(id)].dtype !== d.dtype) {
          throw new Error(`${who}: optimizer state '${k}' of parameter ${id} is ${d.dtype} in the checkpoint but the parameter is ${params[Number(id)].dtype}`);
        }
      }
    }
    try {
      opt.loadStateDict({ paramGroups: decode(saved.paramGroups, this.tensors, this.info.dir), state });
    } catch (e) {
      throw new Error(`${who}: the checkpoint in ${this.info.dir} does not fit this optimizer: ${(e as Error).message}`);
    }
  }

  /** Restores the state of the callbacks that have one; they must be the same kinds in the same order. */
  restoreCallbacks(who: string, callbacks: readonly Callback[]): void {
    const saved = this.record.callbacks as { type: string; state: unknown }[];
    const now = statefulCallbacks(callbacks);
    const names = (l: { type: string }[]): string => `[${l.map((c) => c.type).join(', ')}]`;
    if (saved.length !== now.length || saved.some((s, i) => s.type !== now[i].type)) {
      throw new Error(
        `${who}: the checkpoint in ${this.info.dir} saved the state of the callbacks ${names(saved)} but this run has ${names(now)}; pass the same callbacks`,
      );
    }
    now.forEach(({ cb }, i) => loadCallbackState(cb, decode(saved[i].state, this.tensors, this.info.dir)));
  }

  /** Sets the generators to their saved states (the global one first); they must be as many as were saved. */
  restoreGenerators(who: string, generators: readonly Generator[], states: GeneratorState[] = this.rng): void {
    if (states.length !== generators.length) {
      throw new Error(
        `${who}: the checkpoint in ${this.info.dir} saved ${states.length} generator state(s) but this run has ${generators.length} ` +
          '(the global one plus checkpoint.generators)',
      );
    }
    generators.forEach((g, i) => g.setState(states[i]));
  }
}

async function exists(path: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return fs.stat(path).then(() => true, () => false);
}

/** Reads checkpoint.json, or null when the folder has none; throws when it exists but cannot be used. */
async function readRecord(dir: string): Promise<Record<string, any> | null> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const file = join(dir, RECORD);
  if (!(await exists(file))) return null;
  const text = await fs.readFile(file, 'utf8');
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch (e) {
    throw new Error(`loadCheckpoint: ${file} is not valid JSON (${(e as Error).message}): the file is truncated or corrupt; the checkpoint cannot be used`);
  }
  const r = rec as Record<string, any>;
  if (r === null || typeof r !== 'object' || r.format !== FORMAT) throw new Error(`loadCheckpoint: ${file} is not a Backprop checkpoint record (format '${r?.format}')`);
  if (r.version !== VERSION) throw new Error(`loadCheckpoint: ${file} has version ${r.version}; this Backprop reads version ${VERSION}`);
  const t = r.tensors;
  if (!t || typeof t.file !== 'string' || !TENSOR_FILE.test(t.file) || !Number.isSafeInteger(t.bytes) || typeof t.sha256 !== 'string') {
    throw new Error(`loadCheckpoint: ${file} lacks a valid 'tensors' entry { file, bytes, sha256 }`);
  }
  return r;
}

function infoOf(dir: string, r: Record<string, any>): CheckpointInfo {
  const p = decode(r.position, {}, dir) as RunPosition;
  return { dir, epoch: p.epoch, stepInEpoch: p.stepInEpoch, globalStep: p.globalStep, completed: p.completed, meta: decode(r.meta, {}, dir), savedAt: r.savedAt };
}

/** Where a checkpoint stands, in words: 'finished after 6 epochs', 'after epoch 2 (step 26)', 'in epoch 3 (step 30)'. */
export function describeCheckpoint(info: CheckpointInfo): string {
  if (info.completed) return `training finished after ${info.epoch} epoch${info.epoch === 1 ? '' : 's'}, step ${info.globalStep}`;
  return info.stepInEpoch > 0 ? `in epoch ${info.epoch + 1}, step ${info.globalStep}` : `after epoch ${info.epoch}, step ${info.globalStep}`;
}

/** Where the checkpoint in `dir` stands, or null when the folder (or the checkpoint) does not exist. Does not read the tensors. */
export async function checkpointInfo(dir: string): Promise<CheckpointInfo | null> {
  const r = await readRecord(dir);
  return r ? infoOf(dir, r) : null;
}

/**
 * Reads and checks the checkpoint in `dir`: the record must parse and the tensor file must have the recorded
 * length and SHA-256. Throws with the reason otherwise, and when the folder holds no checkpoint at all.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  if (!(await exists(dir))) throw new Error(`loadCheckpoint: the folder ${dir} does not exist; there is no checkpoint to resume from`);
  const r = await readRecord(dir);
  if (!r) {
    throw new Error(
      `loadCheckpoint: ${dir} holds no checkpoint (no ${RECORD}); the run was stopped before its first checkpoint was written, so start it again without resuming`,
    );
  }
  const file = join(dir, r.tensors.file);
  if (!(await exists(file))) throw new Error(`loadCheckpoint: ${file}, named by ${RECORD}, is missing; the checkpoint cannot be used`);
  const bytes = new Uint8Array(await fs.readFile(file));
  if (bytes.length !== r.tensors.bytes) {
    const what = bytes.length < r.tensors.bytes ? 'truncated' : 'altered';
    throw new Error(`loadCheckpoint: ${file} has ${bytes.length} bytes but the checkpoint recorded ${r.tensors.bytes}: the file is ${what}; the checkpoint cannot be used`);
  }
  if ((await sha256(bytes)) !== r.tensors.sha256) {
    throw new Error(`loadCheckpoint: ${file} does not match the SHA-256 that the checkpoint recorded: the file is corrupt; the checkpoint cannot be used`);
  }
  const { tensors } = parseSafetensors(bytes);
  const info = infoOf(dir, r);
  return new LoadedCheckpoint(info, decode(r.position, {}, dir) as RunPosition, r, tensors);
}

/** Where two JSON values differ, as 'path: saved → now' lines (at most `limit`), for the meta mismatch error. */
export function jsonDifferences(a: unknown, b: unknown, path = '', limit = 5): string[] {
  if (sameJson(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      out.push(...jsonDifferences(a[k], b[k], path ? `${path}.${k}` : k, limit));
      if (out.length >= limit) break;
    }
    return out.slice(0, limit);
  }
  return [`${path || '(meta)'}: ${JSON.stringify(a) ?? 'absent'} in the checkpoint, ${JSON.stringify(b) ?? 'absent'} now`];
}

/** Deep equality of two JSON values (key order ignored), for the run's meta. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The global generator followed by the extra ones of the options. @internal */
export function runGenerators(options: CheckpointOptions | undefined): Generator[] {
  return [defaultGenerator, ...(options?.generators ?? [])];
}

/** Checks CheckpointOptions; throws on a bad value. @internal */
export function checkCheckpointOptions(o: CheckpointOptions): void {
  if (o === null || typeof o !== 'object' || typeof o.dir !== 'string' || o.dir === '') {
    throw new Error(`fit: checkpoint must be { dir, everySteps?, everyEpochs? } with a folder path, got ${JSON.stringify(o)}`);
  }
  for (const k of ['everySteps', 'everyEpochs'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`fit: checkpoint.${k} must be a positive integer, got ${v}`);
  }
}

/**
 * Throws when the training data is a DataLoader that shuffles with its own generator and that generator is not
 * among the saved ones: a resumed run would draw another order, and its weights would differ without a word.
 * @internal
 */
export function checkDataGenerators(data: unknown, generators: readonly Generator[]): void {
  if (!(data instanceof DataLoader) || !data.shuffle) return;
  const own = (data as unknown as { generator: Generator | null }).generator;
  if (own && !generators.includes(own)) {
    throw new Error('fit: the DataLoader shuffles with its own generator; pass it in checkpoint.generators so that a resumed run draws the same batches');
  }
}
