import { writeFileAtomic } from '../io/files.js';
import { serializeSafetensors } from '../io/safetensors.js';
import { Callback, type Mode, monitored, resolveMode } from './callbacks.js';
import type { Logs } from './types.js';

export interface ModelCheckpointOptions {
  /** The figure that decides "best" (default 'valLoss'). */
  monitor?: string;
  /** Write only when the monitored figure improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
}

/**
 * Saves the model's weights as a .safetensors file (PyTorch's parameter names) after every epoch, or only on
 * improvement. `path` may contain `{epoch}`. Each write goes to a temporary file that is renamed into place,
 * so a crash mid-write never leaves a truncated checkpoint. Node only.
 */
export class ModelCheckpoint extends Callback {
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly mode: 'min' | 'max';
  best: number;
  /** Paths written so far. */
  readonly saved: string[] = [];

  constructor(readonly path: string, options: ModelCheckpointOptions = {}) {
    super();
    if (!path) throw new Error('ModelCheckpoint: path is required');
    this.monitor = options.monitor ?? 'valLoss';
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveBestOnly) {
      const v = monitored('ModelCheckpoint', this.monitor, logs);
      if (!(this.mode === 'min' ? v < this.best : v > this.best)) return;
      this.best = v;
    }
    const file = this.path.replaceAll('{epoch}', String(epoch + 1));
    const metadata: Record<string, string> = { format: 'backprop', epoch: String(epoch + 1), logs: JSON.stringify(logs) };
    await writeFileAtomic(file, serializeSafetensors(this.ctx.model.stateDict(), metadata));
    this.saved.push(file);
  }
}

/** Appends one CSV row of the epoch's figures per epoch (header first). Node only. */
export class CSVLogger extends Callback {
  private keys: string[] | null = null;
  constructor(readonly path: string, readonly options: { append?: boolean; separator?: string } = {}) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = null;
    if (!this.options.append) {
      const fs = await import('node:fs/promises');
      await fs.rm(this.path, { force: true });
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const fs = await import('node:fs/promises');
    const sep = this.options.separator ?? ',';
    let text = '';
    if (!this.keys) {
      this.keys = Object.keys(logs);
      const exists = await fs.stat(this.path).then(() => true, () => false);
      if (!exists) text += ['epoch', ...this.keys].join(sep) + '\n';
    }
    text += [epoch + 1, ...this.keys.map((k) => logs[k] ?? '')].join(sep) + '\n';
    await fs.appendFile(this.path, text);
  }
}
