// `npm run playground`'s command line: 127.0.0.1 unless --host, a port, no build.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../web/serve.js';

test('no options: defaults (127.0.0.1, port 5173, build) are left to startPlayground', () => {
  assert.deepEqual(parseArgs([]), {});
});

test('--host alone means every interface; --host ADDR that address', () => {
  assert.deepEqual(parseArgs(['--host']), { host: true });
  assert.deepEqual(parseArgs(['--host', '--port', '8080']), { host: true, port: 8080 });
  assert.deepEqual(parseArgs(['--host', '0.0.0.0']), { host: '0.0.0.0' });
  assert.deepEqual(parseArgs(['--host=192.168.1.5', '--port=0', '--no-build']), { host: '192.168.1.5', port: 0, build: false });
});

test('bad options are errors that say what is expected', () => {
  assert.throws(() => parseArgs(['--port', 'http']), /--port http; expected an integer in \[0, 65535\]/);
  assert.throws(() => parseArgs(['--port', '70000']), /expected an integer/);
  assert.throws(() => parseArgs(['--open']), /unknown option '--open'/);
});
