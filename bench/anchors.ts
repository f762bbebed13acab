/**
 * Reader for the benchmark inputs that the peers' prepare_data.js writes (the TypeScript twin of the peers'
 * anchors_data.js): MNIST 8000/1756, the per-epoch batch order, the W3 circle data and the initial weights of
 * every model in PyTorch's layout. Little-endian raw arrays, shapes and offsets in meta.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One parameter's place in init_<model>.f32. */
export interface ParamMeta {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** The fields of meta.json that the benchmarks read. */
export interface AnchorMeta {
  n_train: number;
  n_test: number;
  files: Record<string, { shape?: number[] }>;
  params: Record<string, ParamMeta[]>;
}

/** MNIST as flat arrays: images row-major [n, 784] in [0, 1], labels 0..9. */
export interface Mnist {
  nTrain: number;
  nTest: number;
  xTrain: Float32Array;
  yTrain: Uint8Array;
  xTest: Float32Array;
  yTest: Uint8Array;
}

type Ctor<T> = new (buffer: ArrayBuffer) => T;

/** The data folder of one prepare_data.js run. */
export class AnchorData {
  readonly meta: AnchorMeta;
  #perms: Uint16Array | null = null;

  constructor(readonly dir: string) {
    this.meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as AnchorMeta;
  }

  /** A file's bytes copied into a fresh ArrayBuffer (so typed arrays over it are aligned). */
  read<T>(name: string, ctor: Ctor<T>): T {
    const b = readFileSync(join(this.dir, name));
    return new ctor(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }

  /** The train and test splits. */
  mnist(): Mnist {
    return {
      nTrain: this.meta.n_train,
      nTest: this.meta.n_test,
      xTrain: this.read('train_images.f32', Float32Array),
      yTrain: this.read('train_labels.u8', Uint8Array),
      xTest: this.read('test_images.f32', Float32Array),
      yTest: this.read('test_labels.u8', Uint8Array),
    };
  }

  /** The order of the training rows in epoch e (a permutation of 0..nTrain−1). */
  perm(epoch: number): Uint16Array {
    this.#perms ??= this.read('perm_epochs.u16', Uint16Array);
    const n = this.meta.n_train;
    const count = this.#perms.length / n;
    if (!(epoch >= 0 && epoch < count)) throw new Error(`AnchorData.perm: epoch ${epoch} is out of range; the data has ${count} permutations`);
    return this.#perms.subarray(epoch * n, (epoch + 1) * n);
  }

  /** W3's points x ~ N(0, I) [n, 2] and labels y = ‖x‖² > 1 [n]. */
  circle(): { x: Float32Array; y: Float32Array; n: number } {
    const x = this.read('circle_x.f32', Float32Array);
    return { x, y: this.read('circle_y.f32', Float32Array), n: x.length / 2 };
  }

  /** Initial weights of a model by PyTorch key (`fc1.weight` [out, in], `fc1.bias` [out]). */
  initParams(model: string): Record<string, { shape: number[]; data: Float32Array }> {
    const params = this.meta.params[model];
    if (!params) throw new Error(`AnchorData.initParams: no model '${model}' in meta.json; expected one of ${Object.keys(this.meta.params).join(', ')}`);
    const flat = this.read(`init_${model}.f32`, Float32Array);
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const p of params) out[p.name] = { shape: p.shape, data: flat.slice(p.offset, p.offset + p.length) };
    return out;
  }
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** `--key value` and bare `--flag` (→ 'true') arguments, as the peers parse them. */
export function parseArgs(argv: readonly string[], defaults: Record<string, string> = {}): Record<string, string> {
  const o: Record<string, string> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`parseArgs: unexpected argument '${a}'; expected --key value or --flag`);
    const eq = a.indexOf('=');
    if (eq > 0) o[a.slice(2, eq)] = a.slice(eq + 1);
    else o[a.slice(2)] = i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
  }
  return o;
}
