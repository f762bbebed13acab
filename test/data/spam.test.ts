import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasets, parseEmail, tokenize } from '../../src/data/index.js';
import { loadSpamAssassinRaw } from '../../src/data/spam.js';

// Tags that html-to-text removes; a literal "<Includes FREE Shipping!>" in the text is not one of them.
const TAG = /<\/?(?:html|head|body|p|div|br|font|table|tr|td|a|img|span|b|i|center|style|script|meta)\b[^>]*>/i;

test('parseEmail: headers, quoted-printable, base64, multipart alternative, HTML-only (synthetic messages)', async () => {
  const qp = await parseEmail(
    'Subject: =?utf-8?Q?Caf=C3=A9_offer?=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
      'Price: 3=E2=82=AC, a very long line that was=\n wrapped softly.=0AEnd',
  );
  assert.deepEqual({ ...qp, body: qp.body.trimEnd() }, { subject: 'Café offer', body: 'Price: 3€, a very long line that was wrapped softly.\nEnd' });
  const b64 = await parseEmail(
    `Subject: b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${Buffer.from('Hello wörld\r\nline 2').toString('base64')}`,
  );
  assert.equal(b64.body.trim(), 'Hello wörld\nline 2');
  const alt = await parseEmail(
    'Subject: alt\nContent-Type: multipart/alternative; boundary="XX"\n\n--XX\nContent-Type: text/plain\n\nplain version\n' +
      '--XX\nContent-Type: text/html\n\n<p>html <b>version</b></p>\n--XX--\n',
  );
  assert.equal(alt.body.trim(), 'plain version');
  const html = await parseEmail(
    'Subject: h\nContent-Type: text/html\n\n<html><body><p>Buy <b>now</b> &amp; save!</p><a href="http://spam.example/x">here</a></body></html>',
  );
  assert.ok(!TAG.test(html.body), html.body);
  assert.deepEqual(tokenize(html.body), ['buy', 'now', 'save', 'here', '__url__']);
});

test('spamAssassin: corpus size, groups and labels, parsed bodies, stratified seeded split', async () => {
  const records = await datasets.spamAssassinRecords();
  assert.equal(records.length, 6046);
  const byGroup: Record<string, number> = {};
  for (const r of records) byGroup[r.group] = (byGroup[r.group] ?? 0) + 1;
  assert.deepEqual(byGroup, { easy_ham: 3900, hard_ham: 250, spam: 1896 });
  assert.equal(records.filter((r) => r.label === 1).length, 1896);
  assert.ok(records.every((r) => r.label === (r.group === 'spam' ? 1 : 0)));
  assert.equal(new Set(records.map((r) => r.id)).size, 6046);
  assert.ok(records.filter((r) => r.body.trim() === '').length < 10); // a few spams are only a script or an image
  assert.equal(await datasets.spamAssassinRecords(), records); // cached per process

  // Known messages of the corpus: quoted-printable and base64 bodies decode to readable text.
  const byId = new Map(records.map((r) => [r.id, r]));
  const qp = byId.get('spam-2/00795')!; // text/plain, quoted-printable with =20 and =A0
  assert.equal(qp.subject, 'eBay and Auction Info 30314');
  assert.ok(qp.body.includes('How would you like to earn $750 a day') && !/=20|=A0/.test(qp.body));
  const b64 = byId.get('hard-ham-1/00240')!; // text/plain, base64
  assert.ok(b64.body.includes('SUBSCRIPTION INFORMATION') && b64.body.includes('If you wish to be removed from this list'));
  const b64html = byId.get('spam-1/00023')!; // text/html only, base64
  assert.ok(b64html.body.startsWith('This message is sent to our subscribers only.') && !TAG.test(b64html.body));

  // Every HTML-only message (no text/plain part anywhere) comes out without tags.
  const raw = await loadSpamAssassinRaw();
  const head = (t: string): string => t.slice(0, t.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
  const htmlOnly = raw.filter((m) => /^content-type:\s*text\/html/im.test(head(m.text)) && !/content-type:\s*text\/plain/i.test(m.text));
  assert.ok(htmlOnly.length > 500, `${htmlOnly.length} HTML-only messages`);
  const tagged = htmlOnly.map((m) => byId.get(`${m.group}/${m.id}`)!).filter((r) => TAG.test(r.body));
  assert.deepEqual(tagged.map((r) => r.id), []);

  const { train, test: testPart } = await datasets.spamAssassin({ seed: 1 });
  assert.deepEqual([train.length, testPart.length], [4836, 1210]); // ⌈0.2 · 6046⌉ = 1210
  const share = (rs: typeof records, g: string): number => rs.filter((r) => r.group === g).length;
  for (const [g, n] of Object.entries(byGroup)) assert.ok(Math.abs(share(testPart, g) - (1210 * n) / 6046) < 1, `${g}: ${share(testPart, g)}`);
  const trainIds = new Set(train.map((r) => r.id));
  assert.ok(testPart.every((r) => !trainIds.has(r.id)));
  const again = await datasets.spamAssassin({ seed: 1 });
  assert.deepEqual(again.test.map((r) => r.id), testPart.map((r) => r.id));
  assert.notDeepEqual((await datasets.spamAssassin({ seed: 2 })).test.map((r) => r.id), testPart.map((r) => r.id));
  assert.equal((await datasets.spamAssassin({ testSize: 100 })).test.length, 100);
  await assert.rejects(datasets.spamAssassin({ testSize: 1.5 }), /datasets\.spamAssassin: testSize must be a fraction in \(0, 1\) or a count/);
});

test('spamAssassin: a missing package names the npm install to run', async () => {
  await assert.rejects(
    loadSpamAssassinRaw('@backprop-missing/spam-corpus'),
    (err: Error) =>
      err.message ===
      "datasets.spamAssassin: the optional package '@backprop-missing/spam-corpus' is not installed; add it with `npm install @backprop-missing/spam-corpus`",
  );
});
