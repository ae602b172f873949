// Determinism across builds and hosts: every golden one-operator model gives the same output bytes
// (TensorFlow Lite Micro's) in library mode on the SIMD and the MVP build — golden-ops.test.ts —
// and here as a WASI bundle of each flavour under node:wasi and under @wasmer/sdk, every golden
// sample through one run (samples back to back, each every input's bytes in turn). The four MLPerf
// Tiny models get the same across node:wasi, jco and wasmer in bundle.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk';
import { convertTflite } from '../models/convert.js';
import { bundle } from '../host/bundle.js';
import { opCases, compareBytes, selected, stdinOf } from './golden.js';
import { runWasi } from './wasi-run.js';


const cases = opCases().filter((c) => selected(c.name));

for (const build of ['mvp', 'simd'] as const) {
  test(`determinism: every golden op model as a ${build} bundle under node:wasi and @wasmer/sdk equals TFLite Micro`, { timeout: 300_000 }, async () => {
    assert.ok(cases.length >= 45 || process.env.GOLDEN, `${cases.length} golden op models found`);
    const wasmer = await Wasmer.create();
    try {
      for (const c of cases) {
        const wasm = bundle(convertTflite(new Uint8Array(readFileSync(c.tflitePath)), c.name).bytes, build, c.name).bytes;
        const stdin = stdinOf(c);
        const node = await runWasi(wasm, stdin);
        assert.equal(node.code, 0, `${c.name} under node:wasi: ${node.stderr}`);
        assert.equal(compareBytes(`${c.name} (${build}, node:wasi)`, c.output.data, node.stdout), '');
        const pkg = await wasmer.loadPackage(wasm);
        const sandbox = await wasmer.createSandbox();
        await sandbox.installPackage(pkg);
        const out = await sandbox.command(pkg.entrypoint!).run({ stdin, check: false });
        assert.equal(out.exitCode, 0, `${c.name} under wasmer: ${new TextDecoder().decode(out.stderr.bytes)}`);
        assert.equal(compareBytes(`${c.name} (${build}, wasmer)`, c.output.data, out.stdout.bytes), '');
      }
    } finally {
      await wasmer.shutdown();
    }
  });
}
