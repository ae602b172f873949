// Fuzzing at a small size in `npm test` (tests/fuzz.ts says what a case is and what it keeps;
// `npm run fuzz` is the large run), and every seed a run ever failed on, as regression cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { seedFiles, runCase, runtimeModule, fuzzCase, type FuzzKind } from './fuzz.js';
import { BUILDS } from '../host/wasm-source.js';
import { ROOT } from './golden.js';

const seeds = seedFiles();

// Seeds that once broke a property, with what it was.
const REGRESSIONS: [FuzzKind, number, string][] = [
  // DEPTHWISE_CONV_2D with dilation 1392508929: (filter - 1) * dilation overflowed i32 in the SIMD
  // kernel's interior test, which then read outside the input (a trap); the check now bounds a
  // window's reach.
  ['ewm', 11656, 'run threw RuntimeError: memory access out of bounds'],
];

async function sample(kind: FuzzKind, from: number, count: number): Promise<{ loaded: number; refused: number }> {
  const counts = { loaded: 0, refused: 0 };
  for (const build of kind === 'ewm' ? BUILDS : (['simd'] as const)) {
    const runtime = await runtimeModule(build);
    for (let seed = from; seed < from + count; seed++) {
      const outcome = await runCase(seeds, kind, seed, runtime);
      if (typeof outcome !== 'string') assert.fail(`${kind} seed ${seed} on the ${build} build: ${outcome.failure}`);
      counts[outcome]++;
    }
  }
  return counts;
}

test('fuzz: mutated .ewm files load and run, or are refused with an EwmError naming the file (both builds)', { timeout: 120_000 }, async () => {
  const counts = await sample('ewm', 1, 3000);
  // The mutations must reach both outcomes, or the sample tests nothing.
  assert.ok(counts.loaded > 300 && counts.refused > 3000, JSON.stringify(counts));
});

test('fuzz: mutated .tflite files convert, load and run, or are refused with a ConvertError naming the file', { timeout: 120_000 }, async () => {
  const counts = await sample('tflite', 1, 800);
  assert.ok(counts.loaded > 100 && counts.refused > 200, JSON.stringify(counts));
});

test('fuzz: every seed that once failed keeps its property', async () => {
  for (const [kind, seed] of REGRESSIONS) {
    for (const build of BUILDS) {
      const outcome = await runCase(seeds, kind, seed, await runtimeModule(build));
      assert.equal(typeof outcome, 'string', `${kind} seed ${seed} on ${build}: ${JSON.stringify(outcome)}`);
    }
  }
});

test('fuzz: a case is its seed: the same seed gives the same bytes', () => {
  const a = fuzzCase(seeds, 'ewm', 42);
  const b = fuzzCase(seeds, 'ewm', 42);
  assert.equal(a.name, b.name);
  assert.deepEqual(a.bytes, b.bytes);
  assert.notDeepEqual(fuzzCase(seeds, 'ewm', 43).bytes, a.bytes);
});

test('fuzz: npm run fuzz runs cases in workers and reports counts and failures', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'tests', 'fuzz-run.js'), '--ewm', '400', '--tflite', '100', '--seed', '5000', '--workers', '2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ewm: 400 cases, seeds 5000\.\.5399 .*: \d+ runs loaded and ran, \d+ refused with a documented error, 0 failed/m);
  assert.match(r.stdout, /^tflite: 100 cases, seeds 5000\.\.5099 .*0 failed/m);
  assert.match(r.stdout, /^0 failures in /m);
  const bad = spawnSync(process.execPath, [join(ROOT, 'dist', 'tests', 'fuzz-run.js'), '--workers', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: npm run fuzz/);
});
