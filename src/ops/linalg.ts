/** Matrix products. One primitive, a batched product with transposed-operand flags; matmul and linear compose it. */
import { broadcastShapes, fmtShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add } from './elementwise.js';
import { expand, reshape, squeeze, sumTo } from './shape.js';
import { K, addFlops, cast, empty, expectTensor, record } from './util.js';
import { promoteTypes, isFloat } from '../tensor/dtype.js';

/**
 * Batched product of 3-D operands: out[b] = op(a[b]) · op(b[b]) where op transposes when the flag is set.
 * a is [B,M,K] ([B,K,M] when transA), b is [B,K,N] ([B,N,K] when transB). The flags let backward avoid copies.
 * Two 2-D operands are one batch: out is [M,N] (linear's path, with no reshapes to record).
 */
function bmm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const flat = a.ndim === 2;
  const o = flat ? 0 : 1;
  const B = flat ? 1 : a.shape[0];
  const r = a.shape[o];
  const c = a.shape[o + 1];
  const r2 = b.shape[o];
  const c2 = b.shape[o + 1];
  const M = transA ? c : r;
  const Ka = transA ? r : c;
  const Kb = transB ? c2 : r2;
  const N = transB ? r2 : c2;
  if (Ka !== Kb) throw new Error(`matmul: inner dimensions differ: ${Ka} vs ${Kb}`);
  const out = empty(flat ? [M, N] : [B, M, N], a.dtype);
  K().matmul(a._data, b._data, out._data, B, M, Ka, N, transA, transB);
  addFlops(2 * B * M * Ka * N);
  return record(out, 'matmul', [a, b], (g) => {
    // C = A·B: dA = G·Bᵀ, dB = Aᵀ·G, with the operands' own storage orders.
    const da = !a._requiresGrad ? null : transA ? bmm(b, g, transB, true) : bmm(g, b, false, !transB);
    const db = !b._requiresGrad ? null : transB ? bmm(g, a, true, transA) : bmm(a, g, !transA, false);
    return [da, db];
  });
}

/**
 * y + bias written into y's own buffer: y is linear's product, which no one else holds and whose values no
 * backward reads (the product's backward reads its inputs; the sum's reads nothing), so this saves an output
 * array per layer. Recorded as the 'add' it is.
 */
function addBiasInPlace(y: Tensor, bias: Tensor): Tensor {
  K().binary('add', y._data, y.shape, bias._data, bias.shape, y._data, y.shape);
  addFlops(y._data.length);
  // A new tensor on the same buffer: y keeps its own place in the graph (the product's output).
  const out = new Tensor(y._data, y.shape);
  return record(out, 'add', [y, bias], (g) => [g, sumTo(g, bias.shape)]);
}

/**
 * torch.matmul: 1-D·1-D is a dot product; a 1-D left operand is a row, a 1-D right operand a column (the added
 * dim is removed again); leading batch dims broadcast. `matmul: inner dimensions differ: [32,784] @ [128,10]`.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  expectTensor('matmul', 'input', a);
  expectTensor('matmul', 'other', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dim, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  }
  const ka = a.shape[a.ndim - 1];
  const kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  let dtype = promoteTypes(a.dtype, b.dtype);
  if (!isFloat(dtype)) dtype = 'float32';
  let x = cast(a, dtype);
  let y = cast(b, dtype);
  const aVec = x.ndim === 1;
  const bVec = y.ndim === 1;
  if (aVec) x = reshape(x, [1, ka]);
  if (bVec) y = reshape(y, [kb, 1]);
  const M = x.shape[x.ndim - 2];
  const N = y.shape[y.ndim - 1];
  let out: Tensor;
  if (y.ndim === 2) {
    // Fold the batch dims of x into its rows: one [B·M, K] @ [K, N] product, no copy of y.
    const batch = x.shape.slice(0, -2);
    const prod = bmm(reshape(x, [1, sizeOf(batch) * M, ka]), reshape(y, [1, kb, N]), false, false);
    out = reshape(prod, [...batch, M, N]);
  } else {
    const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
    const B = sizeOf(batch);
    const xb = reshape(expand(x, [...batch, M, ka]), [B, M, ka]);
    const yb = reshape(expand(y, [...batch, kb, N]), [B, kb, N]);
    out = reshape(bmm(xb, yb, false, false), [...batch, M, N]);
  }
  if (aVec) out = squeeze(out, -2);
  if (bVec) out = squeeze(out, -1);
  return out;
}

/** y = x·Wᵀ + b with W of shape [out, in] (PyTorch's layout); x is [..., in]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  expectTensor('linear', 'input', x);
  expectTensor('linear', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input ${fmtShape(x.shape)} does not end in weight's inFeatures ${inF} (weight ${fmtShape(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias must have shape [${outF}], got ${fmtShape(bias.shape)}`);
  }
  const dtype = promoteTypes(x.dtype, weight.dtype);
  const xf = cast(x, isFloat(dtype) ? dtype : 'float32');
  const w = cast(weight, xf.dtype);
  if (xf.ndim === 2) {
    const prod = bmm(xf, w, false, true);
    if (!bias) return prod;
    return bias.dtype === prod.dtype ? addBiasInPlace(prod, bias) : add(prod, bias);
  }
  const lead = x.shape.slice(0, -1);
  const y = reshape(bmm(reshape(xf, [1, sizeOf(lead), inF]), reshape(w, [1, outF, inF]), false, true), [...lead, outF]);
  if (!bias) return y;
  return bias.dtype === y.dtype ? addBiasInPlace(y, bias) : add(y, bias);
}
