// `npm run test:jco`: the determinism check of tests/determinism.test.ts on the third WASI host —
// every golden one-operator model as a bundle of each flavour, made a component by `jco new
// --wasi-command` and run by `jco run`, must print TensorFlow Lite Micro's outputs. Not in `npm
// test`: jco transpiles the component on every run (about 4.6 s a model here, 7 minutes for all 90),
// so it runs on demand; `npm test` covers the four MLPerf Tiny models under jco (bundle.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { convertTflite } from '../models/convert.js';
import { bundle } from '../host/bundle.js';
import { opCases, compareBytes, selected, stdinOf, ROOT, type GoldenCase } from './golden.js';

const JCO = join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
const dir = mkdtempSync(join(tmpdir(), 'edgewasm-jco-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Runs node on args with stdin; resolves with the exit code, stdout and stderr. */
function node(args: string[], stdin: Uint8Array): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    p.stdin.end(stdin);
  });
}

/** Empty when the case's jco run equals the golden; else what went wrong. */
async function jcoRun(c: GoldenCase, build: 'mvp' | 'simd'): Promise<string> {
  const wasm = join(dir, `${c.name}-${build}.wasm`);
  const component = join(dir, `${c.name}-${build}.component.wasm`);
  writeFileSync(wasm, bundle(convertTflite(new Uint8Array(readFileSync(c.tflitePath)), c.name).bytes, build, c.name).bytes);
  const made = await node([JCO, 'new', wasm, '--wasi-command', '-o', component], new Uint8Array(0));
  if (made.code !== 0) return `${c.name} (${build}): jco new failed: ${made.stderr}`;
  const run = await node([JCO, 'run', component], stdinOf(c));
  if (run.code !== 0) return `${c.name} (${build}): jco run exited ${run.code}: ${run.stderr}`;
  return compareBytes(`${c.name} (${build}, jco)`, c.output.data, run.stdout);
}

test('determinism: every golden op model as a bundle of each flavour under jco run equals TFLite Micro', { timeout: 1_800_000 }, async () => {
  const jobs = opCases().filter((c) => selected(c.name)).flatMap((c) => (['mvp', 'simd'] as const).map((b) => () => jcoRun(c, b)));
  assert.ok(jobs.length >= 90 || process.env.GOLDEN, `${jobs.length} runs`);
  const problems: string[] = [];
  const lanes = Array.from({ length: availableParallelism() }, async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const p = await job();
      if (p) problems.push(p);
    }
  });
  await Promise.all(lanes);
  assert.deepEqual(problems, []);
});
