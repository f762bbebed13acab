/**
 * Panel 4, digits: draw a digit and see what an MNIST model (trained by web/scripts/train-digits.ts and shipped as
 * public/digits.safetensors) predicts, which pixels its decision is most sensitive to (saliency), and how a small
 * FGSM perturbation of size ε flips the prediction while the image barely changes.
 */
import type { nn } from '../../src/index.js';
import type { App, Panel } from './app.js';
import { h, pct, rangeField } from './dom.js';
import { type RGB, diverging } from './draw.js';
import { PIXELS, SIDE, argmax, fgsm, loadDigitsModel, predict, preprocess, saliency } from './digitscore.js';
import { type Settings, cloneSettings } from './state.js';

const PAD = 280;
/** Brush width on the 280-pixel pad: after scaling the digit to 20 pixels it is about as thick as MNIST's strokes. */
const BRUSH = 20;

interface ModelInfo {
  architecture: string;
  testAccuracy: number;
  testImages: number;
  trainImages: number;
  examples: Record<string, string>;
}

/** Paints 784 values onto a 28×28 canvas (CSS scales it up, pixelated). */
function paintImage(canvas: HTMLCanvasElement, color: (i: number) => RGB): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const c = color(i);
    img.data.set([c[0], c[1], c[2], 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

const grey = (v: number): RGB => [255 * v, 255 * v, 255 * v];

function pixelCanvas(label: string, testId: string, size = 140): HTMLCanvasElement {
  const c = h('canvas', { class: 'pixels', width: SIDE, height: SIDE, role: 'img', 'aria-label': label, 'data-testid': testId });
  c.style.width = `${size}px`;
  c.style.height = `${size}px`;
  return c;
}

export function createDigitsPanel(root: HTMLElement, app: App): Panel {
  let settings = cloneSettings(app.settings);
  let model: nn.Module | null = null;
  let info: ModelInfo | null = null;
  let loading: Promise<void> | null = null;
  let image: Float32Array | null = null;
  let probs: Float32Array | null = null;
  let advProbs: Float32Array | null = null;
  let eps = settings.eps;
  let error = '';

  // ---- Drawing pad.
  const pad = h('canvas', { class: 'pad', width: PAD, height: PAD, 'data-testid': 'digits-pad', role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
  const pctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = h('button', { 'data-testid': 'digits-clear' }, 'Clear');
  const examples = h('div', { class: 'examples', role: 'group', 'aria-label': 'MNIST test digits' });
  const modelLine = h('p', { class: 'small muted', 'data-testid': 'digits-model' }, 'Loading the model…');
  const errorBox = h('div', { class: 'error', role: 'alert' });
  const input = pixelCanvas('What the model sees: the drawing cropped, scaled to 20 pixels and centred in 28×28', 'digits-input', 112);

  // ---- Prediction.
  const predicted = h('div', { class: 'prediction', 'data-testid': 'digits-prediction', 'aria-live': 'polite' }, '–');
  const confidence = h('div', { class: 'muted' }, 'Draw a digit');
  const bars = h('div', { class: 'bars', 'data-testid': 'digits-probs' });
  const barFills: HTMLElement[] = [];
  const barTexts: HTMLElement[] = [];
  const barLabels: HTMLElement[] = [];
  for (let d = 0; d < 10; d++) {
    const fill = h('div', { style: 'width: 0%' });
    const text = h('span', {}, '');
    const label = h('span', {}, String(d));
    barFills.push(fill);
    barTexts.push(text);
    barLabels.push(label);
    bars.append(label, h('div', { class: 'bar', role: 'meter', 'aria-label': `P(${d})`, 'aria-valuemin': 0, 'aria-valuemax': 1 }, fill), text);
  }

  // ---- Saliency and FGSM.
  const salCanvas = pixelCanvas('Saliency: the drawing in grey, the pixels the predicted class is most sensitive to in red', 'digits-saliency');
  const advCanvas = pixelCanvas('The adversarial image', 'digits-adversarial');
  const deltaCanvas = pixelCanvas('The perturbation: blue where pixels were raised, orange where lowered', 'digits-delta');
  const epsField = rangeField('FGSM ε (largest change per pixel)', { min: 0, max: 0.3, step: 0.005, value: eps, format: (v) => v.toFixed(3), testId: 'digits-eps' }, (v) => app.update({ eps: v }));
  epsField.input.addEventListener('input', () => {
    eps = Number(epsField.input.value);
    attack();
  });
  const advText = h('p', { 'data-testid': 'digits-adv-text', 'aria-live': 'polite' }, '');

  root.append(
    h('p', { class: 'lead' },
      'Draw a digit. The model is a small multilayer perceptron (one hidden layer) trained on MNIST by this project. Saliency shows |∂logit/∂pixel| for the predicted class; the fast gradient sign method moves every pixel by ε in the direction that raises the loss — a change you can hardly see that can change the answer.'),
    h('div', { class: 'digits-grid' },
      h('section', { class: 'stack', 'aria-label': 'Drawing' },
        h('h2', {}, 'Draw'),
        pad,
        h('div', { class: 'row', style: 'align-items: center' }, clear, h('span', { class: 'small muted' }, 'or load a test digit:'), examples),
        h('div', { class: 'row', style: 'align-items: center' }, input, h('span', { class: 'small muted', style: 'max-width: 150px' }, 'What the model sees: 28×28, centred by mass, as in MNIST.')),
        modelLine, errorBox),
      h('section', { 'aria-label': 'Prediction' }, h('h2', {}, 'Prediction'), predicted, confidence, h('div', { style: 'height: 10px' }), bars),
      h('section', { class: 'stack', 'aria-label': 'Explanations' },
        h('h2', {}, 'Saliency and adversarial example'),
        h('div', { class: 'images' },
          h('figure', {}, salCanvas, h('figcaption', {}, 'saliency |∂logit/∂x|')),
          h('figure', {}, advCanvas, h('figcaption', {}, 'x′ = clamp(x + ε·sign ∇ₓloss)')),
          h('figure', {}, deltaCanvas, h('figcaption', {}, 'x′ − x'))),
        epsField.el, advText)),
  );

  // ---- Drawing with pointer events (mouse, pen, touch).
  function clearPad(): void {
    pctx.fillStyle = '#000';
    pctx.fillRect(0, 0, PAD, PAD);
    image = null;
    exampleImage = null;
    update();
  }
  let drawing = false;
  let last: [number, number] | null = null;
  let exampleImage: Float32Array | null = null;
  let frame = 0;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * PAD, ((e.clientY - r.top) / r.height) * PAD];
  };
  const line = (a: [number, number], b: [number, number]): void => {
    pctx.strokeStyle = '#fff';
    pctx.lineWidth = BRUSH;
    pctx.lineCap = 'round';
    pctx.lineJoin = 'round';
    pctx.beginPath();
    pctx.moveTo(a[0], a[1]);
    pctx.lineTo(b[0], b[1]);
    pctx.stroke();
  };
  /** Re-reads the pad at most once per frame while drawing. */
  const schedule = (): void => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      readPad();
    });
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    drawing = true;
    exampleImage = null;
    last = at(e);
    line(last, last);
    schedule();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing || !last) return;
    const p = at(e);
    line(last, p);
    last = p;
    schedule();
  });
  const end = (): void => {
    drawing = false;
    last = null;
    readPad();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  clear.addEventListener('click', clearPad);

  function readPad(): void {
    if (exampleImage) return;
    const rgba = pctx.getImageData(0, 0, PAD, PAD).data;
    const gray = new Float32Array(PAD * PAD);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
    image = preprocess(gray, PAD, PAD);
    update();
  }

  function showExample(digit: number): void {
    if (!info) return;
    const bytes = Uint8Array.from(atob(info.examples[digit]), (c) => c.charCodeAt(0));
    exampleImage = Float32Array.from(bytes, (b) => b / 255);
    const small = document.createElement('canvas');
    small.width = SIDE;
    small.height = SIDE;
    paintImage(small, (i) => grey(exampleImage![i]));
    pctx.imageSmoothingEnabled = true;
    pctx.fillStyle = '#000';
    pctx.fillRect(0, 0, PAD, PAD);
    pctx.drawImage(small, 0, 0, PAD, PAD);
    image = exampleImage;
    update();
  }

  /** Prediction, bars and saliency for the current image, then the attack. */
  function update(): void {
    if (!image) {
      probs = null;
      advProbs = null;
      predicted.textContent = '–';
      confidence.textContent = 'Draw a digit';
      barFills.forEach((f, d) => {
        f.style.width = '0%';
        barTexts[d].textContent = '';
        barLabels[d].classList.remove('top-class');
      });
      for (const c of [input, salCanvas, advCanvas, deltaCanvas]) paintImage(c, () => [0, 0, 0]);
      advText.textContent = '';
      return;
    }
    const img = image;
    paintImage(input, (i) => grey(img[i]));
    if (!model) return;
    probs = predict(model, img);
    const c = argmax(probs);
    predicted.textContent = String(c);
    confidence.textContent = `with probability ${pct(probs[c])}`;
    probs.forEach((p, d) => {
      barFills[d].style.width = `${(100 * p).toFixed(1)}%`;
      barTexts[d].textContent = pct(p);
      barLabels[d].classList.toggle('top-class', d === c);
    });
    const sal = saliency(model, img, c);
    const top = Math.max(1e-12, ...sal);
    paintImage(salCanvas, (i) => {
      const s = Math.min(1, sal[i] / top);
      const g = 0.45 * img[i];
      return [255 * Math.max(g, s), 255 * g * (1 - s), 255 * g * (1 - s)];
    });
    attack();
  }

  function attack(): void {
    if (!model || !image || !probs) return;
    const img = image;
    const c = argmax(probs);
    const adv = eps > 0 ? fgsm(model, img, c, eps) : img;
    advProbs = predict(model, adv);
    const a = argmax(advProbs);
    paintImage(advCanvas, (i) => grey(adv[i]));
    paintImage(deltaCanvas, (i) => diverging(eps > 0 ? (adv[i] - img[i]) / eps : 0));
    let changed = 0;
    for (let i = 0; i < PIXELS; i++) changed += Math.abs(adv[i] - img[i]);
    advText.replaceChildren(
      `At ε = ${eps.toFixed(3)} the model says `,
      h('b', { class: a === c ? '' : 'flip' }, String(a)),
      ` (${pct(advProbs[a])})${a === c ? '' : `, not ${c}`}. Mean change per pixel: ${(changed / PIXELS).toFixed(3)}.`,
    );
  }

  async function load(): Promise<void> {
    try {
      const [weights, meta] = await Promise.all([fetch('./digits.safetensors'), fetch('./digits.json')]);
      if (!weights.ok || !meta.ok) throw new Error(`could not load the model files (HTTP ${weights.status}, ${meta.status})`);
      model = loadDigitsModel(new Uint8Array(await weights.arrayBuffer())).model;
      info = (await meta.json()) as ModelInfo;
      modelLine.textContent = `Model: ${info.architecture}; test accuracy ${pct(info.testAccuracy)} on ${info.testImages.toLocaleString('en')} MNIST digits it never saw (trained on ${info.trainImages.toLocaleString('en')}).`;
      examples.replaceChildren(
        ...Object.keys(info.examples).sort().map((d) => {
          const b = h('button', { 'aria-label': `Load a test image of the digit ${d}`, 'data-testid': `digits-example-${d}` }, d);
          b.addEventListener('click', () => showExample(Number(d)));
          return b;
        }),
      );
      update();
    } catch (e) {
      error = `Digits model: ${(e as Error).message}`;
      errorBox.textContent = error;
      modelLine.textContent = '';
    }
  }

  clearPad();

  return {
    apply(s: Readonly<Settings>, changed) {
      settings = cloneSettings(s);
      if (changed.has('eps')) {
        eps = s.eps;
        epsField.set(eps);
        attack();
      }
    },
    show(v) {
      if (v && !loading) loading = load();
    },
    hooks: Object.freeze({
      get ready(): boolean {
        return model !== null;
      },
      /** The predicted digit, or −1 without a drawing. */
      get prediction(): number {
        return probs ? argmax(probs) : -1;
      },
      get probabilities(): number[] {
        return probs ? [...probs] : [];
      },
      /** The prediction on the FGSM image at the current ε. */
      get adversarialPrediction(): number {
        return advProbs ? argmax(advProbs) : -1;
      },
      get eps(): number {
        return eps;
      },
      get error(): string {
        return error;
      },
    }),
  };
}
