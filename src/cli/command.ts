/**
 * What every `backprop` command shares: its description for main.ts (flags, help text), the way it prints
 * (a readable table, then with --json one JSON line last), and the checks of flag values.
 */

/** A command-line mistake (unknown flag, missing or malformed value): main.ts prints it and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One flag, in node:util parseArgs's form plus what --help prints for it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder in the help text, e.g. '<file>'. */
  value?: string;
  description: string;
}

/** Values as parseArgs returns them. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** A positional argument: its name (the key in flags, `<name>` in the help) and what it is. */
export interface PositionalSpec {
  name: string;
  description: string;
}

/** A command as main.ts sees it: its words, help text, flags, and how to run it. */
export interface CommandSpec {
  /** The words after `backprop`, e.g. 'demo xor'. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line after `backprop `. */
  usage: string;
  /** Paragraphs printed under the usage by --help. */
  details?: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments (a model folder; or a folder and a file), in order; main.ts stores each in flags[name]. */
  positional?: PositionalSpec | readonly PositionalSpec[];
  /** Runs with parsed flags; returns the figures (printing is done inside). */
  run(flags: FlagValues): Promise<unknown>;
}

/** How a command prints: every line through `log` (default: stdout); with `json`, one JSON line last. */
export interface PrintOptions {
  /** Receives each printed line (default: process.stdout). Tests pass their own to capture or silence output. */
  log?: (line: string) => void;
  /** Print the returned figures as one JSON object on the last line. */
  json?: boolean;
}

/** The `log` of PrintOptions, defaulting to stdout. */
export function printer(options: PrintOptions): (line?: string) => void {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (line = '') => log(line);
}

/** Prints the figures as one JSON line when --json was given. NaN and ±Infinity become null, as JSON has no such numbers. */
export function printJson(options: PrintOptions, figures: unknown): void {
  if (options.json) printer(options)(JSON.stringify(figures));
}

/** The --seed and --json flags that every demo takes. */
export const SEED_FLAG: FlagSpec = { type: 'string', value: '<n>', description: 'seed of every random draw (default 0)' };
export const JSON_FLAG: FlagSpec = { type: 'boolean', description: 'print the figures as one JSON object on the last line' };

/** An integer flag, checked against [min, max]; `fallback` when absent. */
export function intFlag(flags: FlagValues, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    const range = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` ≥ ${min}` : '';
    throw new UsageError(`--${name} must be an integer${range}, got '${String(raw)}'`);
  }
  return v;
}

/** A number flag, checked against [min, max]; `fallback` when absent. */
export function numberFlag(flags: FlagValues, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < min || v > max) {
    const range = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` ≥ ${min}` : '';
    throw new UsageError(`--${name} must be a number${range}, got '${String(raw)}'`);
  }
  return v;
}

/** A comma-separated list of numbers, e.g. --starts 0.5,1,2. */
export function numberListFlag(flags: FlagValues, name: string, fallback: readonly number[]): number[] {
  const raw = flags[name];
  if (raw === undefined) return [...fallback];
  const parts = String(raw).split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((s) => s === '') || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`--${name} must be a comma-separated list of numbers such as 0.5,1,2, got '${String(raw)}'`);
  }
  return values;
}

/** A string flag; `fallback` when absent. */
export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** A seed checked to be a non-negative integer (the generators take any 32-bit unsigned value). */
export function checkSeed(who: string, seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${who}: seed must be a non-negative integer, got ${seed}`);
  return seed;
}

/** 0.9712 → '97.1%'. */
export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : 'n/a';
}

/** A number in at most `digits` significant digits, without trailing noise: 0.60653066 → '0.606531'. */
export function num(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(Math.max(0, digits - 1));
  return String(Number(v.toPrecision(digits)));
}

/**
 * A plain-text table: a header row, a rule, then the rows. Columns whose cells all look numeric are
 * right-aligned, the others left-aligned.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? num(c) : c)));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((r) => (r[j] ?? '').length)));
  const numeric = header.map((_, j) => cells.length > 0 && cells.every((r) => /^[-+]?[\d.,]+(e[-+]?\d+)?%?$|^n\/a$|^-$/.test(r[j] ?? '')));
  const line = (r: readonly string[]): string =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
}

/** Prints the lines of formatTable. */
export function printTable(log: (line?: string) => void, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  for (const l of formatTable(header, rows)) log(l);
}
