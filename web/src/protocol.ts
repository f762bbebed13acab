/** Messages between the page and its training worker (web/src/worker.ts). */
import type { CompareModel } from './compare.js';
import type { CsvPoints, Points, Snapshot } from './netcore.js';
import type { Settings } from './state.js';

/** Grid resolution of the network panel's heatmaps, and of the comparison panel's. */
export const NET_GRID = 50;
export const CMP_GRID = 60;

export type ToWorker =
  /** Builds a fresh run from the settings (data, weights), then reports epoch 0. */
  | { kind: 'net-reset'; settings: Settings; csv: CsvPoints | null }
  | { kind: 'net-play' }
  | { kind: 'net-pause' }
  /** Trains one epoch and reports it. */
  | { kind: 'net-step' }
  /** Fits the four models of the unit-circle comparison, reporting each as it finishes. */
  | { kind: 'cmp-run'; id: number; nTrain: number; seed: number };

export type FromWorker =
  /** The run's data, sent once per reset before its first snapshot. */
  | { kind: 'net-data'; points: Points }
  | {
      kind: 'net-snapshot';
      snapshot: Snapshot;
      /** Losses of every epoch since the last snapshot: [epoch, train, test]. */
      history: [number, number, number][];
      playing: boolean;
    }
  | { kind: 'cmp-model'; id: number; model: CompareModel; trainAcc: number; testAcc: number; grid: Float32Array }
  | { kind: 'error'; source: 'net' | 'cmp'; message: string }
  /** Sent once when the worker starts: the kernel backend it trains with, and why that one. */
  | { kind: 'backend'; name: string; reason: string };
