/** Convolution layers: Conv2d and its adjoint ConvTranspose2d, NCHW, with PyTorch's weight layouts and default init. */
import { type Conv2dOptions, type ConvTranspose2dOptions, type Size2, conv2d, convTranspose2d } from '../ops/index.js';
import { empty } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultLayerInit_ } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface Conv2dLayerOptions extends Conv2dOptions {
  /** Add a learned bias per output channel (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
}

export interface ConvTranspose2dLayerOptions extends ConvTranspose2dOptions {
  bias?: boolean;
  dtype?: 'float32' | 'float64';
}

function toPair(layer: string, name: string, v: Size2 | undefined, fallback: number, min: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new Error(`${layer}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or an [h, w] pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/** What Conv2d and ConvTranspose2d share (PyTorch's _ConvNd): the settings, the parameters and their init. */
abstract class ConvBase extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(layer: string, inChannels: number, outChannels: number, kernelSize: Size2, o: Conv2dLayerOptions | ConvTranspose2dLayerOptions, transposed: boolean) {
    super();
    for (const [name, n] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${layer}: ${name} must be a positive integer, got ${n}`);
    }
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${layer}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0) throw new Error(`${layer}: inChannels ${inChannels} is not divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new Error(`${layer}: outChannels ${outChannels} is not divisible by groups ${groups}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = toPair(layer, 'kernelSize', kernelSize, 1, 1);
    this.stride = toPair(layer, 'stride', o.stride, 1, 1);
    this.dilation = toPair(layer, 'dilation', o.dilation, 1, 1);
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    // conv2d: [out, in/groups, kh, kw]; its adjoint keeps the same tensor, so [in, out/groups, kh, kw].
    const shape = transposed ? [inChannels, outChannels / groups, kh, kw] : [outChannels, inChannels / groups, kh, kw];
    const dtype = o.dtype ?? 'float32';
    this.weight = new Parameter(empty(shape, dtype));
    this.bias = (o.bias ?? true) ? new Parameter(empty([outChannels], dtype)) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default init: W ~ kaiming_uniform(a = √5) = U(±1/√fanIn) and b ~ U(±1/√fanIn), with fanIn taken from
   * the weight's dim 1 times kh·kw (for ConvTranspose2d that is outChannels/groups·kh·kw, as in PyTorch).
   */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  protected settings(): string {
    const s = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`];
    if (this.dilation.some((d) => d !== 1)) s.push(`dilation=[${this.dilation}]`);
    if (this.groups !== 1) s.push(`groups=${this.groups}`);
    if (!this.bias) s.push('bias=false');
    return s.join(', ');
  }
}

/**
 * 2-D convolution over [N, inChannels, H, W] (or [C, H, W]) giving [N, outChannels, Hout, Wout], with
 * Hout = ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1. Weight [outChannels, inChannels/groups, kh, kw].
 */
export class Conv2d extends ConvBase {
  readonly padding: [number, number] | 'same' | 'valid';

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super('Conv2d', inChannels, outChannels, kernelSize, options, false);
    const p = options.padding;
    if (p === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new Error(`Conv2d: padding 'same' needs stride 1, got stride [${this.stride}]`);
    }
    this.padding = p === 'same' || p === 'valid' ? p : toPair('Conv2d', 'padding', p, 0, 0);
  }

  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const p = typeof this.padding === 'string' ? `'${this.padding}'` : `[${this.padding}]`;
    return `${this.settings()}, padding=${p}`;
  }
}

/**
 * Transposed convolution, the adjoint of Conv2d (a learned upsampling): [N, inChannels, H, W] → [N, outChannels,
 * Hout, Wout] with Hout = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 * Weight [inChannels, outChannels/groups, kh, kw].
 */
export class ConvTranspose2d extends ConvBase {
  readonly padding: [number, number];
  readonly outputPadding: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvTranspose2dLayerOptions = {}) {
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, options, true);
    this.padding = toPair('ConvTranspose2d', 'padding', options.padding, 0, 0);
    this.outputPadding = toPair('ConvTranspose2d', 'outputPadding', options.outputPadding, 0, 0);
    for (let i = 0; i < 2; i++) {
      if (this.outputPadding[i] >= this.stride[i] && this.outputPadding[i] >= this.dilation[i]) {
        throw new Error(`ConvTranspose2d: outputPadding [${this.outputPadding}] must be smaller than stride [${this.stride}] or dilation [${this.dilation}] in each dim`);
      }
    }
  }

  override forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }

  override extraRepr(): string {
    const s = [this.settings(), `padding=[${this.padding}]`];
    if (this.outputPadding.some((d) => d !== 0)) s.push(`outputPadding=[${this.outputPadding}]`);
    return s.join(', ');
  }
}
