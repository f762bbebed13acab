/**
 * Every setting of the playground, and its URL form. The hash of the page's URL holds all of them
 * (`#tab=network&dataset=circle&seed=1&…`), so a link reproduces an experiment exactly: the seed fixes the data,
 * the initial weights, the batch order and the dropout masks. Parsing validates each value and falls back to the
 * default with a message, so a hand-edited or stale link still opens.
 *
 * This module is pure (no DOM, no library import) so that Node tests can check it.
 */

export const TABS = ['network', 'features', 'gd', 'digits'] as const;
export type Tab = (typeof TABS)[number];

export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'moons', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Input features, in the order they are shown: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂. */
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type Feature = (typeof FEATURES)[number];

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** 'ce': binary cross-entropy for two classes, softmax cross-entropy for more. */
export const LOSSES = ['mse', 'ce'] as const;
export type LossName = (typeof LOSSES)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;
export type Regularization = (typeof REGULARIZATIONS)[number];

/** GD functions: the course's two 1-D functions, a 2-D bowl and a 2-D ravine. */
export const GD_FUNCTIONS = ['j1', 'j2', 'bowl', 'ravine'] as const;
export type GdFunction = (typeof GD_FUNCTIONS)[number];

export const SCHEDULES = ['constant', 'step', 'exp', 'cosine'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** Most hidden layers and neurons per layer the page draws (as the TensorFlow playground). */
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

export interface Settings {
  tab: Tab;
  // Network panel
  dataset: DatasetName;
  /** Points generated in all (train + test). */
  points: number;
  /** Std of the Gaussian noise added to each coordinate. */
  noise: number;
  /** Percentage of the points used for training. */
  trainRatio: number;
  /** Classes of the spiral and Gaussian sets (the others have two). */
  classes: number;
  /** One seed for the data, the initial weights, the batch order and dropout. */
  seed: number;
  features: Feature[];
  /** Neurons of each hidden layer. */
  hidden: number[];
  activation: Activation;
  loss: LossName;
  optimizer: OptimizerName;
  lr: number;
  batch: number;
  reg: Regularization;
  regRate: number;
  dropout: number;
  showTest: boolean;
  // Feature-engineering panel
  /** Training points of the unit-circle comparison. */
  fTrain: number;
  fSeed: number;
  // Gradient-descent panel
  gdFn: GdFunction;
  /** Starting points: one number each for a 1-D function, an [x, y] pair for a 2-D one. */
  gdStarts: number[][];
  gdLr: number;
  gdMomentum: number;
  gdSchedule: Schedule;
  gdSteps: number;
  // Digits panel
  /** FGSM step ε. */
  eps: number;
}

/** The 1-D functions take one coordinate, the bowl and the ravine two. */
export function gdDim(fn: GdFunction): 1 | 2 {
  return fn === 'j1' || fn === 'j2' ? 1 : 2;
}

/** Default starting points per function: for j2 they lie in the basins of three different minima. */
export const DEFAULT_STARTS: Record<GdFunction, number[][]> = {
  j1: [[0.5], [2.5]],
  j2: [[0.9], [2.7], [4.7]],
  bowl: [[-2, 1.5], [1.5, -2.5]],
  ravine: [[-2.5, 1], [2, -0.8]],
};

/** A learning rate that converges for each function without momentum (the ravine's zigzags on purpose). */
export const DEFAULT_GD_LR: Record<GdFunction, number> = { j1: 0.1, j2: 0.01, bowl: 0.1, ravine: 0.45 };

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  tab: 'network',
  dataset: 'circle',
  points: 400,
  noise: 0,
  trainRatio: 50,
  classes: 2,
  seed: 1,
  features: ['x1', 'x2'],
  hidden: [4, 2],
  activation: 'tanh',
  loss: 'ce',
  optimizer: 'adam',
  lr: 0.03,
  batch: 10,
  reg: 'none',
  regRate: 0,
  dropout: 0,
  showTest: false,
  fTrain: 30,
  fSeed: 1,
  gdFn: 'j2',
  gdStarts: DEFAULT_STARTS.j2,
  gdLr: DEFAULT_GD_LR.j2,
  gdMomentum: 0,
  gdSchedule: 'constant',
  gdSteps: 100,
  eps: 0,
} satisfies Settings);

/** A fresh, mutable copy of the defaults. */
export function defaultSettings(): Settings {
  return cloneSettings(DEFAULTS);
}

/** A deep copy (the arrays are not shared). */
export function cloneSettings(s: Readonly<Settings>): Settings {
  return { ...s, features: [...s.features], hidden: [...s.hidden], gdStarts: s.gdStarts.map((p) => [...p]) };
}

/** How one setting reads from and writes to its URL value; parse returns an error message for a bad value. */
interface Field<K extends keyof Settings> {
  key: K;
  parse(raw: string, partial: Settings): Settings[K] | { error: string };
  format(value: Settings[K]): string;
}

const err = (error: string): { error: string } => ({ error });

function oneOf<K extends keyof Settings>(key: K, values: readonly string[]): Field<K> {
  return {
    key,
    parse: (raw) => (values.includes(raw) ? (raw as Settings[K]) : err(`expected one of ${values.join(', ')}`)),
    format: (v) => String(v),
  };
}

/** A number in [min, max]; integers only when `integer`. */
function num<K extends keyof Settings>(key: K, min: number, max: number, integer = false): Field<K> {
  const what = `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`;
  return {
    key,
    parse: (raw) => {
      const v = parseNumber(raw);
      if (v === null || v < min || v > max || (integer && !Number.isInteger(v))) return err(`expected ${what}`);
      return v as Settings[K];
    },
    format: (v) => String(v),
  };
}

/** Number() accepts '', ' ', '0x10' and 'Infinity'; a URL value must be a plain decimal. */
function parseNumber(raw: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

const FIELDS: Field<keyof Settings>[] = [
  oneOf('tab', TABS),
  oneOf('dataset', DATASETS),
  num('points', 20, 2000, true),
  num('noise', 0, 1),
  num('trainRatio', 10, 90, true),
  num('classes', 2, 5, true),
  num('seed', 0, 2 ** 31 - 1, true),
  {
    key: 'features',
    parse: (raw) => {
      const list = raw === '' ? [] : raw.split(',');
      const bad = list.find((f) => !(FEATURES as readonly string[]).includes(f));
      if (bad !== undefined) return err(`unknown feature '${bad}'; expected some of ${FEATURES.join(', ')}`);
      if (list.length === 0) return err('expected at least one feature');
      // Keep the canonical order and drop repeats, so equal sets give equal URLs.
      return FEATURES.filter((f) => list.includes(f));
    },
    // Written in the canonical order too.
    format: (v) => FEATURES.filter((f) => (v as Feature[]).includes(f)).join(','),
  },
  {
    key: 'hidden',
    parse: (raw) => {
      const list = raw === '' ? [] : raw.split(',').map(parseNumber);
      if (list.length > MAX_LAYERS) return err(`expected at most ${MAX_LAYERS} hidden layers`);
      if (list.some((n) => n === null || !Number.isInteger(n) || n < 1 || n > MAX_NEURONS)) {
        return err(`expected comma-separated neuron counts, each an integer in [1, ${MAX_NEURONS}] (empty for none)`);
      }
      return list as number[];
    },
    format: (v) => (v as number[]).join(','),
  },
  oneOf('activation', ACTIVATIONS),
  oneOf('loss', LOSSES),
  oneOf('optimizer', OPTIMIZERS),
  num('lr', 1e-6, 10),
  num('batch', 1, 1000, true),
  oneOf('reg', REGULARIZATIONS),
  num('regRate', 0, 10),
  num('dropout', 0, 0.9),
  {
    key: 'showTest',
    parse: (raw) => (raw === '1' ? true : raw === '0' ? false : err('expected 0 or 1')),
    format: (v) => (v ? '1' : '0'),
  },
  num('fTrain', 30, 500, true),
  num('fSeed', 0, 2 ** 31 - 1, true),
  oneOf('gdFn', GD_FUNCTIONS),
  {
    key: 'gdStarts',
    // Parsed after gdFn (FIELDS order), whose dimension it needs.
    parse: (raw, partial) => {
      const dim = gdDim(partial.gdFn);
      const points = raw === '' ? [] : raw.split(';').map((p) => p.split(',').map(parseNumber));
      if (points.length < 1 || points.length > 8) return err('expected 1 to 8 starting points separated by ;');
      if (points.some((p) => p.length !== dim || p.some((v) => v === null || Math.abs(v) > 100))) {
        return err(`expected ${dim === 1 ? 'numbers' : 'x,y pairs'} in [-100, 100] for ${partial.gdFn}, separated by ;`);
      }
      return points as number[][];
    },
    format: (v) => (v as number[][]).map((p) => p.join(',')).join(';'),
  },
  num('gdLr', 1e-6, 10),
  num('gdMomentum', 0, 0.99),
  oneOf('gdSchedule', SCHEDULES),
  num('gdSteps', 1, 1000, true),
  num('eps', 0, 0.5),
];

/** A setting's default given the ones read before it: the GD starts and learning rate follow the function. */
function defaultFor(key: keyof Settings, partial: Readonly<Settings>): unknown {
  if (key === 'gdStarts') return DEFAULT_STARTS[partial.gdFn].map((p) => [...p]);
  if (key === 'gdLr') return DEFAULT_GD_LR[partial.gdFn];
  const v = DEFAULTS[key];
  return Array.isArray(v) ? structuredClone(v) : v;
}

export interface ParseResult {
  settings: Settings;
  /** One message per ignored key or invalid value (the default is used instead). */
  errors: string[];
}

/**
 * Reads settings from a URL hash or query ('#a=1&b=2', '?a=1', or 'a=1'). Missing keys take their defaults (the GD
 * starting points and learning rate those of the chosen function); an unknown key or a bad value is reported in
 * `errors` and replaced by the default.
 */
export function parseSettings(hash: string): ParseResult {
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  const settings = defaultSettings();
  const errors: string[] = [];
  const known = new Set<string>(FIELDS.map((f) => f.key));
  for (const key of new Set(params.keys())) {
    if (!known.has(key)) errors.push(`unknown setting '${key}' (ignored)`);
  }
  const put = (key: keyof Settings, v: unknown): void => {
    (settings as unknown as Record<string, unknown>)[key] = v;
  };
  for (const field of FIELDS) {
    const raw = params.get(field.key);
    if (raw === null) {
      put(field.key, defaultFor(field.key, settings));
      continue;
    }
    const v = field.parse(raw, settings);
    if (typeof v === 'object' && v !== null && 'error' in v) {
      const fallback = defaultFor(field.key, settings);
      errors.push(`setting '${field.key}' = '${raw}': ${v.error}; using ${field.format(fallback as never)}`);
      put(field.key, fallback);
      continue;
    }
    put(field.key, v);
  }
  return { settings, errors };
}

/** Writes every setting, in a fixed order, as a URL hash body (without '#'). */
export function serializeSettings(s: Readonly<Settings>): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) params.set(field.key, field.format(s[field.key] as never));
  // Commas, semicolons and the hash's own characters read fine in a URL; keep them unescaped for people.
  return params.toString().replace(/%2C/g, ',').replace(/%3B/g, ';');
}

/**
 * Checks a settings object (e.g. one built by the page) against the same rules as the URL; returns the messages,
 * empty when every value is valid.
 */
export function validateSettings(s: Readonly<Settings>): string[] {
  return parseSettings(serializeSettings(s)).errors;
}
