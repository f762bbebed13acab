/** Writing the evaluation report in Node: uPlot's files are read from the installed `uplot` package. */
import { writeFileAtomic } from '../io/files.js';
import { type EvaluationReportSpec, type UplotAssets, renderEvaluationReport } from './evaluation.js';

let assets: Promise<UplotAssets> | null = null;

/** uPlot's minified browser build (an IIFE that defines `uPlot`) and its stylesheet, read once per process. */
export function loadUplotAssets(): Promise<UplotAssets> {
  assets ??= (async () => {
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const require = createRequire(import.meta.url);
    let js: string;
    let css: string;
    try {
      [js, css] = await Promise.all([
        readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
        readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      ]);
    } catch (err) {
      throw new Error(`writeEvaluationReport: cannot read uPlot's files from the 'uplot' package (${(err as Error).message}); install it with \`npm install uplot\``);
    }
    return { js, css };
  })();
  assets.catch(() => {
    assets = null;
  });
  return assets;
}

/** Renders the report and writes it to `path` (atomically; folders created); returns the path. */
export async function writeEvaluationReport(path: string, spec: EvaluationReportSpec): Promise<string> {
  await writeFileAtomic(path, renderEvaluationReport(spec, await loadUplotAssets()));
  return path;
}
