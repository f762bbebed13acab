/**
 * Which backends must be present, so that the kernel suite and the fixtures (which loop over listBackends())
 * cannot silently skip one: wasm always in Node 20+ (the prebuilt module ships in src/), native wherever a C++
 * compiler is on PATH (npm install builds it then; the addon has a portable C path for CPUs without AVX2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { backendInfo, listBackends } from '../../src/backend/index.js';

const hasCompiler = ['c++', 'g++', 'clang++'].some((cc) => spawnSync(cc, ['--version']).status === 0);

test('the wasm backend is available in Node', () => {
  assert.ok(listBackends().includes('wasm'), `listBackends() = ${listBackends().join(', ')}; ${backendInfo().reason}`);
});

test(`the native backend is available when a C++ compiler is on PATH (${hasCompiler ? 'one is' : 'none is'})`, () => {
  if (!hasCompiler) return;
  assert.ok(listBackends().includes('native'), `a compiler is installed but the addon did not load: ${backendInfo().reason}`);
});

test('the automatic choice is native, else wasm, else js', () => {
  if (process.env.BACKPROP_BACKEND) return; // forced: the choice is tested in a child process by wasm.test.ts
  const want = listBackends().includes('native') ? 'native' : listBackends().includes('wasm') ? 'wasm' : 'js';
  assert.equal(backendInfo().name, want, backendInfo().reason);
});
