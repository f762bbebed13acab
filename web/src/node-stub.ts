/**
 * Stands in, in the browser bundle, for the modules the library loads lazily in Node only (node:fs, cli-progress,
 * pngjs, the data-set packages). The page never takes those paths; if something did, the import fails with this message.
 */
export {};
throw new Error('This part of Backprop needs Node.js (files, terminal progress bars, PNG files, data-set packages); it is not available in the browser');
