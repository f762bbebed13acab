/**
 * `backprop attack <model-dir> --eps 0.1,0.2,0.3`: the accuracy-versus-ε curve of a saved MNIST model under
 * FGSM or PGD (L∞ or L2), on its test split. Prints a table, adds a section to <model-dir>/trust-report.html.
 */
import { Generator } from '../../tensor/random.js';
import { type Attack, type RobustPoint, fgsmAttack, pgdAttack, robustAccuracy } from '../../trust/index.js';
import {
  type FlagValues, type PrintOptions, JSON_FLAG, SEED_FLAG, UsageError, intFlag, numberListFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { type PositionalCommandSpec, commandLine, loadMnistModel, modelDirFlag } from './trust-common.js';
import { writeTrustReport } from './trust-report.js';

export interface AttackCommandOptions extends PrintOptions {
  /** Radii to attack with; ε = 0 (clean) is always added first. Default [0.05, 0.1, 0.2, 0.3]. */
  eps?: number[];
  attack?: 'fgsm' | 'pgd';
  /** PGD's threat model (default 'linf'). */
  norm?: 'linf' | 'l2';
  /** PGD steps (default 20). */
  steps?: number;
  /** Use only the first `limit` test images. */
  limit?: number;
  /** Seed of PGD's random start (default 0). */
  seed?: number;
  /** Write the HTML report section (default true). */
  report?: boolean;
  /** The command line, for the report. */
  commandLine?: string;
}

export interface AttackResult {
  modelDir: string;
  attack: string;
  testImages: number;
  points: RobustPoint[];
  report: string | null;
}

/** Runs the attack sweep on a saved model; prints and returns the curve. */
export async function attackCommand(modelDir: string, options: AttackCommandOptions = {}): Promise<AttackResult> {
  const kind = options.attack ?? 'fgsm';
  if (kind !== 'fgsm' && kind !== 'pgd') throw new UsageError(`--attack must be 'fgsm' or 'pgd', got '${String(kind)}'`);
  const norm = options.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new UsageError(`--norm must be 'linf' or 'l2', got '${String(norm)}'`);
  const eps = [0, ...(options.eps ?? [0.05, 0.1, 0.2, 0.3]).filter((e) => e !== 0)];
  if (eps.some((e) => !(e >= 0))) throw new UsageError(`--eps values must be ≥ 0, got ${eps.join(',')}`);
  const steps = options.steps ?? 20;
  const { model, xTest, yTest } = await loadMnistModel('attack', modelDir, options.limit);
  const generator = new Generator(options.seed ?? 0);
  const attack: Attack = kind === 'fgsm' ? fgsmAttack() : pgdAttack({ norm, steps, generator });
  const name = kind === 'fgsm' ? 'FGSM (L∞)' : `PGD (${norm === 'linf' ? 'L∞' : 'L2'}, ${steps} steps)`;
  const points = robustAccuracy(model, [xTest, yTest], attack, eps);

  const log = printer(options);
  log(`${name} on ${modelDir}: ${xTest.shape[0]} MNIST test images, pixels in [0, 1].`);
  log();
  const header = ['ε', 'accuracy', 'error rate', 'mean confidence', 'confidence when wrong'];
  const rows = points.map((p) => [String(p.eps), pct(p.accuracy), pct(p.errorRate), pct(p.meanConfidence), pct(p.meanWrongConfidence)]);
  printTable(log, header, rows);
  let report: string | null = null;
  if (options.report ?? true) {
    report = await writeTrustReport(modelDir, {
      key: 'attack',
      title: `Adversarial robustness: ${name}`,
      command: options.commandLine ?? `backprop attack ${modelDir}`,
      summary: `Accuracy of the model on ${xTest.shape[0]} test images perturbed by ${name} within radius ε (ε = 0: clean).`,
      tables: [{ caption: 'Accuracy versus ε', header, rows }],
      charts: [{
        title: 'Accuracy versus ε', xLabel: 'ε', yLabel: 'accuracy', yRange: [0, 1],
        series: [{ name, points: points.map((p) => [p.eps, p.accuracy]) }],
      }],
    });
    log();
    log(`Report: ${report}`);
  }
  const result: AttackResult = { modelDir, attack: name, testImages: xTest.shape[0], points, report };
  printJson(options, result);
  return result;
}

function parseOptions(f: FlagValues): AttackCommandOptions {
  const attack = stringFlag(f, 'attack') ?? 'fgsm';
  const norm = stringFlag(f, 'norm') ?? 'linf';
  return {
    eps: numberListFlag(f, 'eps', [0.05, 0.1, 0.2, 0.3]),
    attack: attack as 'fgsm',
    norm: norm as 'linf',
    steps: intFlag(f, 'steps', 20, 1),
    limit: f.limit === undefined ? undefined : intFlag(f, 'limit', 0, 1),
    seed: intFlag(f, 'seed', 0, 0),
    json: f.json === true,
  };
}

export const attackCommandSpec: PositionalCommandSpec = {
  name: 'attack',
  summary: 'accuracy of a saved MNIST model under FGSM/PGD attacks, ε by ε',
  usage: 'attack <model-dir> [--eps 0.1,0.2,0.3] [--attack fgsm|pgd] [--norm linf|l2] [--steps <n>] [--limit <n>] [--json]',
  details: 'Evaluates on the test split recorded in <model-dir>/config.json and adds a section to <model-dir>/trust-report.html.',
  positional: { name: 'model-dir', description: 'folder of a saved model (config.json + model.safetensors)' },
  flags: {
    eps: { type: 'string', value: '<list>', description: 'comma-separated radii (default 0.05,0.1,0.2,0.3; ε = 0 is always shown)' },
    attack: { type: 'string', value: '<name>', description: "'fgsm' (default) or 'pgd'" },
    norm: { type: 'string', value: '<norm>', description: "PGD's norm: 'linf' (default) or 'l2'" },
    steps: { type: 'string', value: '<n>', description: 'PGD steps (default 20)' },
    limit: { type: 'string', value: '<n>', description: 'use only the first n test images' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => {
    const dir = modelDirFlag(f);
    return attackCommand(dir, { ...parseOptions(f), commandLine: commandLine('attack', dir, f) });
  },
};
