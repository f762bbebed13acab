/** Whether ops record the graph. Module state: JavaScript runs one op at a time on a thread. */
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets recording on or off and returns the previous setting. Prefer `noGrad(fn)`, which restores it. */
export function setGradEnabled(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/**
 * Runs `fn` without recording the graph (inference, parameter updates) and returns its result.
 * `fn` must be synchronous: recording is switched back on as soon as it returns.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new Error('noGrad: fn returned a Promise; pass a synchronous function (await inside noGrad is not supported)');
    }
    return r;
  } finally {
    setGradEnabled(prev);
  }
}

/** Runs `fn` with recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}
