// `edgewasm compress` as a user runs it: AD pruned to 80 % is written, its trade-off table and JSON
// say what pruning did (zeros, 3x smaller weights, fewer MACs, latency per build, the output
// difference), the written model equals the library's pruned conversion; and usage mistakes are
// named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, MLPERF, GOLDEN } from './golden.js';
import { compressModel } from '../models/compress/index.js';
import type { CompressRow } from '../host/compress-report.js';

const CLI = join(ROOT, 'dist', 'host', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'edgewasm-compress-'));
const AD = join(MLPERF, 'ad01_int8.tflite');

function edgewasm(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('compress: AD at 80 % is written, and its table and JSON report the trade-off', () => {
  const out = join(work, 'ad80.ewm'), json = join(work, 'ad80.json');
  const r = edgewasm('compress', AD, '--prune', '0.8', '--compare', '0.5', '-o', out, '--json', json);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| original \| [\d.]+ % \| 264,192 \|/);
  assert.match(r.stdout, /\| layer 0\.8 \| 80\.0 % \| /);
  const [base, pruned, half] = JSON.parse(readFileSync(json, 'utf8')) as CompressRow[];
  assert.equal(pruned!.sparsity, 0.8);
  assert.ok(Math.abs(pruned!.removedShare - 0.8) < 0.001, `zeros ${pruned!.removedShare}`);
  assert.ok(base!.weightBytes / pruned!.weightBytes >= 3, `weights ${base!.weightBytes} -> ${pruned!.weightBytes}`);
  assert.ok(pruned!.macs < 0.25 * base!.macs && half!.macs < base!.macs && pruned!.macs < half!.macs);
  assert.ok(pruned!.latencyMs.simd! > 0 && pruned!.latencyMs.mvp! > 0);
  assert.equal(base!.agreement.metric, 'mean absolute difference');
  assert.equal(base!.agreement.value, 0);
  assert.ok(pruned!.agreement.value > half!.agreement.value, 'more pruning, more difference');
  const expected = compressModel(new Uint8Array(readFileSync(AD)), 'ad01_int8.tflite', [0.8])[0]!.ewm;
  assert.deepEqual(new Uint8Array(readFileSync(out)), expected);
});

test('compress --energy: the float AD model factorized to rank by energy, quantized, reported', () => {
  const meta = JSON.parse(readFileSync(join(GOLDEN, 'ad01_fp32.json'), 'utf8'));
  const samples = join(GOLDEN, meta.files.inputs);
  const out = join(work, 'ad-lowrank.ewm'), json = join(work, 'ad-lowrank.json');
  const r = edgewasm('compress', join(MLPERF, 'ad01_fp32.tflite'), '--energy', '0.9', '--compare', '0.99', '--calibrate', samples, '-o', out, '--json', json);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| energy 0\.9 \| /);
  const [original, e90, e99] = JSON.parse(readFileSync(json, 'utf8')) as CompressRow[];
  assert.ok(e90!.weightBytes < e99!.weightBytes && e99!.weightBytes < original!.weightBytes, `${original!.weightBytes} ${e99!.weightBytes} ${e90!.weightBytes}`);
  assert.ok(e90!.macs < original!.macs && e90!.removedShare > 0.3, `${e90!.removedShare}`);
  assert.ok(e90!.agreement.value > e99!.agreement.value, 'less energy kept, larger difference');
  // An int8 model has no float weights to factorize.
  const int8 = edgewasm('compress', AD, '--rank', '4', '-o', join(work, 'never2.ewm'));
  assert.equal(int8.code, 1);
  assert.match(int8.stderr, /^error: ad01_int8\.tflite: low-rank factorization takes a float model/);
});

test('compress: usage mistakes and refusals are named, and nothing is written', () => {
  const out = join(work, 'never.ewm');
  for (const [args, message] of [
    [['--prune', '1', '-o', out], /^--prune 1: expected a share of weights in \[0, 1\)/],
    [['--prune', 'lots', '-o', out], /^--prune lots: expected a share/],
    [['--prune', '0.5', '--compare', '0.2,x', '-o', out], /^--compare x: expected a share/],
    [['--prune', '0.5', '--scope', 'some', '-o', out], /^--scope some: expected layer or global/],
    [['--prune', '0.5', '--labels', 'l.bin', '-o', out], /^--labels needs --samples/],
    [['-o', out], /^usage: edgewasm compress/],
    [['--prune', '0.5', '--rank', '4', '-o', out], /^usage: edgewasm compress/],
    [['--rank', '0', '-o', out], /^--rank 0: expected a rank/],
    [['--energy', '1.5', '-o', out], /^--energy 1\.5: expected a share of energy/],
  ] as const) {
    const r = edgewasm('compress', AD, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  writeFileSync(join(work, 'exists.ewm'), 'x');
  const exists = edgewasm('compress', AD, '--prune', '0.5', '-o', join(work, 'exists.ewm'));
  assert.equal(exists.code, 1);
  assert.match(exists.stderr, /^error: .*exists\.ewm exists; pass --force to overwrite it/);
  const missing = edgewasm('compress', join(work, 'nope.tflite'), '--prune', '0.5', '-o', out);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*nope\.tflite/);
  assert.doesNotMatch(missing.stderr + exists.stderr, /\n\s+at /);
  assert.equal(existsSync(out), false);
});
