import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCSV, readCSV } from '../../src/data/index.js';

// Line 1 header; the record on lines 3–4 has a quoted field with a newline.
const people = [
  'name,age,city,label',
  '"Smith, John",34,"New York, NY",yes',
  '"Lee',
  'Jr",45.5,Boston,no',
  'Ann,28,Boston,yes',
  '',
].join('\n');

test('quoted fields with embedded commas and newlines; column types', () => {
  const t = parseCSV(people);
  assert.deepEqual(t.columns, ['name', 'age', 'city', 'label']);
  assert.deepEqual(t.types, { name: 'categorical', age: 'numeric', city: 'categorical', label: 'categorical' });
  assert.equal(t.length, 3);
  assert.deepEqual(t.column('name'), ['Smith, John', 'Lee\nJr', 'Ann']);
  assert.deepEqual(t.column('city'), ['New York, NY', 'Boston', 'Boston']);
  assert.deepEqual(t.column(1), [34, 45.5, 28]);
  assert.deepEqual(t.lines, [2, 3, 5]);
});

test('toTensors: one-hot categorical features in sorted order, string classes in sorted order', () => {
  const t = parseCSV(people, { target: 'label' });
  const { x, y, featureNames, classes, categories } = t.toTensors();
  assert.deepEqual(featureNames, ['name_Ann', 'name_Lee\nJr', 'name_Smith, John', 'age', 'city_Boston', 'city_New York, NY']);
  assert.deepEqual(x.shape, [3, 6]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(x.toArray(), [
    [0, 0, 1, 34, 0, 1],
    [0, 1, 0, 45.5, 1, 0],
    [1, 0, 0, 28, 1, 0],
  ]);
  assert.deepEqual(classes, ['no', 'yes']);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(y.toArray(), [1, 0, 1]);
  assert.deepEqual(categories.city, ['Boston', 'New York, NY']);
  const ordinal = t.toTensors({ target: 'label', categorical: 'ordinal' });
  assert.deepEqual(ordinal.featureNames, ['name', 'age', 'city']);
  assert.deepEqual((ordinal.x.toArray() as number[][])[0], [2, 34, 1]);
});

test('numeric targets: integers are classes, other numbers regression', () => {
  const t = parseCSV('a;b;c\n1;0.5;3\n2;1.5;1\n3;2.5;3\n');
  assert.deepEqual(t.columns, ['a', 'b', 'c']); // ';' detected
  const cls = t.toTensors({ target: 'c' });
  assert.deepEqual(cls.classes, [1, 3]);
  assert.deepEqual(cls.y.toArray(), [1, 0, 1]);
  const reg = t.toTensors({ target: 'b' });
  assert.equal(reg.y.dtype, 'float32');
  assert.deepEqual(reg.y.toArray(), [0.5, 1.5, 2.5]);
  assert.deepEqual(reg.classes, []);
  assert.deepEqual(t.toTensors({ target: -1, task: 'regression' }).y.dtype, 'float32');
  assert.throws(() => t.toTensors(), /toTensors: no target column/);
  assert.throws(() => t.toTensors({ target: 'd' }), /toTensors: no column 'd'; the columns are 'a', 'b', 'c'/);
});

test('a missing value names the file row (header = row 1) and the column', () => {
  const text = ['id,age,sex', '1,30,m', '2,"4', '1",f', '3,29,f', '4,NA,m', '5,33,?'].join('\n');
  assert.throws(() => parseCSV(text), /^Error: parseCSV: row 6, column 'age': missing value/);
  const t = parseCSV(text, { missing: 'drop' });
  assert.deepEqual(t.column('id'), [1, 2, 3]);
  assert.deepEqual(t.droppedLines, [6, 7]);
  assert.throws(() => parseCSV('a,b\n1,\n'), /parseCSV: row 2, column 'b': missing value/);
});

test('a ragged row names its row and the field counts', () => {
  assert.throws(() => parseCSV('a,b,c\n1,2,3\n4,5,6\n7,8\n'), /parseCSV: row 4 has 2 fields, expected 3/);
  assert.throws(() => parseCSV('1,2\n3,4,5\n', { header: false }), /parseCSV: row 2 has 3 fields, expected 2/);
});

test('header: false names columns c0, c1, …', () => {
  const t = parseCSV('1,x\n2,y\n', { header: false, target: 1 });
  assert.deepEqual(t.columns, ['c0', 'c1']);
  assert.deepEqual(t.toTensors().y.toArray(), [0, 1]);
});

test('readCSV reads a file and reports errors as readCSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-csv-'));
  try {
    const good = join(dir, 'people.csv');
    writeFileSync(good, people);
    const t = await readCSV(good, { target: 'label' });
    assert.deepEqual(t.toTensors().y.toArray(), [1, 0, 1]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'name,age\na,1\nb,2\nc,3\nd,4\ne,5\nf,NaN\n');
    await assert.rejects(readCSV(bad), /readCSV: row 7, column 'age': missing value/);
    await assert.rejects(readCSV(join(dir, 'none.csv')), /readCSV: cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('row numbers stay right with CRLF line endings, blank lines and multi-line fields', () => {
  assert.throws(() => parseCSV('a,b\r\n1,"x\r\ny"\r\n\r\n2,NA\r\n'), /parseCSV: row 5, column 'b': missing value/);
  const t = parseCSV('a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n');
  assert.deepEqual(t.lines, [2, 5]);
  assert.deepEqual(t.column('b'), ['x\ny', 'z']);
});
