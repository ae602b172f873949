// Fuzzing at a small size in `npm test` (tests/fuzz.ts says what a case is and what it keeps;
// `npm run fuzz` is the large run), and every seed a run ever failed on, as regression cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { seedFiles, runCase, runtimeModule, fuzzCase, type FuzzKind } from './fuzz.js';
import { BUILDS } from '../host/wasm-source.js';
import { ROOT } from './golden.js';
import { loadModel } from '../host/index.js';
import { convertTflite } from '../models/convert.js';

const seeds = seedFiles();

// Seeds that once broke a property: what it was, and the refusal each now gets.
const REGRESSIONS: [FuzzKind, number, string, RegExp][] = [
  // DEPTHWISE_CONV_2D with dilation 1392508929: (filter - 1) * dilation overflowed i32 in the SIMD
  // kernel's interior test, which then read outside the input (a trap); the check now bounds a
  // window's reach.
  ['ewm', 11656, 'run threw RuntimeError: memory access out of bounds', /^dwconv2d_3x3_s2_same\.tflite: op 0: parameter value 1392508929 is out of range$/],
  // The converter wrote .ewm files the runtime refused: a graph without inputs, or without outputs,
  // a constant as an output, int8 zero points outside int8.
  ['tflite', 7599, 'input_count 0', /^maxpool2d_3x3_s2_same\.tflite: the model has 0 inputs and 1 outputs; it needs at least one of each$/],
  ['tflite', 15919, 'output_count 0', /^concat_channels\.tflite: the model has 1 inputs and 0 outputs; it needs at least one of each$/],
  ['tflite', 23613, 'io_list entry 2 not an activation', /^add_bcast_const\.tflite: model input\/output 'Const' is a constant; inputs and outputs must be activations$/],
  ['tflite', 7791, 'RELU parameter -34944', /^relu\.tflite: op 0 \(RELU\): tensor 'Identity' has zero point -34944, outside int8$/],
  ['tflite', 17665, 'HARD_SWISH parameter -1644167168', /^hard_swish\.tflite: op 0 \(HARD_SWISH\): tensor 'x' has zero point 2650800128, outside int8$/],
  ['tflite', 61588, 'tensor 0: dimension 268435464', /^sub_diff_scale\.tflite: tensor 'x': \[1,8,268435464,16\] has 2\^31 elements or more$/],
];
// (A seed names a case through tests/fuzz.ts's mutation code and the golden op files' list: when
// either changes, these seeds name other cases and this test says so by its messages.)

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

test('fuzz: every seed that once failed keeps its property, refused with its message', async () => {
  for (const [kind, seed, was, refusal] of REGRESSIONS) {
    for (const build of BUILDS) {
      const outcome = await runCase(seeds, kind, seed, await runtimeModule(build));
      assert.equal(outcome, 'refused', `${kind} seed ${seed} (was: ${was}) on ${build}: ${JSON.stringify(outcome)}`);
    }
    const { name, bytes } = fuzzCase(seeds, kind, seed);
    await assert.rejects(
      async () => kind === 'ewm' ? loadModel(bytes, { name }) : convertTflite(bytes, name),
      (e: Error) => refusal.test(e.message),
      `${kind} seed ${seed}`,
    );
  }
});

test('fuzz: a case is its seed: the same seed gives the same bytes', () => {
  const a = fuzzCase(seeds, 'ewm', 42);
  const b = fuzzCase(seeds, 'ewm', 42);
  assert.equal(a.name, b.name);
  assert.deepEqual(a.bytes, b.bytes);
  assert.notDeepEqual(fuzzCase(seeds, 'ewm', 43).bytes, a.bytes);
});

test('fuzz: npm run fuzz runs cases in child processes, reports counts, failures and hangs by seed', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'tests', 'fuzz-run.js'), '--ewm', '400', '--tflite', '100', '--seed', '5000', '--workers', '2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ewm: 400 cases, seeds 5000\.\.5399 .*: \d+ runs loaded and ran, \d+ refused with a documented error, 0 failed/m);
  assert.match(r.stdout, /^tflite: 100 cases, seeds 5000\.\.5099 .*0 failed/m);
  assert.match(r.stdout, /^0 failures in /m);
  // A case that hangs is killed after --timeout, reported with its seed, and the rest still run.
  const hung = spawnSync(process.execPath, [join(ROOT, 'dist', 'tests', 'fuzz-run.js'), '--ewm', '60', '--tflite', '0', '--seed', '1', '--workers', '2', '--timeout', '1000'], {
    encoding: 'utf8', env: { ...process.env, EDGEWASM_FUZZ_HANG: '40' },
  });
  assert.equal(hung.status, 1, hung.stdout + hung.stderr);
  assert.match(hung.stdout, /^ewm: 60 cases, seeds 1\.\.60 .*: (\d+) runs loaded and ran, (\d+) refused with a documented error, 1 failed/m);
  const [, loaded, refused] = /(\d+) runs loaded and ran, (\d+) refused/.exec(hung.stdout)!;
  assert.equal(Number(loaded) + Number(refused), 59 * 2, 'every other case ran on both builds');
  assert.match(hung.stdout, /^FAIL ewm seed 40: no answer within 1000 ms \(hang\)$/m);
  const bad = spawnSync(process.execPath, [join(ROOT, 'dist', 'tests', 'fuzz-run.js'), '--workers', '0'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: npm run fuzz/);
});
