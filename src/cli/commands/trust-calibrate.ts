/**
 * `backprop calibrate <model-dir>`: how well a saved MNIST model's confidence matches its accuracy (ECE, MCE,
 * reliability diagram), and temperature scaling (Guo et al., 2017) fitted on the validation split, evaluated on
 * the test split. Prints tables, adds a section to <model-dir>/trust-report.html.
 */
import { narrow } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type ReliabilityDiagram, predictProba, reliabilityDiagram, temperatureNll, temperatureScale } from '../../trust/index.js';
import { forwardBatched } from '../../trust/util.js';
import { type FlagValues, type PrintOptions, JSON_FLAG, intFlag, num, pct, printJson, printTable, printer } from '../command.js';
import { type PositionalCommandSpec, commandLine, loadMnistModel, modelDirFlag } from './trust-common.js';
import { writeTrustReport } from './trust-report.js';

export interface CalibrateCommandOptions extends PrintOptions {
  /** ECE bins (default 15). */
  bins?: number;
  report?: boolean;
  commandLine?: string;
}

export interface CalibrationFigures {
  temperature: number;
  nll: number;
  ece: number;
  mce: number;
  accuracy: number;
  meanConfidence: number;
}

export interface CalibrateResult {
  modelDir: string;
  /** Where T was fitted: 'validation split' (held out from training) or 'first half of the test split'. */
  fittedOn: string;
  validationImages: number;
  testImages: number;
  temperature: number;
  before: CalibrationFigures;
  after: CalibrationFigures;
  /** Reliability-diagram bins before and after, on the test images. */
  binsBefore: ReliabilityDiagram['bins'];
  binsAfter: ReliabilityDiagram['bins'];
  report: string | null;
}

/** Fits a temperature on the validation split of a saved model and reports calibration before and after. */
export async function calibrateCommand(modelDir: string, options: CalibrateCommandOptions = {}): Promise<CalibrateResult> {
  const bins = options.bins ?? 15;
  const loaded = await loadMnistModel('calibrate', modelDir);
  const { model } = loaded;
  let xVal: Tensor;
  let yVal: Tensor;
  let xTest = loaded.xTest;
  let yTest = loaded.yTest;
  let fittedOn = 'validation split';
  if (loaded.xVal && loaded.yVal) {
    xVal = loaded.xVal;
    yVal = loaded.yVal;
  } else {
    // No held-out training rows: fit on the first half of the test split, evaluate on the second.
    const h = Math.floor(xTest.shape[0] / 2);
    [xVal, yVal] = [narrow(xTest, 0, 0, h), narrow(yTest, 0, 0, h)];
    [xTest, yTest] = [narrow(xTest, 0, h, xTest.shape[0] - h), narrow(yTest, 0, h, yTest.shape[0] - h)];
    fittedOn = 'first half of the test split';
  }
  const fitted = temperatureScale(model, xVal, yVal);
  const logits = forwardBatched(model, xTest);
  const figures = (t: number, probs: Tensor): [CalibrationFigures, ReliabilityDiagram] => {
    const d = reliabilityDiagram(probs, yTest, { bins });
    const nll = temperatureNll(logits, yTest, t);
    return [{ temperature: t, nll, ece: d.ece, mce: d.mce, accuracy: d.accuracy, meanConfidence: d.meanConfidence }, d];
  };
  const [before, dBefore] = figures(1, predictProba(model, xTest));
  const [after, dAfter] = figures(fitted.temperature, predictProba(fitted.model, xTest));

  const log = printer(options);
  log(`Calibration of ${modelDir}: T fitted on the ${fittedOn} (${xVal.shape[0]} images), figures on ${xTest.shape[0]} test images, ${bins} bins.`);
  log();
  const header = ['', 'T', 'NLL', 'ECE', 'MCE', 'accuracy', 'mean confidence'];
  const rows = [
    ['before (T = 1)', before] as const,
    ['temperature-scaled', after] as const,
  ].map(([name, f]) => [name, num(f.temperature, 4), num(f.nll, 4), pct(f.ece, 2), pct(f.mce, 2), pct(f.accuracy, 2), pct(f.meanConfidence, 2)]);
  printTable(log, header, rows);
  log();
  const binHeader = ['confidence', 'count', 'accuracy', 'confidence (mean)', 'count (T)', 'accuracy (T)', 'confidence (T)'];
  const binRows = dBefore.bins
    .map((b, i) => [b, dAfter.bins[i]] as const)
    .filter(([b, a]) => b.count > 0 || a.count > 0)
    .map(([b, a]) => [
      `(${b.lower.toFixed(2)}, ${b.upper.toFixed(2)}]`, b.count, b.count ? pct(b.accuracy) : '-', b.count ? pct(b.confidence) : '-',
      a.count, a.count ? pct(a.accuracy) : '-', a.count ? pct(a.confidence) : '-',
    ]);
  printTable(log, binHeader, binRows);
  let report: string | null = null;
  if (options.report ?? true) {
    const curve = (d: ReliabilityDiagram): [number, number][] => d.bins.filter((b) => b.count > 0).map((b) => [b.confidence, b.accuracy]);
    report = await writeTrustReport(modelDir, {
      key: 'calibrate',
      title: 'Calibration and temperature scaling',
      command: options.commandLine ?? `backprop calibrate ${modelDir}`,
      summary: `A temperature T = ${num(after.temperature, 4)} fitted on the ${fittedOn} ` +
        `changes the test ECE from ${pct(before.ece, 2)} to ${pct(after.ece, 2)}; ` +
        'dividing the logits by one positive number never changes the predicted class, so the accuracy is unchanged.',
      tables: [
        { caption: 'Test figures before and after temperature scaling', header, rows },
        { caption: 'Reliability diagram (test)', header: binHeader, rows: binRows },
      ],
      charts: [{
        title: 'Reliability diagram', xLabel: 'mean confidence of the bin', yLabel: 'accuracy of the bin',
        xRange: [0, 1], yRange: [0, 1], diagonal: true,
        series: [{ name: 'before', points: curve(dBefore) }, { name: `T = ${num(after.temperature, 3)}`, points: curve(dAfter) }],
      }],
    });
    log();
    log(`Report: ${report}`);
  }
  const result: CalibrateResult = {
    modelDir, fittedOn, validationImages: xVal.shape[0], testImages: xTest.shape[0], temperature: fitted.temperature,
    before, after, binsBefore: dBefore.bins, binsAfter: dAfter.bins, report,
  };
  printJson(options, result);
  return result;
}

export const calibrateCommandSpec: PositionalCommandSpec = {
  name: 'calibrate',
  summary: 'ECE, MCE and reliability diagram of a saved MNIST model, before and after temperature scaling',
  usage: 'calibrate <model-dir> [--bins <n>] [--json]',
  details: 'Fits the temperature on the validation rows recorded in <model-dir>/config.json (split.val), or on half of the\n' +
    'test split when there are none; evaluates on the (rest of the) test split; adds a section to <model-dir>/trust-report.html.',
  positional: { name: 'model-dir', description: 'folder of a saved model (config.json + model.safetensors)' },
  flags: {
    bins: { type: 'string', value: '<n>', description: 'equal-width confidence bins (default 15)' },
    json: JSON_FLAG,
  },
  run: (f: FlagValues) => {
    const dir = modelDirFlag(f);
    return calibrateCommand(dir, { bins: intFlag(f, 'bins', 15, 1, 1000), json: f.json === true, commandLine: commandLine('calibrate', dir, f) });
  },
};
