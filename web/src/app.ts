/** What the page (main.ts) gives each panel, and what each panel gives back. */
import type { Settings } from './state.js';

export interface App {
  /** The current settings (the URL's); read-only, change them through update(). */
  readonly settings: Readonly<Settings>;
  /** Changes some settings: the URL is rewritten and every panel is told which keys changed. */
  update(patch: Partial<Settings>): void;
}

export interface Panel {
  /** New settings, with the keys that changed (every key on the first call). */
  apply(s: Readonly<Settings>, changed: ReadonlySet<keyof Settings>): void;
  /** The panel's tab was shown (true) or hidden (false); panels compute only while shown. */
  show(visible: boolean): void;
  /** Read-only figures for tests and the curious (window.__playground). */
  readonly hooks: object;
}

/** True when any of `keys` changed. */
export const anyChanged = (changed: ReadonlySet<keyof Settings>, keys: readonly (keyof Settings)[]): boolean =>
  keys.some((k) => changed.has(k));
