/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }`, then the raw
 * little-endian row-major bytes of every tensor, back to back. Pure functions on bytes; files in io/files.ts.
 */
import { allocArray, type DType } from '../tensor/dtype.js';
import { fmtShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

const WRITE_TYPES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Serialises named tensors (in the given order) with optional string metadata. */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`serializeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new Error("serializeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!(t instanceof Tensor)) throw new Error(`serializeSafetensors: '${name}' is not a Tensor`);
    const bytes = t.numel() * t._data.BYTES_PER_ELEMENT;
    header[name] = { dtype: WRITE_TYPES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  // Pad the header with spaces so the data starts 8-byte aligned (the format allows trailing whitespace).
  const headerLen = enc.encode(json).length;
  json += ' '.repeat((8 - ((8 + headerLen) % 8)) % 8);
  const headerBytes = enc.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (const [, t] of entries) {
    const src = new Uint8Array(t._data.buffer, t._data.byteOffset, t.numel() * t._data.BYTES_PER_ELEMENT);
    out.set(src, p);
    if (!littleEndian) swapInPlace(out.subarray(p, p + src.length), t._data.BYTES_PER_ELEMENT);
    p += src.length;
  }
  return out;
}

export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Parses safetensors bytes, validating the header against the spec (offsets in order, no gaps or overlaps,
 * sizes matching shapes). F16/BF16 load as float32, I64/I16/I8/U8 as int32 (I64 values must fit).
 */
export function parseSafetensors(bytes: Uint8Array): Safetensors {
  const fail = (msg: string): never => {
    throw new Error(`parseSafetensors: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file contents as a Uint8Array');
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} is over the 100 MB limit`);
  const n = Number(n64);
  if (n > bytes.length - 8) fail(`header length ${n} exceeds the file size ${bytes.length}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  const dup = duplicateTopLevelKey(text);
  if (dup !== null) fail(`header names '${dup}' twice`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('header must be a JSON object');
  const header = parsed as Record<string, any>;
  const data = bytes.subarray(8 + n);
  const meta = header.__metadata__ ?? {};
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta) || Object.values(meta).some((v) => typeof v !== 'string')) {
    fail('__metadata__ must be an object of strings');
  }
  const metadata = Object.assign(Object.create(null), meta) as Record<string, string>;
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
  for (const [name, info] of entries) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') fail(`tensor name '${name}' is not allowed`);
    if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`tensor '${name}' must be described by an object`);
    const { dtype, shape, data_offsets: off } = info;
    if (!(dtype in BYTES)) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d: unknown) => !Number.isSafeInteger(d) || (d as number) < 0)) {
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)} (sizes must be non-negative integers)`);
    }
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o: unknown) => Number.isSafeInteger(o) && (o as number) >= 0) || off[1] < off[0]) {
      fail(`tensor '${name}' needs data_offsets [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`);
    }
    if (off[1] > data.length) fail(`tensor '${name}' ends at byte ${off[1]}, beyond the data (${data.length} bytes)`);
    // Checked against the bytes that exist before anything is allocated, so huge shapes cannot exhaust memory.
    let count = 1;
    for (const d of shape as number[]) count = Math.min(count * d, Number.MAX_SAFE_INTEGER);
    if (count * BYTES[dtype] !== off[1] - off[0]) {
      fail(`tensor '${name}' of shape ${fmtShape(shape)} and dtype ${dtype} needs ${count * BYTES[dtype]} bytes, its offsets span ${off[1] - off[0]}`);
    }
  }
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  const tensors: Record<string, Tensor> = Object.create(null);
  let expectedStart = 0;
  for (const [name, info] of entries) {
    const { dtype, shape, data_offsets: [begin, end] } = info;
    if (begin !== expectedStart) {
      fail(`tensor '${name}' starts at byte ${begin}, expected ${expectedStart} (tensors must be contiguous without gaps or overlaps)`);
    }
    tensors[name] = new Tensor(decode(name, dtype, data.subarray(begin, end), sizeOf(shape)), shape);
    expectedStart = end;
  }
  if (expectedStart !== data.length) fail(`the data has ${data.length} bytes but the tensors cover ${expectedStart} (trailing bytes)`);
  // Back to plain objects in the header's order, now that every name is known to be safe.
  const ordered: Record<string, Tensor> = {};
  for (const [name] of Object.entries(header)) if (name !== '__metadata__') ordered[name] = tensors[name];
  return { tensors: ordered, metadata: { ...metadata } };
}

const MAX_HEADER = 100 * 1024 * 1024;

/** The first key that appears twice at the top level of a JSON object text, or null (JSON.parse keeps the last silently). */
function duplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1));
        } catch {
          return null; // malformed: JSON.parse reports it
        }
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

function decode(name: string, dtype: string, raw: Uint8Array, n: number) {
  const copy = raw.slice(); // aligned copy that the tensor owns
  const v = new DataView(copy.buffer);
  const read = (target: DType, get: (i: number) => number) => {
    const out = allocArray(target, n);
    for (let i = 0; i < n; i++) out[i] = get(i);
    return out;
  };
  switch (dtype) {
    case 'F32': return read('float32', (i) => v.getFloat32(i * 4, true));
    case 'F64': return read('float64', (i) => v.getFloat64(i * 8, true));
    case 'F16': return read('float32', (i) => halfToFloat(v.getUint16(i * 2, true)));
    case 'BF16': return read('float32', (i) => new Float32Array(new Uint32Array([v.getUint16(i * 2, true) << 16]).buffer)[0]);
    case 'I32': return read('int32', (i) => v.getInt32(i * 4, true));
    case 'I16': return read('int32', (i) => v.getInt16(i * 2, true));
    case 'I8': return read('int32', (i) => v.getInt8(i));
    case 'U8': return read('int32', (i) => v.getUint8(i));
    case 'BOOL': return read('bool', (i) => (v.getUint8(i) ? 1 : 0));
    case 'I64': return read('int32', (i) => {
      const x = v.getBigInt64(i * 8, true);
      if (x > 2147483647n || x < -2147483648n) throw new Error(`parseSafetensors: tensor '${name}' holds the int64 value ${x}, outside int32 range`);
      return Number(x);
    });
  }
  throw new Error(`parseSafetensors: tensor '${name}' has unsupported dtype ${dtype}`);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function swapInPlace(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}
