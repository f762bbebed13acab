/** Stratified sampling of row indices: each class keeps its share in the train and the test part. */
import type { Generator } from '../tensor/random.js';

/** Shuffles `a` in place (Fisher–Yates) with draws from `gen`. */
export function shuffleInPlace(a: Int32Array, gen: Generator): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = gen.nextInt(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * Splits `total` over classes of sizes `sizes` in proportion (largest-remainder method; ties go to the larger
 * class, then the lower class index), so that the parts sum to `total` and none exceeds its class.
 */
export function apportion(total: number, sizes: readonly number[]): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0) return sizes.map(() => 0);
  const quotas = sizes.map((s) => (total * s) / n);
  const counts = quotas.map(Math.floor);
  const order = sizes
    .map((_, k) => k)
    .sort((a, b) => quotas[b] - counts[b] - (quotas[a] - counts[a]) || sizes[b] - sizes[a] || a - b);
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; k++, left--) counts[order[k]] += 1;
  return counts;
}

/**
 * Draws `nTrain` and `nTest` disjoint row indices out of rows labelled `classes[i]` ∈ [0, numClasses), keeping
 * each class's proportion in both parts. First `nTrain + nTest` rows are apportioned over the classes, then that
 * class sample is apportioned between test and train, so the parts never overlap and always have the exact sizes.
 * Both index lists come back shuffled.
 */
export function stratifiedIndices(
  classes: Int32Array,
  numClasses: number,
  nTrain: number,
  nTest: number,
  gen: Generator,
): { train: Int32Array; test: Int32Array } {
  const rowsOf: number[][] = Array.from({ length: numClasses }, () => []);
  classes.forEach((c, i) => rowsOf[c].push(i));
  const sizes = rowsOf.map((r) => r.length);
  const taken = apportion(nTrain + nTest, sizes);
  const testCounts = apportion(nTest, taken);
  const train = new Int32Array(nTrain);
  const test = new Int32Array(nTest);
  let p = 0;
  let q = 0;
  rowsOf.forEach((rows, c) => {
    const perm = shuffleInPlace(Int32Array.from(rows), gen);
    for (let j = 0; j < taken[c]; j++) {
      if (j < testCounts[c]) test[q++] = perm[j];
      else train[p++] = perm[j];
    }
  });
  return { train: shuffleInPlace(train, gen), test: shuffleInPlace(test, gen) };
}
