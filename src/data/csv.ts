/**
 * CSV tables: parsed with csv-parse (quoted fields, embedded delimiters and newlines), each column typed as
 * numeric or categorical, missing values reported by row and column, and turned into tensors for training.
 */
import { parse } from 'csv-parse/sync';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** The cells treated as missing by default (compared after trimming spaces). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', '?'];

export interface CSVOptions {
  /** The first line holds the column names (default true); without it columns are named c0, c1, … */
  header?: boolean;
  /** Field separator; default: the most frequent of , ; tab | on the first line (',' when none occurs). */
  delimiter?: string;
  /** Default target column for toTensors(): a name or a 0-based index (negative counts from the end). */
  target?: string | number;
  /** What to do with a row that has a missing value: throw (default) or leave the row out. */
  missing?: 'error' | 'drop';
  /** Cells that count as missing (default DEFAULT_MISSING_VALUES). */
  missingValues?: readonly string[];
}

/** A column is numeric when every non-missing cell parses as a number, else categorical. */
export type ColumnType = 'numeric' | 'categorical';

export interface ToTensorsOptions {
  /** The label column (a name or an index); defaults to the `target` given when parsing. */
  target?: string | number;
  /** How categorical features become numbers: one column per category (default), or the category's index. */
  categorical?: 'onehot' | 'ordinal';
  /**
   * 'classification': y is int32 class indices into `classes`; 'regression': y is float32. Default:
   * classification for a categorical target or an all-integer numeric one, regression otherwise.
   */
  task?: 'classification' | 'regression';
  /** Fixed category lists per feature column (e.g. from the training file's result), instead of the sorted values seen. */
  categories?: Record<string, readonly string[]>;
  /** Fixed class list (e.g. from the training file's result), instead of the sorted values seen. */
  classes?: readonly (string | number)[];
}

export interface TableTensors {
  /** Features, float32 [N, F]. */
  x: Tensor;
  /** Labels: int32 [N] class indices into `classes`, or float32 [N] for regression. */
  y: Tensor;
  /** Name of each column of x ('color_red' for a one-hot column, as scikit-learn). */
  featureNames: string[];
  /** The class of each label index (sorted), or [] for regression. */
  classes: (string | number)[];
  /** The categories used for each categorical feature column, to encode later files the same way. */
  categories: Record<string, string[]>;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A parsed CSV file: named, typed columns with one value per kept row. */
export class CSVTable {
  /** Column names, in file order. */
  readonly columns: string[];
  /** Each column's detected type, by name. */
  readonly types: Record<string, ColumnType>;
  /** The file line on which each kept row starts (1-based, counting the header line). */
  readonly lines: number[];
  /** File lines of the rows left out by `missing: 'drop'`. */
  readonly droppedLines: number[];
  /** The default target column, if one was given when parsing. */
  readonly target: string | undefined;
  private readonly values: Map<string, number[] | string[]>;

  /** @internal Built by parseCSV. */
  constructor(
    columns: string[],
    types: Record<string, ColumnType>,
    values: Map<string, number[] | string[]>,
    lines: number[],
    droppedLines: number[],
    target: string | undefined,
  ) {
    this.columns = columns;
    this.types = types;
    this.values = values;
    this.lines = lines;
    this.droppedLines = droppedLines;
    this.target = target;
  }

  /** Number of rows. */
  get length(): number {
    return this.lines.length;
  }

  /** The values of one column: numbers for a numeric column, strings for a categorical one. */
  column(name: string | number): number[] | string[] {
    return this.values.get(this.resolve('CSVTable.column', name))!;
  }

  /** A column name from a name or a 0-based index (negative counts from the end). */
  resolve(op: string, col: string | number): string {
    return resolveColumn(op, this.columns, col);
  }

  /**
   * Features and labels as tensors: every column but the target is a feature (numeric as is, categorical
   * one-hot encoded in sorted category order); a categorical target maps to class indices in sorted order.
   */
  toTensors(options: ToTensorsOptions = {}): TableTensors {
    const op = 'toTensors';
    const targetSpec = options.target ?? this.target;
    if (targetSpec === undefined) throw new Error(`${op}: no target column; pass { target: 'name' } here or to parseCSV/readCSV`);
    const target = this.resolve(op, targetSpec);
    const n = this.length;
    const encoding = options.categorical ?? 'onehot';

    const featureNames: string[] = [];
    const categories: Record<string, string[]> = {};
    const columns: ((i: number, out: Float32Array, at: number) => void)[] = [];
    for (const name of this.columns) {
      if (name === target) continue;
      const col = this.values.get(name)!;
      if (this.types[name] === 'numeric') {
        const nums = col as number[];
        featureNames.push(name);
        columns.push((i, out, at) => (out[at] = nums[i]));
        continue;
      }
      const strs = col as string[];
      const cats = options.categories?.[name] ? [...options.categories[name]] : sortedUnique(strs);
      categories[name] = cats;
      const code = codeMap(op, name, cats, strs);
      if (encoding === 'ordinal') {
        featureNames.push(name);
        columns.push((i, out, at) => (out[at] = code.get(strs[i])!));
      } else {
        cats.forEach((c) => featureNames.push(`${name}_${c}`));
        // Each one-hot block writes a single 1; the array starts at 0.
        columns.push((i, out, at) => (out[at + code.get(strs[i])!] = 1));
      }
    }
    const widths = this.columns
      .filter((c) => c !== target)
      .map((c) => (this.types[c] === 'categorical' && encoding === 'onehot' ? categories[c].length : 1));
    const f = featureNames.length;
    const x = new Float32Array(n * f);
    for (let i = 0; i < n; i++) {
      let at = i * f;
      columns.forEach((write, k) => {
        write(i, x, at);
        at += widths[k];
      });
    }

    const yCol = this.values.get(target)!;
    const numericTarget = this.types[target] === 'numeric';
    const task = options.task ?? (numericTarget && !(yCol as number[]).every(Number.isInteger) ? 'regression' : 'classification');
    let y: Tensor;
    let classes: (string | number)[] = [];
    if (task === 'regression') {
      if (!numericTarget) throw new Error(`${op}: target '${target}' is categorical; regression needs a numeric column`);
      y = tensor(Float32Array.from(yCol as number[]));
    } else {
      if (options.classes) classes = [...options.classes];
      else if (numericTarget) classes = [...new Set(yCol as number[])].sort((a, b) => a - b);
      else classes = sortedUnique(yCol as string[]);
      const index = new Map<string | number, number>(classes.map((c, k) => [c, k]));
      y = tensor(
        Int32Array.from(yCol as (string | number)[], (v, i) => {
          const k = index.get(v);
          if (k === undefined) {
            throw new Error(`${op}: row ${this.lines[i]}, column '${target}': class ${JSON.stringify(v)} is not in classes [${classes.join(', ')}]`);
          }
          return k;
        }),
      );
    }
    return { x: tensor(x, { shape: [n, f] }), y, featureNames, classes, categories };
  }
}

function resolveColumn(op: string, columns: readonly string[], col: string | number): string {
  if (typeof col === 'number') {
    const j = col < 0 ? col + columns.length : col;
    if (!Number.isInteger(j) || j < 0 || j >= columns.length) {
      throw new Error(`${op}: column index ${col} is out of range for ${columns.length} columns`);
    }
    return columns[j];
  }
  if (!columns.includes(col)) throw new Error(`${op}: no column '${col}'; the columns are ${columns.map((c) => `'${c}'`).join(', ')}`);
  return col;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Category → index, checking that every value has a category. */
function codeMap(op: string, column: string, cats: readonly string[], values: readonly string[]): Map<string, number> {
  const code = new Map(cats.map((c, k) => [c, k]));
  for (const v of values) {
    if (!code.has(v)) throw new Error(`${op}: column '${column}' has category '${v}', which is not in the given categories [${cats.join(', ')}]`);
  }
  return code;
}

/** The separator that occurs most on the first line (outside quotes), ',' when none does. */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

/**
 * Parses CSV text into a typed table. Errors name the row as the file line it starts on (1-based, the header
 * being line 1) and the column: `parseCSV: row 7, column 'age': missing value`.
 */
export function parseCSV(text: string, options: CSVOptions = {}): CSVTable {
  return parseTable('parseCSV', text, options);
}

/**
 * Reads and parses a CSV file (Node only; the file system module is loaded on demand so that browser
 * bundles of the library do not need it). Same options and errors as parseCSV, named 'readCSV'.
 */
export async function readCSV(path: string, options: CSVOptions = {}): Promise<CSVTable> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`readCSV: cannot read '${path}': ${(e as Error).message}`);
  }
  return parseTable('readCSV', text, options);
}

/** @internal The parser behind parseCSV and readCSV; `op` names the caller in errors. */
export function parseTable(op: string, text: string, options: CSVOptions): CSVTable {
  if (typeof text !== 'string') throw new Error(`${op}: expected the CSV text as a string, got ${typeof text}`);
  const { header = true, missing = 'error' } = options;
  if (missing !== 'error' && missing !== 'drop') throw new Error(`${op}: missing must be 'error' or 'drop', got ${JSON.stringify(missing)}`);
  const delimiter = options.delimiter ?? sniffDelimiter(text);
  const isMissing = new Set((options.missingValues ?? DEFAULT_MISSING_VALUES).map((s) => s.trim()));

  // One line-ending style: csv-parse counts a CRLF inside a quoted field as two lines, which would shift the
  // row numbers that errors report.
  text = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true each record comes as { record, info } (the typings do not model that option).
    records = parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`);
  }
  // csv-parse reports the line a record ends on; a record starts earlier by the newlines inside its fields.
  const startLine = (r: { record: string[]; info: { lines: number } }): number =>
    r.info.lines - r.record.reduce((acc, field) => acc + (field.match(/\n/g)?.length ?? 0), 0);

  if (records.length === 0) throw new Error(`${op}: the CSV text is empty`);
  const width = records[0].record.length;
  let columns: string[];
  if (header) {
    columns = records[0].record.map((name, j) => name.trim() || `c${j}`);
    const seen = new Map<string, number>();
    columns.forEach((name, j) => {
      if (seen.has(name)) throw new Error(`${op}: the header names column '${name}' twice (columns ${seen.get(name)! + 1} and ${j + 1})`);
      seen.set(name, j);
    });
    records = records.slice(1);
  } else {
    columns = Array.from({ length: width }, (_, j) => `c${j}`);
  }

  const cells: string[][] = [];
  const lines: number[] = [];
  const droppedLines: number[] = [];
  for (const r of records) {
    const line = startLine(r);
    if (r.record.length !== width) {
      const source = header ? 'the header' : 'the first row';
      throw new Error(`${op}: row ${line} has ${r.record.length} fields, expected ${width} (as in ${source})`);
    }
    const row = r.record.map((v) => v.trim());
    const gap = row.findIndex((v) => isMissing.has(v));
    if (gap >= 0) {
      if (missing === 'error') {
        throw new Error(
          `${op}: row ${line}, column '${columns[gap]}': missing value (${JSON.stringify(r.record[gap])}); ` +
            "pass { missing: 'drop' } to leave such rows out",
        );
      }
      droppedLines.push(line);
      continue;
    }
    cells.push(row);
    lines.push(line);
  }

  const types: Record<string, ColumnType> = {};
  const values = new Map<string, number[] | string[]>();
  columns.forEach((name, j) => {
    const raw = cells.map((row) => row[j]);
    const numeric = raw.every((v) => NUMBER.test(v));
    types[name] = numeric ? 'numeric' : 'categorical';
    values.set(name, numeric ? raw.map(Number) : raw);
  });
  const target = options.target === undefined ? undefined : resolveColumn(op, columns, options.target);
  return new CSVTable(columns, types, values, lines, droppedLines, target);
}
