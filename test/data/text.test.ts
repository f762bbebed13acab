import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';
import { CSRDataset, CountVectorizer, DataLoader, TfidfVectorizer, Vocabulary, denseRows, toDense, tokenize } from '../../src/data/index.js';

test('tokenize: lower case, URLs, e-mails, numbers, apostrophes, Unicode letters', () => {
  assert.deepEqual(tokenize('Hello, World!'), ['hello', 'world']);
  assert.deepEqual(tokenize('Visit http://Example.com/a?b=1&c=2 or www.foo.org. Now'), ['visit', '__url__', 'or', '__url__', 'now']);
  assert.deepEqual(tokenize('Mail John.Doe+spam@Example.co.uk today'), ['mail', '__email__', 'today']);
  assert.deepEqual(tokenize('It costs $1,000.50 or 3 euros, 2.5%'), ['it', 'costs', '__number__', 'or', '__number__', 'euros', '__number__']);
  assert.deepEqual(tokenize("Don't stop rock’n’roll; the students' 'quoted' word"), [
    "don't", 'stop', "rock'n'roll", 'the', 'students', 'quoted', 'word',
  ]);
  assert.deepEqual(tokenize('Café NAÏVE École Straße Привет мир'), ['café', 'naïve', 'école', 'straße', 'привет', 'мир']);
  // a decomposed é (e + combining acute) is the same token as the composed one
  assert.deepEqual(tokenize('cafe\u0301'), ['caf\u00e9']);
  assert.deepEqual(tokenize('mp3 x86_64 __url__ e-mail'), ['mp', '__number__', 'x', '__number__', '__number__', 'url', 'e', 'mail']);
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize('  ... !!! '), []);
  // a 100,000-letter run is one word (the e-mail alternative does not rescan it from every position)
  assert.deepEqual(tokenize('a'.repeat(100000)).length, 1);
});

test('Vocabulary: counts, min count, max size, deterministic tie order, specials, JSON', () => {
  const docs = [['b', 'a', 'b', 'c'], ['a', 'b', 'd']]; // b 3, a 2, c 1, d 1
  const v = Vocabulary.build(docs);
  assert.deepEqual(v.tokens, ['b', 'a', 'c', 'd']);
  assert.deepEqual(v.counts, [3, 2, 1, 1]);
  assert.deepEqual([v.index('a'), v.index('d'), v.index('zzz'), v.size], [1, 3, -1, 4]);
  assert.deepEqual(Vocabulary.build([...docs].reverse().map((d) => [...d].reverse())).tokens, ['b', 'a', 'c', 'd']);
  assert.deepEqual(Vocabulary.build(docs, { minCount: 2 }).tokens, ['b', 'a']);
  assert.deepEqual(Vocabulary.build(docs, { maxSize: 3 }).tokens, ['b', 'a', 'c']);
  const s = Vocabulary.build(docs, { specials: ['<pad>', '<unk>'], defaultIndex: 1, maxSize: 4 });
  assert.deepEqual(s.tokens, ['<pad>', '<unk>', 'b', 'a']);
  assert.deepEqual(Array.from(s.encode(['a', 'zzz', 'b'])), [3, 1, 2]);
  const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(s)));
  assert.deepEqual([back.tokens, back.counts, back.defaultIndex], [s.tokens, s.counts, 1]);
  assert.throws(() => Vocabulary.build(docs, { minCount: 0 }), /Vocabulary\.build: minCount must be an integer ≥ 1, got 0/);
  assert.throws(() => new Vocabulary(['a', 'a']), /token 'a' appears twice/);
});

// Three tiny documents; by hand: document frequencies the 2, cat 2, sat 1, ate 1, fish 1, a 1, dog 1,
// so the columns (most documents first, ties alphabetical) are cat, the, a, ate, dog, fish, sat.
const DOCS = ['The cat sat', 'the cat ate the fish', 'A dog'];

test('CountVectorizer: counts by hand, CSR layout, binary, minCount, maxFeatures, n-grams', () => {
  const cv = new CountVectorizer();
  const m = cv.fitTransform(DOCS);
  assert.deepEqual(cv.featureNames(), ['cat', 'the', 'a', 'ate', 'dog', 'fish', 'sat']);
  assert.deepEqual(Array.from(m.indptr), [0, 3, 7, 9]);
  assert.deepEqual(Array.from(m.indices), [0, 1, 6, 0, 1, 3, 5, 2, 4]);
  assert.deepEqual(Array.from(m.values), [1, 1, 1, 1, 2, 1, 1, 1, 1]);
  assert.deepEqual(m.shape, [3, 7]);
  assert.deepEqual(toDense(m).toArray(), [
    [1, 1, 0, 0, 0, 0, 1],
    [1, 2, 0, 1, 0, 1, 0],
    [0, 0, 1, 0, 1, 0, 0],
  ]);
  assert.deepEqual(denseRows(m, [2, 0]).toArray(), [
    [0, 0, 1, 0, 1, 0, 0],
    [1, 1, 0, 0, 0, 0, 1],
  ]);
  // a DataLoader over the CSR rows gives dense mini-batches
  const loader = new DataLoader(new CSRDataset(m, tensor([1, 0, 1], { dtype: 'int32' })), { batchSize: 2 });
  const batches = [...loader];
  assert.deepEqual(batches.map(([xb, yb]) => [xb.shape, Array.from(yb.data())]), [[[2, 7], [1, 0]], [[1, 7], [1]]]);
  assert.deepEqual(batches[1][0].toArray(), [[0, 0, 1, 0, 1, 0, 0]]);
  // words outside the training vocabulary are ignored
  assert.deepEqual(toDense(cv.transform(['the bird and the cat'])).toArray(), [[1, 2, 0, 0, 0, 0, 0]]);
  assert.deepEqual((toDense(new CountVectorizer({ binary: true }).fitTransform(DOCS)).toArray() as number[][])[1], [1, 1, 0, 1, 0, 1, 0]);
  assert.deepEqual(new CountVectorizer({ minCount: 2 }).fit(DOCS).featureNames(), ['cat', 'the']);
  assert.deepEqual(new CountVectorizer({ maxFeatures: 3 }).fit(DOCS).featureNames(), ['cat', 'the', 'a']);
  const bi = new CountVectorizer({ ngramRange: [1, 2], minCount: 2 }).fit(DOCS);
  assert.deepEqual(bi.featureNames(), ['cat', 'the', 'the cat']);
  // token lists are accepted as documents
  assert.deepEqual(toDense(cv.transform([['cat', 'cat', 'sat']])).toArray(), [[2, 0, 0, 0, 0, 0, 1]]);
  assert.throws(() => new CountVectorizer().transform(DOCS), /CountVectorizer\.transform: not fitted; call fit\(trainingDocs\) first/);
  assert.throws(() => new CountVectorizer({ ngramRange: [2, 1] }), /ngramRange must be \[lo, hi\]/);
});

test('TfidfVectorizer: smooth idf, L2 rows, sublinear tf, by hand', () => {
  const close = (a: number[][], b: number[][], tol = 1e-6): void =>
    a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= tol, `(${i},${j}): ${v} vs ${b[i][j]}`)));
  const tv = new TfidfVectorizer();
  const x = toDense(tv.fitTransform(DOCS)).toArray() as number[][];
  // idf = ln((1+3)/(1+df)) + 1: df 2 → 1.2876820724517808, df 1 → 1.6931471805599454
  assert.ok(Math.abs(tv.idf![0] - 1.2876820724517808) < 1e-12 && Math.abs(tv.idf![2] - 1.6931471805599454) < 1e-12);
  // rows [cat, the, a, ate, dog, fish, sat], values (tf·idf)/‖·‖₂ worked out separately
  close(x, [
    [0.51785612, 0.51785612, 0, 0, 0, 0, 0.68091856],
    [0.34385143, 0.68770286, 0, 0.45212331, 0, 0.45212331, 0],
    [0, 0, 0.70710678, 0, 0.70710678, 0, 0],
  ]);
  const sub = toDense(new TfidfVectorizer({ sublinearTf: true }).fitTransform(DOCS)).toArray() as number[][];
  close([sub[1]], [[0.36949543, 0.62561015, 0, 0.48584209, 0, 0.48584209, 0]]); // tf(the) = 1 + ln 2
  const raw = toDense(new TfidfVectorizer({ norm: null, smoothIdf: false }).fitTransform(DOCS)).toArray() as number[][];
  close([raw[1]], [[Math.log(1.5) + 1, 2 * (Math.log(1.5) + 1), 0, Math.log(3) + 1, 0, Math.log(3) + 1, 0]]);

  // scikit-learn user guide (TfidfTransformer, smooth_idf=True): counts [[3,0,1],[2,0,0],[3,0,0],[4,0,0],[3,2,0],[3,0,2]]
  // give [[0.85151335, 0, 0.52433293], [1,0,0], [1,0,0], [1,0,0], [0.55422893, 0.83236428, 0], [0.63035731, 0, 0.77630514]].
  const counts = [[3, 0, 1], [2, 0, 0], [3, 0, 0], [4, 0, 0], [3, 2, 0], [3, 0, 2]];
  const docs = counts.map((c) => c.flatMap((k, j) => new Array<string>(k).fill(`t${j}`)));
  const sk = new TfidfVectorizer();
  const got = toDense(sk.fitTransform(docs)).toArray() as number[][];
  const col = ['t0', 't1', 't2'].map((t) => sk.featureNames().indexOf(t));
  close(got.map((row) => col.map((j) => row[j])), [
    [0.85151335, 0, 0.52433293], [1, 0, 0], [1, 0, 0], [1, 0, 0], [0.55422893, 0.83236428, 0], [0.63035731, 0, 0.77630514],
  ]);
});

test('vectorizers: fitted on the training split only, and saved as JSON', () => {
  const tv = new TfidfVectorizer({ minCount: 1 }).fit(DOCS);
  const test = ['a cat and a bird'];
  const before = toDense(tv.transform(test)).toArray() as number[][];
  // idf keeps the training df (a: 1 of 3) although 'a' occurs twice in the test document
  const wA = 2 * (Math.log(4 / 2) + 1);
  const wCat = Math.log(4 / 3) + 1;
  const norm = Math.hypot(wA, wCat);
  assert.ok(Math.abs(before[0][2] - wA / norm) < 1e-6);
  const restored = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(tv)));
  assert.deepEqual(toDense(restored.transform(test)).toArray(), before);
  assert.deepEqual(restored.featureNames(), tv.featureNames());
  const cv = new CountVectorizer({ binary: true, ngramRange: [1, 2] }).fit(DOCS);
  assert.deepEqual(CountVectorizer.fromJSON(JSON.parse(JSON.stringify(cv))).transform(DOCS), cv.transform(DOCS));
});
