/**
 * `backprop shift <model-dir>`: a saved MNIST model on shifted test images (rotation, noise, blur, inversion,
 * severities 1–5): accuracy and ECE per severity, and how well its uncertainty flags the shifted inputs (AUROC of
 * max-softmax probability and of MC-dropout entropy). Prints a table, adds a section to the trust report.
 */
import { CORRUPTIONS, type Corruption, SEVERITY_LEVELS, type ShiftReport, type ShiftRow, evaluateShift } from '../../trust/index.js';
import {
  type FlagValues, type PrintOptions, JSON_FLAG, SEED_FLAG, UsageError, intFlag, numberListFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { type PositionalCommandSpec, commandLine, loadMnistModel, modelDirFlag } from './trust-common.js';
import { writeTrustReport } from './trust-report.js';

export interface ShiftCommandOptions extends PrintOptions {
  corruptions?: Corruption[];
  severities?: number[];
  /** MC-dropout samples (default 20; 0 skips the entropy AUROC). */
  mcSamples?: number;
  /** Use only the first `limit` test images. */
  limit?: number;
  /** Seed of the corruptions (default 0). */
  seed?: number;
  report?: boolean;
  commandLine?: string;
}

export interface ShiftResult extends ShiftReport {
  modelDir: string;
  testImages: number;
  report: string | null;
}

const LEVEL_UNITS: Record<Corruption, string> = { rotate: '°', gaussianNoise: ' σ', gaussianBlur: ' px', invert: '' };

/** Evaluates a saved model on corrupted test images; prints and returns the table. */
export async function shiftCommand(modelDir: string, options: ShiftCommandOptions = {}): Promise<ShiftResult> {
  const corruptions = options.corruptions ?? [...CORRUPTIONS];
  for (const c of corruptions) {
    if (!CORRUPTIONS.includes(c)) throw new UsageError(`--corruptions: unknown '${c}'; expected some of ${CORRUPTIONS.join(',')}`);
  }
  const severities = options.severities ?? [1, 2, 3, 4, 5];
  for (const s of severities) if (!(Number.isInteger(s) && s >= 1 && s <= 5)) throw new UsageError(`--severities must be integers in 1..5, got ${s}`);
  const { model, xTest, yTest } = await loadMnistModel('shift', modelDir, options.limit);
  const r = evaluateShift(model, xTest, yTest, { corruptions, severities, mcSamples: options.mcSamples ?? 20, seed: options.seed ?? 0 });

  const log = printer(options);
  log(`Distribution shift on ${modelDir}: ${xTest.shape[0]} MNIST test images per row, corruption seed ${options.seed ?? 0}` +
    (r.mcSamples > 0 ? `, MC dropout with ${r.mcSamples} samples.` : ' (no Dropout layer: no MC-dropout entropy).'));
  log('AUROC: how well low max-softmax probability (MSP) or high MC-dropout entropy tells the shifted images from the clean ones (0.5 = blind).');
  log();
  const header = ['corruption', 'severity', 'level', 'accuracy', 'ECE', 'AUROC (MSP)', 'AUROC (MC entropy)'];
  const fmtRow = (row: ShiftRow): string[] => [
    row.corruption === 'none' ? 'none (clean)' : row.corruption,
    String(row.severity),
    row.corruption === 'none' ? '-' : `${row.level}${LEVEL_UNITS[row.corruption]}`,
    pct(row.accuracy), pct(row.ece), row.corruption === 'none' ? '-' : row.aurocMsp.toFixed(3),
    row.corruption === 'none' || !Number.isFinite(row.aurocEntropy) ? '-' : row.aurocEntropy.toFixed(3),
  ];
  const rows = [fmtRow(r.clean), ...r.rows.map(fmtRow)];
  printTable(log, header, rows);
  let report: string | null = null;
  if (options.report ?? true) {
    const per = (f: (row: ShiftRow) => number) => corruptions.map((c) => ({
      name: c,
      points: [[0, f(r.clean)] as [number, number], ...r.rows.filter((x) => x.corruption === c).map((x) => [x.severity, f(x)] as [number, number])],
    }));
    report = await writeTrustReport(modelDir, {
      key: 'shift',
      title: 'Distribution shift',
      command: options.commandLine ?? `backprop shift ${modelDir}`,
      summary: `Severity levels: ${corruptions.map((c) => `${c} ${SEVERITY_LEVELS[c].join('/')}`).join('; ')}. ` +
        'AUROC: detecting shifted test images among the clean ones by low max-softmax probability (Hendrycks & Gimpel, 2017) ' +
        'or high MC-dropout predictive entropy.',
      tables: [{ caption: 'Accuracy, calibration and shift detection per corruption and severity', header, rows }],
      charts: [
        { title: 'Accuracy versus severity', xLabel: 'severity (0 = clean)', yLabel: 'accuracy', yRange: [0, 1], series: per((x) => x.accuracy) },
        { title: 'ECE versus severity', xLabel: 'severity (0 = clean)', yLabel: 'ECE', series: per((x) => x.ece) },
        {
          title: 'Shift detection: AUROC of 1 − MSP', xLabel: 'severity', yLabel: 'AUROC', yRange: [0.4, 1],
          series: per((x) => x.aurocMsp).map((s) => ({ ...s, points: s.points.slice(1) })),
        },
      ],
    });
    log();
    log(`Report: ${report}`);
  }
  const result: ShiftResult = { modelDir, testImages: xTest.shape[0], ...r, report };
  printJson(options, result);
  return result;
}

function parseOptions(f: FlagValues): ShiftCommandOptions {
  const list = stringFlag(f, 'corruptions');
  return {
    corruptions: list === undefined ? undefined : (list.split(',').map((s) => s.trim()) as Corruption[]),
    severities: numberListFlag(f, 'severities', [1, 2, 3, 4, 5]),
    mcSamples: intFlag(f, 'mc-samples', 20, 0),
    limit: f.limit === undefined ? undefined : intFlag(f, 'limit', 0, 1),
    seed: intFlag(f, 'seed', 0, 0),
    json: f.json === true,
  };
}

export const shiftCommandSpec: PositionalCommandSpec = {
  name: 'shift',
  summary: 'accuracy, ECE and uncertainty of a saved MNIST model on rotated, noisy, blurred and inverted digits',
  usage: 'shift <model-dir> [--corruptions <list>] [--severities 1,2,3,4,5] [--mc-samples <n>] [--limit <n>] [--json]',
  details: 'Evaluates on the test split recorded in <model-dir>/config.json and adds a section to <model-dir>/trust-report.html.',
  positional: { name: 'model-dir', description: 'folder of a saved model (config.json + model.safetensors)' },
  flags: {
    corruptions: { type: 'string', value: '<list>', description: `some of ${CORRUPTIONS.join(',')} (default all)` },
    severities: { type: 'string', value: '<list>', description: 'severities in 1..5 (default 1,2,3,4,5)' },
    'mc-samples': { type: 'string', value: '<n>', description: 'MC-dropout samples (default 20; 0 skips the entropy AUROC)' },
    limit: { type: 'string', value: '<n>', description: 'use only the first n test images' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => {
    const dir = modelDirFlag(f);
    return shiftCommand(dir, { ...parseOptions(f), commandLine: commandLine('shift', dir, f) });
  },
};
