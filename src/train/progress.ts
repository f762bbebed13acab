import { Callback } from './callbacks.js';
import type { Logs } from './types.js';

type Bar = { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; stop(): void };

const fmt = (logs: Logs): string =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4)}`)
    .join(' · ');

/**
 * A terminal progress bar per epoch (cli-progress) with the running loss and metrics, samples per second and
 * ETA, and a summary line per epoch. Prints nothing when the output is not a terminal (logs, CI, pipes) or
 * outside Node, unless `force` is set.
 */
export class ProgressBar extends Callback {
  private bar: Bar | null = null;
  private enabled = false;
  private epoch = 0;
  private started = 0;
  private samples = 0;
  private stream: NodeJS.WriteStream | null = null;

  constructor(readonly options: { force?: boolean; stream?: NodeJS.WriteStream } = {}) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    const stream = this.options.stream ?? (typeof process !== 'undefined' ? process.stdout : undefined);
    this.enabled = !!stream && (this.options.force || !!stream.isTTY);
    if (!this.enabled || !stream) return;
    this.stream = stream;
    const { SingleBar, Presets } = await import('cli-progress');
    this.bar = new SingleBar(
      {
        format: 'epoch {epoch} |{bar}| {value}/{total} · {logs} · {speed} samples/s · ETA {eta_formatted}',
        stream,
        hideCursor: true,
        clearOnComplete: true,
        noTTYOutput: !!this.options.force,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    ) as unknown as Bar;
  }

  override onEpochBegin(epoch: number): void {
    if (!this.enabled) return;
    this.epoch = epoch;
    this.started = performance.now();
    this.samples = 0;
    this.bar?.start(this.ctx.steps ?? 0, 0, { epoch: `${epoch + 1}/${this.ctx.epochs}`, logs: '', speed: 0 });
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    if (!this.enabled) return;
    this.samples += logs.size ?? 0;
    const secs = (performance.now() - this.started) / 1000;
    const { size: _size, ...rest } = logs;
    this.bar?.update(batch + 1, { epoch: `${this.epoch + 1}/${this.ctx.epochs}`, logs: fmt(rest), speed: Math.round(this.samples / Math.max(secs, 1e-9)) });
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (!this.enabled) return;
    this.bar?.stop();
    const secs = (performance.now() - this.started) / 1000;
    this.stream?.write(`epoch ${epoch + 1}/${this.ctx.epochs} · ${fmt(logs)} · ${secs.toFixed(1)} s\n`);
  }

  override onTrainEnd(): void {
    this.bar?.stop();
  }
}
