// The playground's settings ⇄ URL: round trips, canonical forms, and validation with fallbacks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULTS, DEFAULT_GD_LR, DEFAULT_STARTS, type Settings, defaultSettings, parseSettings, serializeSettings, validateSettings,
} from '../../web/src/state.js';

const custom = (): Settings => ({
  ...defaultSettings(),
  tab: 'gd',
  dataset: 'spiral',
  points: 750,
  noise: 0.35,
  trainRatio: 70,
  classes: 4,
  seed: 2 ** 31 - 1,
  features: ['x1', 'x2', 'sinx1', 'x1x2'].sort() as Settings['features'],
  hidden: [],
  activation: 'relu',
  loss: 'mse',
  optimizer: 'momentum',
  lr: 0.1 + 0.2, // 0.30000000000000004 must survive the trip exactly
  batch: 1,
  reg: 'l1',
  regRate: 0.003,
  dropout: 0.25,
  showTest: true,
  fTrain: 30,
  fSeed: 0,
  gdFn: 'ravine',
  gdStarts: [[-2.5, 1e-3], [0, -0]],
  gdLr: 1e-6,
  gdMomentum: 0.99,
  gdSchedule: 'cosine',
  gdSteps: 1000,
  eps: 0.5,
});

describe('settings round trip', () => {
  test('defaults: parse(serialize(defaults)) is the defaults, with no errors', () => {
    const r = parseSettings(serializeSettings(DEFAULTS));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.settings, defaultSettings());
  });

  test('every field at an unusual value comes back equal (floats exactly)', () => {
    const s = custom();
    // Canonical forms: features in their fixed order, -0 written as 0.
    const expected = { ...s, features: (['x1', 'x2', 'x1x2', 'sinx1'] as Settings['features']), gdStarts: [[-2.5, 1e-3], [0, 0]] };
    const r = parseSettings(`#${serializeSettings(s)}`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.settings, expected);
    assert.equal(r.settings.lr, 0.30000000000000004);
  });

  test('the URL form is readable and fixed: keys in order, commas and semicolons unescaped', () => {
    const q = serializeSettings(custom());
    assert.ok(q.startsWith('tab=gd&dataset=spiral&points=750&'), q);
    assert.match(q, /&hidden=&/);
    assert.match(q, /&features=x1,x2,x1x2,sinx1&/);
    assert.match(q, /&gdStarts=-2.5,0.001;0,0&/);
    assert.match(q, /&showTest=1&/);
  });

  test("'#', '?' or nothing in front are all accepted", () => {
    for (const prefix of ['#', '?', '']) assert.equal(parseSettings(`${prefix}seed=42&dataset=xor`).settings.seed, 42);
  });

  test('missing keys take defaults; the GD starts and learning rate follow the chosen function', () => {
    const r = parseSettings('gdFn=bowl&lr=0.5');
    assert.deepEqual(r.errors, []);
    assert.equal(r.settings.lr, 0.5);
    assert.equal(r.settings.dataset, DEFAULTS.dataset);
    assert.deepEqual(r.settings.gdStarts, DEFAULT_STARTS.bowl);
    assert.equal(r.settings.gdLr, DEFAULT_GD_LR.bowl);
    // The returned arrays are fresh copies, never the shared defaults.
    r.settings.gdStarts[0][0] = 99;
    assert.notEqual(DEFAULT_STARTS.bowl[0][0], 99);
  });

  test('features are deduplicated and put in their canonical order', () => {
    assert.deepEqual(parseSettings('features=sinx2,x2,x1,x2').settings.features, ['x1', 'x2', 'sinx2']);
  });
});

describe('settings validation', () => {
  const bad: [string, keyof Settings, RegExp][] = [
    ['lr=abc', 'lr', /expected a number in \[0\.000001, 10\]/],
    ['lr=-1', 'lr', /lr/],
    ['lr=Infinity', 'lr', /lr/],
    ['lr=', 'lr', /lr/],
    ['points=0x10', 'points', /expected an integer/],
    ['seed=1.5', 'seed', /expected an integer/],
    ['trainRatio=95', 'trainRatio', /\[10, 90\]/],
    ['hidden=9', 'hidden', /\[1, 8\]/],
    ['hidden=1,2,3,4,5,6,7', 'hidden', /at most 6/],
    ['hidden=2,,3', 'hidden', /neuron counts/],
    ['features=x3', 'features', /unknown feature 'x3'/],
    ['features=', 'features', /at least one feature/],
    ['tab=nope', 'tab', /one of network, features, gd, digits/],
    ['activation=gelu', 'activation', /relu, tanh, sigmoid, linear/],
    ['showTest=yes', 'showTest', /0 or 1/],
    ['gdFn=bowl&gdStarts=1;2', 'gdStarts', /x,y pairs/],
    ['gdStarts=1;2;3;4;5;6;7;8;9', 'gdStarts', /1 to 8/],
    ['gdStarts=500', 'gdStarts', /\[-100, 100\]/],
    ['dropout=0.95', 'dropout', /\[0, 0\.9\]/],
  ];
  for (const [query, key, message] of bad) {
    test(`${query} → an error naming '${key}', and the default`, () => {
      const r = parseSettings(query);
      assert.equal(r.errors.length, 1, r.errors.join('\n'));
      assert.match(r.errors[0], new RegExp(`^setting '${key}' = `));
      assert.match(r.errors[0], message);
      const fresh = parseSettings(query.includes('gdFn=bowl') ? 'gdFn=bowl' : '').settings;
      assert.deepEqual(r.settings[key], fresh[key]);
    });
  }

  test('an unknown key is reported and ignored; the valid keys still apply', () => {
    const r = parseSettings('foo=1&seed=5');
    assert.deepEqual(r.errors, ["unknown setting 'foo' (ignored)"]);
    assert.equal(r.settings.seed, 5);
  });

  test('validateSettings lists what is wrong with a settings object', () => {
    assert.deepEqual(validateSettings(defaultSettings()), []);
    const s = { ...defaultSettings(), lr: NaN, hidden: [0], features: [] };
    const errors = validateSettings(s);
    assert.equal(errors.length, 3);
    assert.match(errors.join('\n'), /'lr'/);
    assert.match(errors.join('\n'), /'hidden'/);
    assert.match(errors.join('\n'), /'features'/);
  });
});
