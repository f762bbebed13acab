import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as bp from '../../src/index.js';
import { loadSafetensors, saveSafetensors } from '../../src/io/files.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';

test('round trip of every dtype, with metadata, and an 8-byte aligned data section', () => {
  const tensors = {
    'a.weight': bp.tensor([[1.5, -2], [3, 4e-20]]),
    b: bp.tensor([1, 2, 3], { dtype: 'float64' }),
    idx: bp.tensor([-7, 0, 2 ** 31 - 1], { dtype: 'int32' }),
    mask: bp.tensor([true, false, true]),
    empty: bp.zeros([0, 3]),
    s: bp.tensor(2.5),
  };
  const bytes = serializeSafetensors(tensors, { epoch: '3' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header['a.weight'], { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
  assert.deepEqual(header.b, { dtype: 'F64', shape: [3], data_offsets: [16, 40] });
  assert.deepEqual(header.__metadata__, { epoch: '3' });
  const back = parseSafetensors(bytes);
  assert.deepEqual(back.metadata, { epoch: '3' });
  for (const [k, t] of Object.entries(tensors)) {
    assert.equal(back.tensors[k].dtype, t.dtype, k);
    assert.deepEqual(back.tensors[k].shape, t.shape, k);
    assert.deepEqual([...back.tensors[k].data()], [...t.data()], k);
  }
});

test('reads a file written by hand to the spec (F16, BF16, I64, U8)', () => {
  const header = JSON.stringify({
    h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
    bf: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
    l: { dtype: 'I64', shape: [1], data_offsets: [6, 14] },
    u: { dtype: 'U8', shape: [2], data_offsets: [14, 16] },
  });
  const hb = new TextEncoder().encode(header);
  const buf = new Uint8Array(8 + hb.length + 16);
  const v = new DataView(buf.buffer);
  v.setBigUint64(0, BigInt(hb.length), true);
  buf.set(hb, 8);
  const d = 8 + hb.length;
  v.setUint16(d, 0x3c00, true); // 1.0 in half precision
  v.setUint16(d + 2, 0xc000, true); // −2.0
  v.setUint16(d + 4, 0x4049, true); // bf16 of ≈3.140625
  v.setBigInt64(d + 6, -5n, true);
  buf[d + 14] = 200;
  buf[d + 15] = 7;
  const { tensors } = parseSafetensors(buf);
  assert.deepEqual(tensors.h.toArray(), [1, -2]);
  assert.equal((tensors.bf.toArray() as number[])[0], 3.140625);
  assert.deepEqual(tensors.l.toArray(), [-5]);
  assert.deepEqual(tensors.u.toArray(), [200, 7]);
});

test('malformed files are rejected with the reason', () => {
  const good = serializeSafetensors({ a: bp.ones([2]), b: bp.ones([1]) });
  assert.throws(() => parseSafetensors(good.subarray(0, 4)), /parseSafetensors: file is 4 bytes, too short/);
  assert.throws(() => parseSafetensors(good.subarray(0, good.length - 1)), /parseSafetensors: tensor 'b' ends at byte 12, beyond the data \(11 bytes\)/);
  const gap = (h: object): Uint8Array => {
    const hb = new TextEncoder().encode(JSON.stringify(h));
    const b = new Uint8Array(8 + hb.length + 8);
    new DataView(b.buffer).setBigUint64(0, BigInt(hb.length), true);
    b.set(hb, 8);
    return b;
  };
  assert.throws(() => parseSafetensors(gap({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } })), /tensor 'a' starts at byte 4, expected 0/);
  assert.throws(() => parseSafetensors(gap({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })), /tensor 'a' of shape \[3\] and dtype F32 needs 12 bytes, its offsets span 8/);
  assert.throws(() => parseSafetensors(gap({ a: { dtype: 'X9', shape: [2], data_offsets: [0, 8] } })), /unsupported dtype "X9"/);
  assert.throws(() => parseSafetensors(gap({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } })), /the data has 8 bytes but the tensors cover 4/);
});

test('files are written atomically and read back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-st-'));
  const path = join(dir, 'sub', 'model.safetensors');
  await saveSafetensors(path, { w: bp.arange(6).reshape([2, 3]) });
  assert.deepEqual(readdirSync(join(dir, 'sub')), ['model.safetensors']);
  const { tensors } = await loadSafetensors(path);
  assert.deepEqual(tensors.w.toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.ok(readFileSync(path).length > 8);
});

test('hostile files: limits, duplicate and prototype names, bad dims, overlaps, trailing bytes', () => {
  const file = (header: string, dataBytes = 0, claimedLength?: bigint): Uint8Array => {
    const hb = new TextEncoder().encode(header);
    const b = new Uint8Array(8 + hb.length + dataBytes);
    new DataView(b.buffer).setBigUint64(0, claimedLength ?? BigInt(hb.length), true);
    b.set(hb, 8);
    return b;
  };
  const t = (dtype: string, shape: unknown, off: unknown) => JSON.stringify({ dtype, shape, data_offsets: off });
  assert.throws(() => parseSafetensors(file('{}', 0, 2n ** 40n)), /header length 1099511627776 is over the 100 MB limit/);
  assert.throws(() => parseSafetensors(file('{}', 0, 1000n)), /header length 1000 exceeds the file size 10/);
  assert.throws(() => parseSafetensors(file('[1,2]')), /header must be a JSON object starting with '\{'/);
  assert.throws(() => parseSafetensors(file('{"a": nope}')), /header is not valid JSON/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1], [0, 4])},"a":${t('F32', [1], [4, 8])}}`, 8)), /header names 'a' twice/);
  assert.throws(() => parseSafetensors(file(`{"__proto__":${t('F32', [1], [0, 4])}}`, 4)), /tensor name '__proto__' is not allowed/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [-1], [0, 4])}}`, 4)), /invalid shape \[-1\]/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1.5], [0, 4])}}`, 4)), /invalid shape \[1.5\]/);
  // A huge shape is refused from the offsets before any allocation.
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1e9, 1e9], [0, 4])}}`, 4)), /needs \d+ bytes, its offsets span 4/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1], [0, 4])},"b":${t('F32', [1], [2, 6])}}`, 8)), /tensor 'b' starts at byte 2, expected 4/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1], [8, 4])}}`, 8)), /needs data_offsets \[begin, end\] with 0 ≤ begin ≤ end/);
  assert.throws(() => parseSafetensors(file(`{"a":${t('F32', [1], [0, 4])}}`, 12)), /the data has 12 bytes but the tensors cover 4 \(trailing bytes\)/);
  assert.throws(() => parseSafetensors(file(`{"__metadata__":{"x":1}}`)), /__metadata__ must be an object of strings/);
  assert.deepEqual(Object.keys(parseSafetensors(file(`{"b":${t('F32', [1], [4, 8])},"a":${t('F32', [1], [0, 4])}}`, 8)).tensors), ['b', 'a']);
});
