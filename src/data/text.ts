/** Text: a tokenizer for e-mail-like text and a Vocabulary of tokens (torchtext's vocab, with JSON round trips). */

/** Token that replaces every URL (http://…, https://…, ftp://…, www.…). */
export const URL_TOKEN = '__url__';
/** Token that replaces every e-mail address. */
export const EMAIL_TOKEN = '__email__';
/** Token that replaces every number (digits with optional inner `.` or `,` groups: 3, 3.14, 1,000.50). */
export const NUMBER_TOKEN = '__number__';

// One alternation, tried left to right at each position: URL, e-mail, number, word. The e-mail's local part is
// bounded (RFC 5321 allows 64 characters) so that a long run without '@' is not rescanned from every position.
const TOKEN_PATTERN = new RegExp(
  [
    String.raw`(?<url>(?:https?|ftp):\/\/[^\s<>"'()[\]{}]+|www\.[^\s<>"'()[\]{}]+)`,
    String.raw`(?<email>[\p{L}\p{Nd}._%+\-]{1,64}@[\p{L}\p{Nd}\-]+(?:\.[\p{L}\p{Nd}\-]+)+)`,
    String.raw`(?<number>\p{Nd}+(?:[.,]\p{Nd}+)*)`,
    String.raw`(?<word>\p{L}[\p{L}\p{M}]*(?:['’]\p{L}[\p{L}\p{M}]*)*)`,
  ].join('|'),
  'gu',
);

/**
 * Splits text into lower-case tokens: URLs → `__url__`, e-mail addresses → `__email__`, numbers →
 * `__number__`, and words made of Unicode letters (with their combining marks, NFC-normalised), which may hold
 * inner apostrophes (`don't`, `rock'n'roll`; ’ is read as '). Everything else — punctuation, symbols, `_` —
 * separates tokens. A letter–digit mix splits: `mp3` → `mp`, `__number__`.
 */
export function tokenize(text: string): string[] {
  let s = text.toLowerCase();
  if (/[^\x00-\x7f]/.test(s)) s = s.normalize('NFC');
  const tokens: string[] = [];
  for (const m of s.matchAll(TOKEN_PATTERN)) {
    const g = m.groups as Record<'url' | 'email' | 'number' | 'word', string | undefined>;
    if (g.word !== undefined) tokens.push(g.word.includes('’') ? g.word.replaceAll('’', "'") : g.word);
    else if (g.number !== undefined) tokens.push(NUMBER_TOKEN);
    else if (g.email !== undefined) tokens.push(EMAIL_TOKEN);
    else tokens.push(URL_TOKEN);
  }
  return tokens;
}

export interface VocabularyOptions {
  /** Keep tokens seen at least this many times (default 1). */
  minCount?: number;
  /** Keep at most this many entries, specials included (default: no limit). */
  maxSize?: number;
  /** Tokens placed first, in this order, whatever their counts (e.g. `['<pad>', '<unk>']`). */
  specials?: readonly string[];
  /** What `index()` returns for a token that is not in the vocabulary (default -1). */
  defaultIndex?: number;
}

/** A Vocabulary as plain JSON. */
export interface VocabularyJSON {
  tokens: string[];
  counts: number[];
  defaultIndex: number;
}

/**
 * Maps tokens to consecutive indices: specials first, then the most frequent tokens, ties in code-unit order
 * of the token (so the result does not depend on the order of the input).
 *
 *     const vocab = Vocabulary.build(docs.map(tokenize), { minCount: 2, maxSize: 20000, specials: ['<unk>'], defaultIndex: 0 });
 */
export class Vocabulary {
  /** The tokens; `tokens[i]` has index i. */
  readonly tokens: readonly string[];
  /** How often each token was counted when the vocabulary was built (0 for specials). */
  readonly counts: readonly number[];
  /** The index of tokens that are not in the vocabulary. */
  readonly defaultIndex: number;
  private readonly lookup: Map<string, number>;

  constructor(tokens: readonly string[], counts?: readonly number[], defaultIndex = -1) {
    if (counts !== undefined && counts.length !== tokens.length) {
      throw new Error(`Vocabulary: ${tokens.length} tokens but ${counts.length} counts; expected one count per token`);
    }
    if (!Number.isInteger(defaultIndex) || defaultIndex < -1 || defaultIndex >= tokens.length) {
      throw new Error(`Vocabulary: defaultIndex ${defaultIndex} is not -1 or an index below the size ${tokens.length}`);
    }
    this.lookup = new Map();
    tokens.forEach((t, i) => {
      if (this.lookup.has(t)) throw new Error(`Vocabulary: token '${t}' appears twice (at ${this.lookup.get(t)} and ${i})`);
      this.lookup.set(t, i);
    });
    this.tokens = Object.freeze([...tokens]);
    this.counts = Object.freeze(counts ? [...counts] : tokens.map(() => 0));
    this.defaultIndex = defaultIndex;
  }

  /** Counts every token of every list and keeps those passing `minCount` / `maxSize`. */
  static build(tokenLists: Iterable<readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const list of tokenLists) for (const t of list) counts.set(t, (counts.get(t) ?? 0) + 1);
    return Vocabulary.fromCounts(counts, options);
  }

  /** A vocabulary from counts already made (token → count), with the same rules as `build`. */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabularyOptions = {}): Vocabulary {
    const { minCount = 1, maxSize = Infinity, specials = [], defaultIndex = -1 } = options;
    if (!Number.isInteger(minCount) || minCount < 1) throw new Error(`Vocabulary.build: minCount must be an integer ≥ 1, got ${minCount}`);
    if (maxSize !== Infinity && (!Number.isInteger(maxSize) || maxSize < specials.length)) {
      throw new Error(`Vocabulary.build: maxSize must be an integer ≥ the ${specials.length} specials, got ${maxSize}`);
    }
    const special = new Set(specials);
    const kept = [...counts].filter(([t, c]) => c >= minCount && !special.has(t));
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    kept.length = Math.min(kept.length, maxSize - specials.length);
    return new Vocabulary([...specials, ...kept.map((e) => e[0])], [...specials.map(() => 0), ...kept.map((e) => e[1])], defaultIndex);
  }

  /** Number of entries. */
  get size(): number {
    return this.tokens.length;
  }

  /** The index of `token`, or `defaultIndex` when it is unknown. */
  index(token: string): number {
    return this.lookup.get(token) ?? this.defaultIndex;
  }

  /** True when `token` is in the vocabulary. */
  has(token: string): boolean {
    return this.lookup.has(token);
  }

  /** The token at index `i`. */
  token(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new Error(`Vocabulary.token: index ${i} is out of range for size ${this.size}`);
    return this.tokens[i];
  }

  /** Indices of a token list (unknown tokens get `defaultIndex`). */
  encode(tokens: readonly string[]): Int32Array {
    return Int32Array.from(tokens, (t) => this.index(t));
  }

  /** Plain JSON (tokens in index order, their counts, the default index). */
  toJSON(): VocabularyJSON {
    return { tokens: [...this.tokens], counts: [...this.counts], defaultIndex: this.defaultIndex };
  }

  /** The vocabulary saved by `toJSON()`. */
  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (json === null || typeof json !== 'object' || !Array.isArray(json.tokens)) {
      throw new Error('Vocabulary.fromJSON: expected { tokens: string[], counts: number[], defaultIndex: number }');
    }
    return new Vocabulary(json.tokens, json.counts, json.defaultIndex ?? -1);
  }
}
