/** Embedding: a learned lookup table from integer ids to vectors. */
import { embedding } from '../ops/index.js';
import { empty } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal_ } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface EmbeddingOptions {
  /** A row that stays zero and gets no gradient (e.g. the padding token); negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: 'float32' | 'float64';
}

/** Rows of weight [numEmbeddings, embeddingDim] picked by int32 indices of any shape S, giving S + [embeddingDim]. */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalised to 0..numEmbeddings−1, or null. */
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, n] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`Embedding: ${name} must be a non-negative integer, got ${n}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const pad = options.paddingIdx ?? null;
    if (pad !== null && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx ${pad} is out of range for ${numEmbeddings} embeddings (expected ${-numEmbeddings}..${numEmbeddings - 1})`);
    }
    this.paddingIdx = pad !== null && pad < 0 ? pad + numEmbeddings : pad;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], options.dtype ?? 'float32'));
    this.resetParameters();
  }

  /** PyTorch's init: every entry ~ N(0, 1), then the padding row set to zero. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const d = this.embeddingDim;
      this.weight.data().fill(0, this.paddingIdx * d, (this.paddingIdx + 1) * d);
    }
  }

  override forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
