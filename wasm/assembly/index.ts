// Backprop's WebAssembly kernels (SIMD128; relaxed-SIMD FMA in the second build). Every function works on
// byte offsets into this module's exported memory, which src/backend/wasm/index.ts manages as a scratch arena.
export { sgemm, sgemmPart, gemmScratchBytes } from './gemm';

/** The first free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
export { unaryF32, binaryF32, sumF32 } from './elementwise';
export { sgdF32, adamF32, logSoftmaxF32, logSoftmaxBackwardF32, softmaxCrossEntropyF32, softmaxCrossEntropyBackwardF32 } from './fused';
