/**
 * `npm run fixtures -- <folder> [--only group,group]`: checks every case of every *.json file of a folder in
 * the PyTorch reference format (../shared/fixtures/FORMAT.md) against Backprop, prints `<group>: N passed,
 * M failed` per file with the failing cases under it, and ends with `N passed, M failed`. Exit code 1 on a failure.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FixtureFile, runCase } from './fixture-cases.js';

export interface FileReport {
  file: string;
  group: string;
  passed: number;
  failures: { name: string; reason: string }[];
}

/** Runs every case of one fixture file. */
export function runFixtureFile(path: string): FileReport {
  const json = JSON.parse(readFileSync(path, 'utf8')) as FixtureFile;
  if (!json || !Array.isArray(json.cases)) throw new Error(`fixtures: ${path} is not a fixture file (no "cases" array)`);
  const report: FileReport = { file: path, group: json.group ?? path, passed: 0, failures: [] };
  for (const c of json.cases) {
    let reason: string | null;
    try {
      reason = runCase(c);
    } catch (e) {
      reason = `threw: ${(e as Error).message}`;
    }
    if (reason === null) report.passed++;
    else report.failures.push({ name: c.name, reason });
  }
  return report;
}

/** Runs every *.json file of `dir` (optionally only the named groups). */
export function runFixtureFolder(dir: string, only?: readonly string[]): FileReport[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`fixtures: ${dir} is not a folder`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const reports = files.map((f) => runFixtureFile(join(dir, f)));
  return only ? reports.filter((r) => only.includes(r.group)) : reports;
}

function main(argv: string[]): number {
  const args = [...argv];
  let only: string[] | undefined;
  let verbose = false;
  const dirs: string[] = [];
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === '--only') only = (args.shift() ?? '').split(',').filter(Boolean);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run fixtures -- <folder> [--only group,group] [--verbose]');
      return 0;
    } else dirs.push(a);
  }
  if (dirs.length !== 1) {
    console.error('usage: npm run fixtures -- <folder> [--only group,group] [--verbose]');
    return 2;
  }
  const reports = runFixtureFolder(resolve(dirs[0]), only);
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    passed += r.passed;
    failed += r.failures.length;
    console.log(`${r.group}: ${r.passed} passed, ${r.failures.length} failed`);
    for (const f of r.failures) console.log(`  ${f.name}: ${verbose || f.reason.length <= 160 ? f.reason : f.reason.slice(0, 157) + '...'}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
