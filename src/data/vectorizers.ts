/**
 * Bag-of-words features, as scikit-learn's CountVectorizer and TfidfVectorizer: `fit` on the training documents
 * only (the vocabulary and the idf weights), then `transform` any documents into a sparse CSR matrix whose
 * columns are the vocabulary's terms (most frequent first). Documents are strings (tokenized with `tokenize`,
 * or the `tokenizer` option) or token lists.
 */
import { type CSRMatrix, csrFromRows } from './sparse.js';
import { Vocabulary, type VocabularyJSON, tokenize } from './text.js';

/** A document: raw text, or the tokens of one. */
export type TextDocument = string | readonly string[];

export interface CountVectorizerOptions {
  /** Keep a term only when it occurs in at least this many training documents (scikit-learn's integer min_df; default 1). */
  minCount?: number;
  /** Keep only the terms found in the most training documents (ties in code-unit order); default: all. */
  maxFeatures?: number;
  /** Count 1 for a term present in a document, whatever its number of occurrences (default false). */
  binary?: boolean;
  /** Word n-grams from n = lo to hi, joined by a space (default [1, 1]: single words). */
  ngramRange?: readonly [number, number];
  /** Turns a string document into tokens (default `tokenize`). */
  tokenizer?: (text: string) => string[];
}

/** A fitted CountVectorizer as plain JSON (the tokenizer, a function, is not saved). */
export interface CountVectorizerJSON {
  minCount: number;
  maxFeatures: number | null;
  binary: boolean;
  ngramRange: [number, number];
  numDocs: number;
  vocabulary: VocabularyJSON | null;
}

/**
 * Term counts: entry (d, j) is how often term j of the vocabulary occurs in document d.
 *
 *     const cv = new CountVectorizer({ minCount: 2, maxFeatures: 20000 });
 *     const xTrain = cv.fitTransform(trainTexts); // CSRMatrix [nTrain, ≤ 20000]
 *     const xTest = cv.transform(testTexts);      // same columns
 */
export class CountVectorizer {
  readonly minCount: number;
  readonly maxFeatures: number | null;
  readonly binary: boolean;
  readonly ngramRange: readonly [number, number];
  protected readonly tokenizer: (text: string) => string[];
  /** The fitted vocabulary (counts are document frequencies), null before `fit`. */
  vocabulary: Vocabulary | null = null;
  /** Number of training documents seen by `fit`. */
  numDocs = 0;

  constructor(options: CountVectorizerOptions = {}) {
    const { minCount = 1, maxFeatures, binary = false, ngramRange = [1, 1], tokenizer = tokenize } = options;
    const name = this.kind;
    if (!Number.isInteger(minCount) || minCount < 1) throw new Error(`${name}: minCount must be an integer ≥ 1, got ${minCount}`);
    if (maxFeatures !== undefined && (!Number.isInteger(maxFeatures) || maxFeatures < 1)) {
      throw new Error(`${name}: maxFeatures must be a positive integer, got ${maxFeatures}`);
    }
    const [lo, hi] = ngramRange;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
      throw new Error(`${name}: ngramRange must be [lo, hi] with integers 1 ≤ lo ≤ hi, got [${ngramRange.join(', ')}]`);
    }
    this.minCount = minCount;
    this.maxFeatures = maxFeatures ?? null;
    this.binary = binary;
    this.ngramRange = [lo, hi];
    this.tokenizer = tokenizer;
  }

  /** The class name for error messages (constructor.name would not survive minification). */
  protected get kind(): string {
    return 'CountVectorizer';
  }

  /** Learns the vocabulary (and, for tf-idf, the idf weights) from the training documents. */
  fit(docs: readonly TextDocument[]): this {
    this.fitTerms(this.analyzeAll('fit', docs));
    return this;
  }

  /** The documents as a CSR matrix [docs.length, numFeatures]; terms outside the vocabulary are ignored. */
  transform(docs: readonly TextDocument[]): CSRMatrix {
    this.vocab('transform');
    return this.transformTerms(this.analyzeAll('transform', docs));
  }

  /** `fit(docs)` then `transform(docs)`, tokenizing the documents once. */
  fitTransform(docs: readonly TextDocument[]): CSRMatrix {
    const terms = this.analyzeAll('fitTransform', docs);
    this.fitTerms(terms);
    return this.transformTerms(terms);
  }

  /** The term of each column. */
  featureNames(): string[] {
    return [...this.vocab('featureNames').tokens];
  }

  /** Number of columns (the vocabulary size); 0 before `fit`. */
  get numFeatures(): number {
    return this.vocabulary?.size ?? 0;
  }

  /** The terms of one document: its tokens, then its n-grams for n in ngramRange (scikit-learn's analyzer). */
  analyze(doc: TextDocument): string[] {
    const tokens = typeof doc === 'string' ? this.tokenizer(doc) : doc;
    const [lo, hi] = this.ngramRange;
    if (lo === 1 && hi === 1) return typeof doc === 'string' ? (tokens as string[]) : [...tokens];
    const terms: string[] = [];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= tokens.length; i++) terms.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '));
    }
    return terms;
  }

  /** Plain JSON of the options and the fitted vocabulary. */
  toJSON(): CountVectorizerJSON {
    return {
      minCount: this.minCount,
      maxFeatures: this.maxFeatures,
      binary: this.binary,
      ngramRange: [this.ngramRange[0], this.ngramRange[1]],
      numDocs: this.numDocs,
      vocabulary: this.vocabulary?.toJSON() ?? null,
    };
  }

  /** A vectorizer saved by `toJSON()`; pass the same tokenizer if it was not the default. */
  static fromJSON(json: CountVectorizerJSON, tokenizer?: (text: string) => string[]): CountVectorizer {
    return restore(new CountVectorizer(optionsOf(json, tokenizer)), json);
  }

  protected fitTerms(termLists: readonly string[][]): void {
    // Document frequencies: each document counts once per distinct term.
    const df = new Map<string, number>();
    for (const terms of termLists) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
    this.vocabulary = Vocabulary.fromCounts(df, { minCount: this.minCount, maxSize: this.maxFeatures ?? Infinity });
    this.numDocs = termLists.length;
  }

  protected transformTerms(termLists: readonly string[][]): CSRMatrix {
    const vocab = this.vocab('transform');
    const counts = new Float64Array(vocab.size);
    const touched: number[] = [];
    const rows = termLists.map((terms): [Int32Array, Float32Array] => {
      for (const t of terms) {
        const j = vocab.index(t);
        if (j < 0) continue;
        if (counts[j] === 0) touched.push(j);
        counts[j] += 1;
      }
      const idx = Int32Array.from(touched.sort((a, b) => a - b));
      const tf = Float64Array.from(idx, (j) => (this.binary ? 1 : counts[j]));
      for (const j of idx) counts[j] = 0;
      touched.length = 0;
      return [idx, this.weigh(idx, tf)];
    });
    return csrFromRows(rows, vocab.size);
  }

  /** The stored values of one row from its term counts; tf-idf overrides it. */
  protected weigh(_columns: Int32Array, tf: Float64Array): Float32Array {
    return Float32Array.from(tf);
  }

  protected vocab(op: string): Vocabulary {
    if (this.vocabulary === null) throw new Error(`${this.kind}.${op}: not fitted; call fit(trainingDocs) first`);
    return this.vocabulary;
  }

  private analyzeAll(op: string, docs: readonly TextDocument[]): string[][] {
    if (!Array.isArray(docs)) throw new Error(`${this.kind}.${op}: expected an array of documents, got ${typeof docs}`);
    return docs.map((d, i) => {
      if (typeof d !== 'string' && !Array.isArray(d)) {
        throw new Error(`${this.kind}.${op}: document ${i} is ${typeof d}; expected a string or an array of tokens`);
      }
      return this.analyze(d);
    });
  }
}

export interface TfidfVectorizerOptions extends CountVectorizerOptions {
  /** Row normalisation after weighting (default 'l2'; null keeps the raw tf·idf). */
  norm?: 'l2' | 'l1' | null;
  /** Multiply by idf (default true). */
  useIdf?: boolean;
  /** idf = ln((1 + n) / (1 + df)) + 1, as if one extra document held every term (default true); else ln(n / df) + 1. */
  smoothIdf?: boolean;
  /** tf = 1 + ln(count) instead of the count (default false). */
  sublinearTf?: boolean;
}

export interface TfidfVectorizerJSON extends CountVectorizerJSON {
  norm: 'l2' | 'l1' | null;
  useIdf: boolean;
  smoothIdf: boolean;
  sublinearTf: boolean;
}

/**
 * tf-idf features, scikit-learn's TfidfVectorizer: value = tf · idf(term), with n training documents and df the
 * number of them containing the term, idf = ln((1 + n) / (1 + df)) + 1 (smooth, the default), then each row
 * divided by its L2 norm. Fitted on the training split only, so the test split's idf is the training one.
 */
export class TfidfVectorizer extends CountVectorizer {
  readonly norm: 'l2' | 'l1' | null;
  readonly useIdf: boolean;
  readonly smoothIdf: boolean;
  readonly sublinearTf: boolean;
  /** idf of each column (float64), set by `fit`. */
  idf: Float64Array | null = null;

  constructor(options: TfidfVectorizerOptions = {}) {
    super(options);
    const { norm = 'l2', useIdf = true, smoothIdf = true, sublinearTf = false } = options;
    if (norm !== 'l2' && norm !== 'l1' && norm !== null) throw new Error(`TfidfVectorizer: norm must be 'l2', 'l1' or null, got ${String(norm)}`);
    this.norm = norm;
    this.useIdf = useIdf;
    this.smoothIdf = smoothIdf;
    this.sublinearTf = sublinearTf;
  }

  protected override get kind(): string {
    return 'TfidfVectorizer';
  }

  override toJSON(): TfidfVectorizerJSON {
    return { ...super.toJSON(), norm: this.norm, useIdf: this.useIdf, smoothIdf: this.smoothIdf, sublinearTf: this.sublinearTf };
  }

  /** A vectorizer saved by `toJSON()`; pass the same tokenizer if it was not the default. */
  static override fromJSON(json: TfidfVectorizerJSON, tokenizer?: (text: string) => string[]): TfidfVectorizer {
    const v = new TfidfVectorizer({ ...optionsOf(json, tokenizer), norm: json.norm, useIdf: json.useIdf, smoothIdf: json.smoothIdf, sublinearTf: json.sublinearTf });
    restore(v, json);
    if (v.vocabulary !== null) v.idf = v.computeIdf();
    return v;
  }

  protected override fitTerms(termLists: readonly string[][]): void {
    super.fitTerms(termLists);
    this.idf = this.computeIdf();
  }

  protected override weigh(columns: Int32Array, tf: Float64Array): Float32Array {
    const idf = this.idf as Float64Array;
    const w = new Float64Array(tf.length);
    let sumSquares = 0;
    let sumAbs = 0;
    for (let k = 0; k < tf.length; k++) {
      w[k] = (this.sublinearTf ? 1 + Math.log(tf[k]) : tf[k]) * (this.useIdf ? idf[columns[k]] : 1);
      sumSquares += w[k] * w[k];
      sumAbs += Math.abs(w[k]);
    }
    const scale = this.norm === 'l2' ? Math.sqrt(sumSquares) : this.norm === 'l1' ? sumAbs : 0;
    return Float32Array.from(w, (v) => (scale > 0 ? v / scale : v)); // an empty row stays zero
  }

  private computeIdf(): Float64Array {
    const vocab = this.vocab('fit');
    const n = this.numDocs;
    return Float64Array.from(vocab.counts, (df) => (this.smoothIdf ? Math.log((1 + n) / (1 + df)) + 1 : Math.log(n / df) + 1));
  }
}

function optionsOf(json: CountVectorizerJSON, tokenizer?: (text: string) => string[]): CountVectorizerOptions {
  return {
    minCount: json.minCount,
    maxFeatures: json.maxFeatures ?? undefined,
    binary: json.binary,
    ngramRange: json.ngramRange,
    tokenizer,
  };
}

function restore<V extends CountVectorizer>(v: V, json: CountVectorizerJSON): V {
  v.vocabulary = json.vocabulary === null ? null : Vocabulary.fromJSON(json.vocabulary);
  v.numDocs = json.numDocs;
  return v;
}
