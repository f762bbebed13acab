/**
 * CART decision tree for classification (Breiman et al., 1984), the course's "overfits without limits" baseline.
 * Binary splits x[f] ≤ t with t midway between consecutive distinct values; the split minimising the children's
 * weighted impurity wins. Built iteratively (an explicit stack), so depth is limited only by the data.
 */
import { tensor } from '../tensor/creation.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { expectTensor, readLabels, readMatrix } from './validate.js';

export type Criterion = 'gini' | 'entropy';

export interface DecisionTreeOptions {
  /** Impurity: 'gini' 1 − Σ pₖ² (default) or 'entropy' −Σ pₖ log₂ pₖ. */
  criterion?: Criterion;
  /** Deepest level a node may sit at (root = 0); default Infinity (grow until pure). */
  maxDepth?: number;
  /** A node with fewer samples is not split (default 2). */
  minSamplesSplit?: number;
  /** Each child of a split keeps at least this many samples (default 1). */
  minSamplesLeaf?: number;
  /**
   * Features examined per node: an integer count, 'sqrt' or 'log2' of F; default all F, in order, with no
   * randomness. A subset is drawn per node from the seeded generator; constant features are skipped without
   * counting, as scikit-learn does.
   */
  maxFeatures?: number | 'sqrt' | 'log2';
  /** Seed for the feature draws; default: the global generator (fixed by manualSeed). */
  seed?: number;
}

export interface ExportTextOptions {
  /** Names for the features; default feature_0, feature_1, … */
  featureNames?: readonly string[];
  /** Names for the classes, in the order of `classes`; default the label values. */
  classNames?: readonly string[];
  /** Digits after the decimal point of thresholds and weights (default 2). */
  decimals?: number;
  /** Deeper splits print as "truncated branch of depth d" (default 10, as scikit-learn). */
  maxDepth?: number;
  /** Print each leaf's class counts (default false). */
  showWeights?: boolean;
  /** Width of one indentation level (default 3). */
  spacing?: number;
}

/** One node; a leaf has feature −1. Children are indices into the node array. */
export interface TreeNode {
  feature: number;
  threshold: number;
  left: number;
  right: number;
  /** Training samples of each class that reached the node. */
  counts: Float64Array;
  nSamples: number;
  impurity: number;
  depth: number;
}

/** Impurity of a class histogram with n samples. */
function impurity(criterion: Criterion, counts: Float64Array, n: number): number {
  if (n === 0) return 0;
  let s = 0;
  if (criterion === 'gini') {
    for (let k = 0; k < counts.length; k++) s += (counts[k] / n) ** 2;
    return 1 - s;
  }
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] > 0) {
      const p = counts[k] / n;
      s -= p * Math.log2(p);
    }
  }
  return s;
}

interface Split {
  feature: number;
  threshold: number;
  /** n_L·i_L + n_R·i_R, the quantity minimised. */
  childCost: number;
}

export class DecisionTreeClassifier {
  readonly criterion: Criterion;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: number | 'sqrt' | 'log2' | undefined;
  readonly seed: number | undefined;
  /** The sorted distinct labels seen by fit(); predict() returns these values. */
  classes: number[] | null = null;
  /** Nodes in depth-first order, root first; empty before fit(). */
  nodes: TreeNode[] = [];
  private nFeatures = 0;
  private importances: Float64Array = new Float64Array(0);

  constructor(options: DecisionTreeOptions = {}) {
    this.criterion = options.criterion ?? 'gini';
    this.maxDepth = options.maxDepth ?? Infinity;
    this.minSamplesSplit = options.minSamplesSplit ?? 2;
    this.minSamplesLeaf = options.minSamplesLeaf ?? 1;
    this.maxFeatures = options.maxFeatures;
    this.seed = options.seed;
    const op = 'DecisionTreeClassifier';
    if (this.criterion !== 'gini' && this.criterion !== 'entropy') {
      throw new Error(`${op}: criterion must be 'gini' or 'entropy', got '${String(this.criterion)}'`);
    }
    if (!(this.maxDepth === Infinity || (Number.isInteger(this.maxDepth) && this.maxDepth >= 0))) {
      throw new Error(`${op}: maxDepth must be an integer ≥ 0 or Infinity, got ${this.maxDepth}`);
    }
    if (!(Number.isInteger(this.minSamplesSplit) && this.minSamplesSplit >= 2)) {
      throw new Error(`${op}: minSamplesSplit must be an integer ≥ 2, got ${this.minSamplesSplit}`);
    }
    if (!(Number.isInteger(this.minSamplesLeaf) && this.minSamplesLeaf >= 1)) {
      throw new Error(`${op}: minSamplesLeaf must be an integer ≥ 1, got ${this.minSamplesLeaf}`);
    }
    const mf = this.maxFeatures;
    if (mf !== undefined && mf !== 'sqrt' && mf !== 'log2' && !(Number.isInteger(mf) && (mf as number) >= 1)) {
      throw new Error(`${op}: maxFeatures must be an integer ≥ 1, 'sqrt' or 'log2', got ${String(mf)}`);
    }
    if (this.seed !== undefined && !Number.isSafeInteger(this.seed)) {
      throw new Error(`${op}: seed must be a safe integer, got ${this.seed}`);
    }
  }

  /** Grows the tree on x [N, F] (numbers) and integer labels y [N]. Returns this. */
  fit(x: Tensor, y: Tensor): this {
    const op = 'DecisionTreeClassifier.fit';
    const X = readMatrix(op, 'x', x);
    const { classes, index: label } = readLabels(op, y, X.rows, x.shape);
    const N = X.rows;
    const F = X.cols;
    const C = classes.length;
    const featuresPerNode = this.featuresPerNode(F);
    const gen = this.maxFeatures === undefined ? null : this.seed === undefined ? defaultGenerator : new Generator(this.seed);

    const nodes: TreeNode[] = [];
    const importances = new Float64Array(F);
    // Each node owns the segment [start, end) of `order`; a split partitions its segment in place.
    const order = new Int32Array(N);
    for (let i = 0; i < N; i++) order[i] = i;
    const values = new Float64Array(N);
    const featureOrder = Array.from({ length: F }, (_, f) => f);

    const makeNode = (start: number, end: number, depth: number): number => {
      const counts = new Float64Array(C);
      for (let p = start; p < end; p++) counts[label[order[p]]]++;
      const n = end - start;
      nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, counts, nSamples: n, impurity: impurity(this.criterion, counts, n), depth });
      return nodes.length - 1;
    };

    // Finds the best split of the node's segment over the features drawn for it; null when none is valid.
    const bestSplit = (node: TreeNode, start: number, end: number): Split | null => {
      if (gen) {
        for (let i = F - 1; i > 0; i--) {
          const j = gen.nextInt(i + 1);
          [featureOrder[i], featureOrder[j]] = [featureOrder[j], featureOrder[i]];
        }
      }
      const n = end - start;
      const seg = order.subarray(start, end);
      const left = new Float64Array(C);
      const right = new Float64Array(C);
      let best: Split | null = null;
      let visited = 0;
      for (let fi = 0; fi < F && visited < featuresPerNode; fi++) {
        const f = featureOrder[fi];
        seg.sort((a, b) => X.data[a * F + f] - X.data[b * F + f]);
        for (let p = 0; p < n; p++) values[start + p] = X.data[seg[p] * F + f];
        if (values[start] === values[end - 1]) continue; // constant here: skipped, not counted
        visited++;
        left.fill(0);
        right.set(node.counts);
        for (let p = 0; p < n - 1; p++) {
          const k = label[seg[p]];
          left[k]++;
          right[k]--;
          const a = values[start + p];
          const b = values[start + p + 1];
          const nL = p + 1;
          const nR = n - nL;
          if (a === b || nL < this.minSamplesLeaf || nR < this.minSamplesLeaf) continue;
          const cost = nL * impurity(this.criterion, left, nL) + nR * impurity(this.criterion, right, nR);
          if (best === null || cost < best.childCost) {
            let t = a / 2 + b / 2;
            if (t === b) t = a; // rounding reached b: x ≤ t must still send b right
            best = { feature: f, threshold: t, childCost: cost };
          }
        }
      }
      return best;
    };

    // Depth-first, left before right, so node ids come out in pre-order (root 0) as in scikit-learn.
    const stack: { parent: number; isLeft: boolean; start: number; end: number; depth: number }[] = [
      { parent: -1, isLeft: true, start: 0, end: N, depth: 0 },
    ];
    while (stack.length > 0) {
      const { parent, isLeft, start, end, depth } = stack.pop()!;
      const id = makeNode(start, end, depth);
      if (parent >= 0) nodes[parent][isLeft ? 'left' : 'right'] = id;
      const node = nodes[id];
      const n = end - start;
      const pure = node.counts.some((c) => c === n);
      if (pure || depth >= this.maxDepth || n < this.minSamplesSplit || n < 2 * this.minSamplesLeaf) continue;
      const split = bestSplit(node, start, end);
      if (!split) continue;
      // Partition the segment, x[f] ≤ t first; filter keeps the relative order, so it stays deterministic.
      const seg = order.subarray(start, end);
      const lo = seg.filter((i) => X.data[i * F + split.feature] <= split.threshold);
      const hi = seg.filter((i) => X.data[i * F + split.feature] > split.threshold);
      seg.set(lo, 0);
      seg.set(hi, lo.length);
      const mid = start + lo.length;
      node.feature = split.feature;
      node.threshold = split.threshold;
      importances[split.feature] += n * node.impurity - split.childCost;
      stack.push({ parent: id, isLeft: false, start: mid, end, depth: depth + 1 }, { parent: id, isLeft: true, start, end: mid, depth: depth + 1 });
    }

    let total = 0;
    for (let f = 0; f < F; f++) total += importances[f];
    if (total > 0) for (let f = 0; f < F; f++) importances[f] /= total;
    this.classes = classes;
    this.nodes = nodes;
    this.nFeatures = F;
    this.importances = importances;
    return this;
  }

  /** Class probabilities [N, C] (float32): the class frequencies of the training samples in each row's leaf. */
  predictProba(x: Tensor): Tensor {
    const { leaves, rows } = this.leavesOf('predictProba', x);
    const C = this.classes!.length;
    const out = new Float32Array(rows * C);
    for (let i = 0; i < rows; i++) {
      const leaf = this.nodes[leaves[i]];
      for (let k = 0; k < C; k++) out[i * C + k] = leaf.counts[k] / leaf.nSamples;
    }
    return tensor(out, { shape: [rows, C] });
  }

  /** The majority class of each row's leaf, int32 [N] (values from `classes`; ties go to the smaller label). */
  predict(x: Tensor): Tensor {
    const { leaves, rows } = this.leavesOf('predict', x);
    const out = new Int32Array(rows);
    for (let i = 0; i < rows; i++) out[i] = this.classes![argmaxOf(this.nodes[leaves[i]].counts)];
    return tensor(out, { dtype: 'int32' });
  }

  /** Accuracy of predict(x) against labels y [N], in [0, 1]. */
  score(x: Tensor, y: Tensor): number {
    const pred = this.predict(x);
    expectTensor('DecisionTreeClassifier.score', 'y', y);
    if (y.ndim !== 1 || y.shape[0] !== pred.shape[0]) {
      throw new Error(`DecisionTreeClassifier.score: y ${fmtShape(y.shape)} does not match x ${fmtShape(x.shape)}; expected y of shape [${pred.shape[0]}]`);
    }
    let hits = 0;
    for (let i = 0; i < pred.shape[0]; i++) if (pred._data[i] === y._data[i]) hits++;
    return hits / pred.shape[0];
  }

  /** Depth of the deepest leaf (a lone root is depth 0). */
  get depth(): number {
    this.fitted('depth');
    let d = 0;
    for (const node of this.nodes) if (node.depth > d) d = node.depth;
    return d;
  }

  /** Number of leaves. */
  get nLeaves(): number {
    this.fitted('nLeaves');
    return this.nodes.filter((node) => node.feature < 0).length;
  }

  /**
   * Impurity-based importances [F] (float32): for each feature, Σ over its splits of n_t·i_t − n_L·i_L − n_R·i_R,
   * normalised to sum to 1 (all zeros for a tree that never split).
   */
  get featureImportances(): Tensor {
    this.fitted('featureImportances');
    return tensor(Float32Array.from(this.importances));
  }

  /** The tree as text, in scikit-learn's export_text format. */
  exportText(options: ExportTextOptions = {}): string {
    this.fitted('exportText');
    const op = 'DecisionTreeClassifier.exportText';
    const classes = this.classes!;
    const names = options.featureNames ?? Array.from({ length: this.nFeatures }, (_, f) => `feature_${f}`);
    if (names.length !== this.nFeatures) {
      throw new Error(`${op}: featureNames has ${names.length} names but the tree has ${this.nFeatures} features`);
    }
    const classNames = options.classNames ?? classes.map(String);
    if (classNames.length !== classes.length) {
      throw new Error(`${op}: classNames has ${classNames.length} names but the tree has ${classes.length} classes`);
    }
    const decimals = options.decimals ?? 2;
    const maxDepth = options.maxDepth ?? 10;
    const spacing = options.spacing ?? 3;
    const lines: string[] = [];
    const indentOf = (level: number): string => ('|' + ' '.repeat(spacing)).repeat(level).slice(0, -spacing) + '-'.repeat(spacing);
    const leafLine = (node: TreeNode, indent: string): string => {
      const weights = options.showWeights ? ` weights: [${Array.from(node.counts, (c) => c.toFixed(decimals)).join(', ')}]` : '';
      return `${indent}${weights} class: ${classNames[argmaxOf(node.counts)]}`;
    };
    // Explicit stack of pending nodes and lines; level counts from 1 at the root, as scikit-learn's does.
    type Task = { line: string } | { id: number; level: number };
    const stack: Task[] = [{ id: 0, level: 1 }];
    while (stack.length > 0) {
      const task = stack.pop()!;
      if ('line' in task) {
        lines.push(task.line);
        continue;
      }
      const node = this.nodes[task.id];
      const indent = indentOf(task.level);
      if (node.feature < 0) {
        lines.push(leafLine(node, indent));
      } else if (task.level > maxDepth + 1) {
        lines.push(`${indent} truncated branch of depth ${this.subtreeDepth(task.id)}`);
      } else {
        const name = names[node.feature];
        const t = node.threshold.toFixed(decimals);
        stack.push({ id: node.right, level: task.level + 1 }, { line: `${indent} ${name} >  ${t}` });
        stack.push({ id: node.left, level: task.level + 1 }, { line: `${indent} ${name} <= ${t}` });
      }
    }
    return lines.join('\n') + '\n';
  }

  /** Same as exportText() with default options. */
  toString(): string {
    return this.nodes.length === 0 ? 'DecisionTreeClassifier (not fitted)' : this.exportText();
  }

  /** Levels in the subtree under node `id`, counting the node itself (a leaf has 1). */
  private subtreeDepth(id: number): number {
    let deepest = 0;
    const stack = [id];
    while (stack.length > 0) {
      const node = this.nodes[stack.pop()!];
      if (node.feature < 0) deepest = Math.max(deepest, node.depth);
      else stack.push(node.left, node.right);
    }
    return deepest - this.nodes[id].depth + 1;
  }

  private featuresPerNode(F: number): number {
    const mf = this.maxFeatures;
    if (mf === undefined) return F;
    if (mf === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(F)));
    if (mf === 'log2') return Math.max(1, Math.floor(Math.log2(F)));
    if (mf > F) throw new Error(`DecisionTreeClassifier.fit: maxFeatures ${mf} exceeds the ${F} features of x`);
    return mf;
  }

  /** The leaf each row of x falls into. */
  private leavesOf(method: string, x: Tensor): { leaves: Int32Array; rows: number } {
    this.fitted(method);
    const X = readMatrix(`DecisionTreeClassifier.${method}`, 'x', x, this.nFeatures);
    const leaves = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let id = 0;
      while (this.nodes[id].feature >= 0) {
        const node = this.nodes[id];
        id = X.data[i * X.cols + node.feature] <= node.threshold ? node.left : node.right;
      }
      leaves[i] = id;
    }
    return { leaves, rows: X.rows };
  }

  private fitted(method: string): void {
    if (this.nodes.length === 0 || !this.classes) {
      throw new Error(`DecisionTreeClassifier.${method}: the tree is not fitted yet; call fit(x, y) first`);
    }
  }
}

/** Index of the largest count, the first on ties. */
function argmaxOf(counts: Float64Array): number {
  let best = 0;
  for (let k = 1; k < counts.length; k++) if (counts[k] > counts[best]) best = k;
  return best;
}
