// End-to-end: builds the playground, serves it on 127.0.0.1 (a free port), and drives the real page in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core; scripts/ensure-chromium.sh installs it).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { type Playground, startPlayground } from '../../web/serve.js';
import { defaultSettings, serializeSettings } from '../../web/src/state.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(`playground tests: no Chromium at ${CHROMIUM}; run scripts/ensure-chromium.sh (or set CHROMIUM_PATH)`);
}

/** J₂(x) = x²·sin(πx)/(1 + ln x) in plain numbers, as an independent check of the page's minima. */
const j2 = (x: number): number => (x * x * Math.sin(Math.PI * x)) / (1 + Math.log(x));

describe('playground in Chromium', { timeout: 300_000 }, () => {
  let outDir = '';
  let pg: Playground;
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'bp-playground-'));
    pg = await startPlayground({ port: 0, outDir, logLevel: 'silent' });
    // launch() gives the browser a fresh temporary profile (user-data-dir) of its own and removes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-quic',
      ],
    });
  });

  // Each test's pages go when it ends, so that their workers stop using the CPU.
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });

  after(async () => {
    await browser?.close();
    await pg?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** Opens the page at a hash in a fresh context, recording console errors and uncaught exceptions. */
  async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pg.url}#${hash}`);
    await page.waitForFunction(() => '__playground' in window, null, { timeout: 10_000 });
    return { page, errors };
  }

  const hook = <T>(page: Page, expr: string): Promise<T> => page.evaluate(`window.__playground.${expr}`) as Promise<T>;
  const waitFor = (page: Page, expr: string, timeout = 20_000): Promise<unknown> =>
    page.waitForFunction(`(() => { const p = window.__playground; return ${expr}; })()`, null, { timeout, polling: 50 });

  test('the build has no Node-only module in it', () => {
    const files = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const code = readFileSync(join(outDir, 'assets', f), 'utf8');
      // An import of a node: module (static, dynamic or require) or of cli-progress; the Vite config replaces them.
      assert.doesNotMatch(code, /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'`]node:/, `${f} imports a node: module`);
      assert.doesNotMatch(code, /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'`](cli-progress|pngjs|mnist)["'`]/, `${f} imports a Node-only package`);
      // What Vite puts in place of a Node built-in that some dependency needs: that dependency would not work here.
      assert.ok(!code.includes('__vite-browser-external'), `${f} holds a Node built-in stubbed by Vite`);
    }
  });

  test('the page loads, and every tab opens, with no console errors', async () => {
    const { page, errors } = await open('');
    await waitFor(page, 'p.network.ready');
    assert.equal(await page.locator('[role=tab][aria-selected=true]').textContent(), 'Network');
    for (const tab of ['features', 'gd', 'digits', 'network']) {
      await page.getByTestId(`tab-${tab}`).click();
      await page.locator(`#panel-${tab}`).waitFor({ state: 'visible' });
    }
    await waitFor(page, 'p.digits.ready && p.gd.ends.length > 0');
    assert.deepEqual(errors, []);
  });

  test("the training worker runs on the wasm backend, and the page says so", async () => {
    const { page, errors } = await open('tab=network');
    await waitFor(page, "p.network.backend !== ''");
    assert.equal(await hook<string>(page, 'network.backend'), 'wasm');
    assert.match((await page.getByTestId('kernels').textContent()) ?? '', /Backprop's wasm: /);
    assert.deepEqual(errors, []);
  });

  test('play lowers the test loss on the circle and changes the boundary', async () => {
    const { page, errors } = await open('tab=network&dataset=circle');
    await waitFor(page, 'p.network.ready');
    const loss0 = await hook<number>(page, 'network.testLoss');
    const picture0 = await hook<string>(page, 'network.boundaryChecksum');
    assert.ok(Number.isFinite(loss0));
    await page.getByTestId('net-play').click();
    await waitFor(page, `p.network.epoch >= 3 && p.network.testLoss < 0.8 * ${loss0}`, 30_000);
    await page.getByTestId('net-play').click();
    await waitFor(page, '!p.network.playing');
    assert.ok((await hook<number>(page, 'network.testLoss')) < 0.8 * loss0);
    assert.notEqual(await hook<string>(page, 'network.boundaryChecksum'), picture0);
    assert.equal(await hook<string>(page, 'network.error'), '');
    assert.deepEqual(errors, []);
  });

  test('a URL with settings reproduces the same run', async () => {
    const settings = {
      ...defaultSettings(), dataset: 'xor' as const, seed: 7, points: 200, noise: 0.1, trainRatio: 60, features: ['x1' as const, 'x2' as const, 'x1x2' as const],
      hidden: [5, 3], activation: 'relu' as const, optimizer: 'momentum' as const, lr: 0.1, batch: 8, reg: 'l2' as const, regRate: 0.001, dropout: 0.1,
    };
    const hash = serializeSettings(settings);
    /** Steps three epochs from the URL's settings: in a fresh page, or in `page` by editing its address. */
    const run = async (h: string, reuse?: { page: Page; errors: string[] }): Promise<{ trainLoss: number; testLoss: number; checksum: string; hash: string }> => {
      const { page, errors } = reuse ?? (await open(h));
      if (reuse) await page.evaluate((x) => (location.hash = x), h);
      await waitFor(page, `p.network.ready && p.hash === ${JSON.stringify(h)}`);
      for (let e = 1; e <= 3; e++) {
        await page.getByTestId('net-step').click();
        await waitFor(page, `p.network.epoch === ${e}`);
      }
      assert.deepEqual(errors, []);
      return {
        trainLoss: await hook<number>(page, 'network.trainLoss'),
        testLoss: await hook<number>(page, 'network.testLoss'),
        checksum: await hook<string>(page, 'network.outputChecksum'),
        hash: await hook<string>(page, 'hash'),
      };
    };
    const a = await run(hash);
    const second = await open(hash);
    const b = await run(hash, second);
    assert.equal(a.hash, hash, 'the page rewrote the settings it was given');
    assert.deepEqual(b, a);
    // The same page, its link edited to another seed: another run.
    const other = await run(serializeSettings({ ...settings, seed: 8 }), second);
    assert.notEqual(other.checksum, a.checksum, 'another seed should give another run');
  });

  test("a user's CSV file becomes the data set", async () => {
    const { page, errors } = await open('tab=network');
    await waitFor(page, 'p.network.ready');
    // Three classes on three rings, the label column named and in the middle.
    const rows = Array.from({ length: 120 }, (_, i) => {
      const r = 1 + (i % 3);
      return `${(r * Math.cos(i)).toFixed(3)},${['a', 'b', 'c'][i % 3]},${(r * Math.sin(i)).toFixed(3)}`;
    });
    await page.getByTestId('csv-input').setInputFiles({ name: 'rings.csv', mimeType: 'text/csv', buffer: Buffer.from(`u,label,v\n${rows.join('\n')}`) });
    await waitFor(page, "p.settings.dataset === 'csv' && p.network.ready && p.network.classes === 3");
    await page.getByTestId('net-step').click();
    await waitFor(page, 'p.network.epoch === 1');
    assert.equal(await hook<string>(page, 'network.error'), '');
    assert.deepEqual(errors, []);
  });

  test('the φ(x) model reaches ≥ 95% test accuracy from 30 training points', async () => {
    const { page, errors } = await open('tab=features&fTrain=30');
    // The MLP comes last; the lesson's claims are about the other three.
    await waitFor(page, "['lrRaw', 'tree', 'lrPhi'].every((m) => m in p.features.results)", 30_000);
    const r = await hook<Record<string, { trainAcc: number; testAcc: number }>>(page, 'features.results');
    assert.equal(await hook<number>(page, 'features.trainSize'), 30);
    assert.ok(r.lrPhi.testAcc >= 0.95, `φ(x) test accuracy ${r.lrPhi.testAcc}`);
    // The lesson's other points: a line in (x₁, x₂) underfits; the tree fits its training points but not the test.
    assert.ok(r.lrRaw.testAcc < 0.8, `raw logistic regression ${r.lrRaw.testAcc}`);
    assert.equal(r.tree.trainAcc, 1);
    assert.ok(r.tree.testAcc < r.lrPhi.testAcc);
    assert.deepEqual(errors, []);
  });

  test('the digits panel predicts a drawn digit', async () => {
    const { page, errors } = await open('tab=digits');
    await waitFor(page, 'p.digits.ready');
    const pad = (await page.getByTestId('digits-pad').boundingBox())!;
    const stroke = async (points: [number, number][]): Promise<void> => {
      const at = ([x, y]: [number, number]): [number, number] => [pad.x + (x / 280) * pad.width, pad.y + (y / 280) * pad.height];
      await page.mouse.move(...at(points[0]));
      await page.mouse.down();
      for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 3 });
      await page.mouse.up();
    };
    // A one: a slightly slanted vertical stroke.
    await stroke([[150, 40], [140, 140], [132, 240]]);
    await waitFor(page, 'p.digits.prediction === 1');
    // A zero: an ellipse.
    await page.getByTestId('digits-clear').click();
    await waitFor(page, 'p.digits.prediction === -1');
    const ellipse = Array.from({ length: 17 }, (_, i): [number, number] => [140 + 65 * Math.sin((i / 16) * 2 * Math.PI), 140 - 95 * Math.cos((i / 16) * 2 * Math.PI)]);
    await stroke(ellipse);
    await waitFor(page, 'p.digits.prediction === 0');
    const probs = await hook<number[]>(page, 'digits.probabilities');
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((s, p) => s + p, 0) - 1) < 1e-4);
    assert.equal(await hook<string>(page, 'digits.error'), '');
    assert.deepEqual(errors, []);
  });

  test("the GD panel's paths end at different minima", async () => {
    const { page, errors } = await open('tab=gd&gdFn=j2');
    await waitFor(page, 'p.gd.ends.length === 3');
    const ends = (await hook<number[][]>(page, 'gd.ends')).map((p) => p[0]);
    const h = 1e-4;
    for (const x of ends) {
      // A local minimum of J₂: zero slope and positive curvature, by central differences.
      const slope = (j2(x + h) - j2(x - h)) / (2 * h);
      const curvature = (j2(x + h) - 2 * j2(x) + j2(x - h)) / (h * h);
      assert.ok(Math.abs(slope) < 0.05, `J′(${x}) = ${slope}`);
      assert.ok(curvature > 0, `J″(${x}) = ${curvature}`);
    }
    const sorted = [...ends].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i] - sorted[i - 1] > 1, `ends ${sorted.join(', ')} are not distinct minima`);
    assert.deepEqual(errors, []);
  });
});
