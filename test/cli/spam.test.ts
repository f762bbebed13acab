// `backprop spam` and `backprop predict` on the real SpamAssassin corpus: the parsed-records cache (written,
// read back, corruption detected and rebuilt), the whole roadmap with a smaller honest configuration (2,000 TF-IDF
// terms, 5 epochs) reaching F1 ≥ 0.95 for both models on the held-out 20%, the saved folders, the HTML report, and
// predict on an obvious spam and an obvious ham message. The corpus is parsed once per process (≈ 10–15 s of CPU).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { type SpamResult, spam } from '../../src/cli/commands/spam.js';
import { predictEmail } from '../../src/cli/commands/predict.js';
import { cacheFileName, cacheText, defaultCacheDir, loadSpamRecords, readCacheText, splitSpamRecords } from '../../src/cli/commands/spam-cache.js';
import { loadModelDir, saveModelDir } from '../../src/io/model-dir.js';
import type { EmailRecord } from '../../src/data/spam.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'backprop-spam-'));
const cacheDir = join(dir, 'cache');
const out = join(dir, 'runs', 'spam');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs main() in-process and captures its output. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const SPAM_EML = `From: "Best Deals" <deals@cheap-offers.biz>
To: friend@example.com
Subject: FREE money!!! Guaranteed income - click here now
Date: Mon, 2 Sep 2002 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Dear friend,

You have been selected to receive a GUARANTEED income of $5,000 per week working from home!
This is a limited time opportunity. No experience needed. Click here to order now:
http://www.cheap-offers.biz/order

Increase your income, buy now and save 50%. Money back guarantee, 100% free, no risk.
To be removed from our mailing list, reply with REMOVE in the subject line.
`;

const HAM_EML = `From: Alice Martin <alice@lists.example.org>
To: exmh-users@example.org
Subject: Re: sequences not updated after folder rescan
Date: Tue, 3 Sep 2002 14:12:00 +0100
In-Reply-To: <20020902.1234@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

On Mon, 2 Sep 2002, Bob wrote:
> After I rescan the inbox, the unseen sequence is still stale.

I saw the same thing with the CVS version last week. The fix is in the
patch Chris posted to the list on Friday: the folder cache was not
invalidated when the sequences file changed. Try updating to the latest
CVS and let me know if it still happens; if so, send the output of
exmh -debug and I'll take a look.

Thanks,
Alice
`;

describe('the parsed-corpus cache', () => {
  let parsed: EmailRecord[] = [];

  test('the first load parses the corpus and writes the cache; the second reads the same records back', async () => {
    const first = await loadSpamRecords({ cacheDir });
    assert.equal(first.source, 'parsed');
    assert.equal(first.reason, 'no cache file yet');
    assert.equal(first.writeError, null);
    assert.ok(first.path && existsSync(first.path) && first.path.startsWith(cacheDir));
    parsed = first.records;
    // The corpus's folders: 3,900 easy ham, 250 hard ham, 1,896 spam.
    assert.equal(parsed.length, 6046);
    assert.deepEqual(['easy_ham', 'hard_ham', 'spam'].map((g) => parsed.filter((r) => r.group === g).length), [3900, 250, 1896]);

    const second = await loadSpamRecords({ cacheDir });
    assert.equal(second.source, 'cache');
    assert.equal(second.reason, null);
    assert.equal(second.path, first.path);
    assert.deepEqual(second.records, parsed);
  });

  test('the split of cached records is datasets.spamAssassin\'s split', async () => {
    for (const seed of [0, 3]) {
      const ours = splitSpamRecords(parsed, seed);
      const theirs = await bp.data.datasets.spamAssassin({ seed, testSize: 0.2 });
      assert.deepEqual(ours.train.map((r) => r.id), theirs.train.map((r) => r.id));
      assert.deepEqual(ours.test.map((r) => r.id), theirs.test.map((r) => r.id));
      assert.equal(ours.test.length, Math.ceil(6046 * 0.2));
    }
  });

  test('a corrupt cache file is detected, ignored and rebuilt', async () => {
    const { name } = await cacheFileName();
    const path = join(cacheDir, name);
    const good = readFileSync(path, 'utf8');
    // Still valid JSON, one letter of one body changed: only the checksum can tell.
    const at = good.indexOf('"body":"') + 20;
    const flipped = good.slice(0, at) + (good[at] === 'x' ? 'y' : 'x') + good.slice(at + 1);
    writeFileSync(path, flipped);
    const load = await loadSpamRecords({ cacheDir });
    assert.equal(load.source, 'parsed');
    assert.equal(load.reason, 'the file is corrupt: the records do not match their SHA-256');
    assert.deepEqual(load.records, parsed);
    assert.equal(readFileSync(path, 'utf8'), good, 'the cache is rewritten');
    // A truncated file (other checks: the next test).
    writeFileSync(path, good.slice(0, good.length / 2));
    assert.match((await loadSpamRecords({ cacheDir })).reason ?? '', /^the file is corrupt: not valid JSON/);
    assert.equal((await loadSpamRecords({ cacheDir })).source, 'cache');
  });

  test('every check of a cache file names what is wrong', async () => {
    const { key } = await cacheFileName();
    const few = parsed.slice(0, 3);
    assert.deepEqual(readCacheText(cacheText(few, key), key), few);
    assert.match(String(readCacheText(cacheText(few, key), 'other')), /another corpus or parser/);
    assert.match(String(readCacheText('{"format":"something else"}', key)), /not a backprop-spam-records file/);
    assert.match(String(readCacheText('[1, 2', key)), /not valid JSON/);
    // A record whose label disagrees with its group, with a checksum that matches: the field checks catch it.
    const wrongLabel = [{ ...few[0], label: few[0].label === 1 ? 0 : 1 }] as EmailRecord[];
    assert.match(String(readCacheText(cacheText(wrongLabel, key), key)), /record 0 is malformed/);
    const duplicated = [few[0], few[0]];
    assert.match(String(readCacheText(cacheText(duplicated, key), key)), /record 1 is malformed/);
  });

  test('the default cache folder is node_modules/.cache/backprop beside the corpus package', () => {
    assert.equal(defaultCacheDir(), join(root, 'node_modules', '.cache', 'backprop'));
  });
});

describe('backprop spam and backprop predict', () => {
  let result: SpamResult;
  let lines: string[] = [];

  test('the roadmap reaches F1 ≥ 0.95 on the held-out 20% with both models', async () => {
    lines = [];
    result = await spam({ seed: 0, out, epochs: 5, maxFeatures: 2000, cacheDir, json: true, log: (l) => lines.push(l) });
    assert.equal(result.data.emails, 6046);
    assert.equal(result.data.train + result.data.test, 6046);
    assert.equal(result.data.test, 1210);
    assert.equal(result.data.source, 'cache');
    assert.equal(result.features.terms, 2000);
    for (const key of ['logistic', 'mlp'] as const) {
      const m = result.models[key];
      assert.ok(m.f1 >= 0.95, `${key}: F1 ${m.f1}`);
      assert.ok(m.auc >= 0.98, `${key}: AUC ${m.auc}`);
      assert.equal(m.epochs, 5);
      // The figures agree with the confusion matrix, counted by hand.
      const [[tn, fp], [fn, tp]] = m.confusion;
      assert.equal(tn + fp + fn + tp, 1210);
      assert.equal(fn + tp, result.data.testSpam);
      assert.ok(Math.abs(m.precision - tp / (tp + fp)) < 1e-12);
      assert.ok(Math.abs(m.recall - tp / (tp + fn)) < 1e-12);
      assert.ok(Math.abs(m.f1 - (2 * tp) / (2 * tp + fp + fn)) < 1e-12);
      assert.ok(Math.abs(m.accuracy - (tp + tn) / 1210) < 1e-12);
      assert.deepEqual(Object.keys(m.history).sort(), ['accuracy', 'loss', 'valAccuracy', 'valLoss']);
      assert.equal(m.history.loss.length, 5);
      assert.ok(m.history.loss[4] < m.history.loss[0], 'the training loss goes down');
    }
    // The printed steps, and the --json last line holding the same figures.
    const text = lines.join('\n');
    for (const h of ['1. Task', '2. Data', '3. Features', '4. Training', '5. Evaluation', '6. Saved']) assert.match(text, new RegExp(`^${h}`, 'm'));
    assert.match(text, /Read from the cache /);
    assert.match(text, /^ {2}logistic regression +0\.9\d\d +0\.9\d\d +0\.9\d\d/m);
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), JSON.parse(JSON.stringify(result)));
  });

  test('the model folders hold the weights, the config and the vectorizer fitted on the training split', async () => {
    for (const key of ['logistic', 'mlp'] as const) {
      const folder = result.models[key].dir;
      assert.equal(folder, join(out, key));
      for (const f of ['config.json', 'model.safetensors', 'vectorizer.json']) assert.ok(existsSync(join(folder, f)), `${key}/${f}`);
      const { config } = await loadModelDir(folder);
      assert.deepEqual(config.inputShape, [2000]);
      assert.equal((config.metrics as { f1: number }).f1, result.models[key].f1);
      const vectorizer = JSON.parse(readFileSync(join(folder, 'vectorizer.json'), 'utf8')) as { numDocs: number; vocabulary: { tokens: string[] } };
      assert.equal(vectorizer.numDocs, result.data.train, 'idf from the training e-mails only');
      assert.equal(vectorizer.vocabulary.tokens.length, 2000);
    }
  });

  test('the HTML report embeds uPlot, the three charts\' data and the confusion matrices', () => {
    assert.equal(result.report, join(out, 'report.html'));
    const html = readFileSync(result.report, 'utf8');
    const uplot = readFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8');
    assert.ok(html.includes(uplot), 'uPlot\'s script is inlined');
    assert.ok(!/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=/i.test(html), 'nothing is loaded from elsewhere');
    assert.ok(!/(src|href)\s*=\s*["']?\s*https?:/i.test(html));
    const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(block);
    const data = JSON.parse(block[1]) as { charts: { id: string; series: { label: string; values: (number | null)[] }[] }[]; models: { confusion: number[][] }[] };
    assert.deepEqual(data.charts.map((c) => c.id), ['chart-loss', 'chart-accuracy', 'chart-roc', 'chart-roc-zoom']);
    const loss = data.charts[0];
    assert.deepEqual(loss.series.find((s) => s.label === 'MLP, test')?.values, result.models.mlp.history.valLoss);
    assert.deepEqual(loss.series.find((s) => s.label === 'logistic regression, training')?.values, result.models.logistic.history.loss);
    const roc = data.charts[2];
    assert.ok(roc.series.some((s) => s.label.startsWith(`MLP (AUC ${result.models.mlp.auc.toFixed(4)})`)));
    assert.deepEqual(data.models.map((m) => m.confusion), [result.models.logistic.confusion, result.models.mlp.confusion]);
    // The confusion tables show the counts.
    for (const m of [result.models.logistic, result.models.mlp]) {
      for (const v of m.confusion.flat()) assert.match(html, new RegExp(`>${v}</td>`));
    }
  });

  test('predict: an obvious spam and an obvious ham message', async () => {
    const spamFile = join(dir, 'offer.eml');
    const hamFile = join(dir, 'reply.eml');
    writeFileSync(spamFile, SPAM_EML);
    writeFileSync(hamFile, HAM_EML);
    for (const key of ['logistic', 'mlp']) {
      const lines: string[] = [];
      const s = await predictEmail({ modelDir: join(out, key), file: spamFile, json: true, log: (l) => lines.push(l) });
      assert.equal(s.label, 'spam', `${key}: P(spam) ${s.probability}`);
      assert.ok(s.probability > 0.9, `${key}: P(spam) ${s.probability}`);
      assert.equal(s.subject, 'FREE money!!! Guaranteed income - click here now');
      assert.ok(s.knownTokens > 0.5 * s.tokens);
      assert.match(lines[0], /offer\.eml: SPAM {2}\(P\(spam\) = 0\.9\d+, spam when ≥ 0\.5\)/);
      assert.deepEqual(JSON.parse(lines[lines.length - 1]), s);

      const h = await predictEmail({ modelDir: join(out, key), file: hamFile, log: () => {} });
      assert.equal(h.label, 'ham', `${key}: P(spam) ${h.probability}`);
      assert.ok(h.probability < 0.1, `${key}: P(spam) ${h.probability}`);
    }
  });

  test('predict: mistakes get clear messages and exit codes', async () => {
    const model = join(out, 'mlp');
    let r = await run(['predict', model]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing <file\.eml>/);
    r = await run(['predict', model, 'a.eml', 'b.eml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unexpected argument 'b\.eml'/);
    r = await run(['predict', model, join(dir, 'nope.eml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /predict: cannot read the e-mail .*nope\.eml/);
    // A model folder without a vectorizer (any saveModelDir folder).
    const bare = join(dir, 'bare');
    await saveModelDir(bare, new bp.nn.Sequential(new bp.nn.Linear(3, 1)));
    r = await run(['predict', bare, join(dir, 'offer.eml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot load the vectorizer .*vectorizer\.json.*`backprop spam`/);
    r = await run(['predict', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: backprop predict <model-dir> <file\.eml>/);
    assert.match(r.stdout, /<model-dir> +a model folder/);
  });

  test('examples/spam.ts, the same roadmap with the public API, reaches F1 ≥ 0.95 with both models', async () => {
    // Imported in this process, so datasets.spamAssassin reuses the records parsed above.
    const printed: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      await import('../../examples/spam.js');
    } finally {
      console.log = original;
    }
    assert.equal(printed[0], '4836 training and 1210 test e-mails');
    for (const name of ['logistic regression', 'MLP']) {
      const line = printed.find((l) => l.startsWith(`${name}: `));
      const f1 = Number(/F1 ([\d.]+)/.exec(line ?? '')?.[1]);
      assert.ok(f1 >= 0.95, `${name}: ${line}`);
    }
  });

  test('spam: flags are checked before any work', async () => {
    let r = await run(['spam', '--epochs', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--epochs must be an integer in \[1, 10000\], got '0'/);
    r = await run(['spam', '--max-features', 'many']);
    assert.equal(r.code, 2);
    r = await run(['spam', '--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--seed', '--out', '--epochs', '--max-features', '--json']) assert.ok(r.stdout.includes(flag), flag);
  });
});
