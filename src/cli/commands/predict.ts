/**
 * `backprop predict <model-dir> <file.eml>`: classifies one e-mail with a model folder written by `backprop spam`.
 * The message is parsed as the corpus was (src/data's parseEmail), turned into TF-IDF weights by the vectorizer
 * fitted at training time (saved in the folder), and the model's logit becomes P(spam) through the sigmoid.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noGrad } from '../../autograd/mode.js';
import { sigmoid } from '../../ops/index.js';
import { TfidfVectorizer, type TfidfVectorizerJSON, denseRows, parseEmail } from '../../data/index.js';
import { loadModelDir } from '../../io/model-dir.js';
import { type CommandSpec, type PrintOptions, JSON_FLAG, UsageError, pct, printJson, printer } from '../command.js';
import { VECTORIZER_FILE, emailText, shownPath } from './spam.js';

export interface PredictOptions extends PrintOptions {
  /** A folder written by `backprop spam` (config.json, model.safetensors, vectorizer.json). */
  modelDir: string;
  /** A raw e-mail (RFC 822 text, as saved by a mail client's "save as .eml"). */
  file: string;
}

export interface PredictResult {
  file: string;
  modelDir: string;
  /** The model's name in its config (e.g. 'MLP'). */
  model: string;
  subject: string;
  /** P(spam) = sigmoid(logit). */
  probability: number;
  label: 'spam' | 'ham';
  /** P(spam) at or above it means spam (from the model's config; 0.5 by default). */
  threshold: number;
  /** Words (and numbers, links, addresses) in the e-mail, and how many of them are in the model's vocabulary. */
  tokens: number;
  knownTokens: number;
}

/** Parses, vectorises and classifies one e-mail file; prints the verdict and returns it. */
export async function predictEmail(options: PredictOptions): Promise<PredictResult> {
  const { modelDir, file } = options;
  const { model, config } = await loadModelDir(modelDir);
  const vectorizerPath = join(modelDir, typeof config.vectorizer === 'string' ? config.vectorizer : VECTORIZER_FILE);
  let vectorizer: TfidfVectorizer;
  try {
    vectorizer = TfidfVectorizer.fromJSON(JSON.parse(await readFile(vectorizerPath, 'utf8')) as TfidfVectorizerJSON);
  } catch (err) {
    throw new Error(`predict: cannot load the vectorizer ${vectorizerPath} (${(err as Error).message}); expected a model folder written by \`backprop spam\``);
  }
  const inputs = Array.isArray(config.inputShape) ? config.inputShape[0] : undefined;
  if (inputs !== vectorizer.numFeatures) {
    throw new Error(`predict: the model in ${modelDir} takes ${String(inputs)} inputs but its vectorizer gives ${vectorizer.numFeatures} terms; expected a folder written by \`backprop spam\``);
  }
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`predict: cannot read the e-mail ${file} (${(err as Error).message})`);
  }
  const mail = await parseEmail(raw);
  const text = emailText(mail);
  const terms = vectorizer.analyze(text);
  const known = terms.filter((t) => vectorizer.vocabulary!.index(t) >= 0).length;
  const x = denseRows(vectorizer.transform([text]), [0]);
  const out = noGrad(() => sigmoid(model.forward(x)));
  if (out.numel() !== 1) throw new Error(`predict: the model in ${modelDir} gives ${out.numel()} outputs per e-mail; expected one logit (a \`backprop spam\` model)`);
  const probability = out.data()[0];
  const threshold = typeof config.threshold === 'number' ? config.threshold : 0.5;
  const result: PredictResult = {
    file, modelDir, model: typeof config.model === 'string' ? config.model : 'model', subject: mail.subject, probability,
    label: probability >= threshold ? 'spam' : 'ham', threshold, tokens: terms.length, knownTokens: known,
  };

  const log = printer(options);
  log(`${shownPath(file)}: ${result.label.toUpperCase()}  (P(spam) = ${probability.toFixed(4)}, spam when ≥ ${threshold})`);
  log(`  subject: ${mail.subject === '' ? '(none)' : JSON.stringify(mail.subject)}`);
  log(`  ${terms.length} tokens, ${known} of them (${pct(terms.length === 0 ? 0 : known / terms.length)}) in the vocabulary of ${vectorizer.numFeatures} terms`);
  log(`  model: ${result.model} in ${shownPath(modelDir)}`);
  if (terms.length === 0) log('  note: no text found in the e-mail; the verdict rests on the model\'s bias alone.');
  printJson(options, result);
  return result;
}

export const predictCommand: CommandSpec = {
  name: 'predict',
  summary: 'classify an e-mail (.eml) as spam or ham with a model saved by `backprop spam`',
  usage: 'predict <model-dir> <file.eml> [--json]',
  positional: [
    { name: 'model-dir', description: 'a model folder written by `backprop spam`, e.g. runs/spam/mlp' },
    { name: 'email', description: 'the e-mail: a raw message file (.eml, RFC 822 text)' },
  ],
  flags: { json: JSON_FLAG },
  run: (f) => {
    const modelDir = f['model-dir'];
    const file = f.email;
    if (typeof modelDir !== 'string' || modelDir === '') throw new UsageError('missing <model-dir>: a model folder written by `backprop spam`');
    if (typeof file !== 'string' || file === '') throw new UsageError('missing <file.eml>: the e-mail to classify');
    return predictEmail({ modelDir, file, json: f.json === true });
  },
};
