// `edgewasm bundle`: one WASI command module with the runtime and a model, run on the golden inputs
// (all samples through stdin, back to back) — its stdout must equal TensorFlow Lite Micro's outputs
// byte for byte, for every MLPerf Tiny int8 model in both flavours, under node:wasi, as a component
// under `jco run` and under @wasmer/sdk. The MVP flavour validates
// with every post-MVP feature off; bad stdin ends in exit 1 and one stderr line; the CLI reports
// size and memory pages and refuses to overwrite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Wasmer } from '@wasmer/sdk';
import { convertTflite } from '../models/convert.js';
import { bundle, inertImports } from '../host/bundle.js';
import { INT8_MODELS, GOLDEN, MLPERF, ROOT, selected } from './golden.js';
import { MVP_ONLY, validate } from './wasm-features.js';
import { runWasi } from './wasi-run.js';

const dir = mkdtempSync(join(tmpdir(), 'edgewasm-bundle-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const ewmOf = (model: string) => convertTflite(new Uint8Array(readFileSync(join(MLPERF, `${model}.tflite`))), model).bytes;

const golden = (model: string, what: 'inputs' | 'outputs') => new Uint8Array(readFileSync(join(GOLDEN, `${model}.${what}.bin`)));

for (const model of INT8_MODELS.filter(selected)) {
  for (const build of ['mvp', 'simd'] as const) {
    test(`bundle ${model} (${build}) under node:wasi equals TFLite Micro on every golden sample`, async () => {
      const b = bundle(ewmOf(model), build, model);
      const { code, stdout, stderr } = await runWasi(b.bytes, new Uint8Array(readFileSync(join(GOLDEN, `${model}.inputs.bin`))));
      assert.equal(code, 0, stderr);
      assert.equal(stderr, '');
      assert.ok(Buffer.from(readFileSync(join(GOLDEN, `${model}.outputs.bin`))).equals(stdout), `${model} ${build}: stdout differs from the golden outputs`);
    });
  }
}

test('bundle: the MVP flavour has no post-MVP opcode, the SIMD one needs SIMD; memory is exactly the pages reported', async () => {
  const ewm = ewmOf('kws_ref_model');
  const mvp = bundle(ewm, 'mvp', 'kws');
  const simd = bundle(ewm, 'simd', 'kws');
  assert.equal(await validate(mvp.bytes, MVP_ONLY), '');
  assert.notEqual(await validate(simd.bytes, MVP_ONLY), '');
  for (const b of [mvp, simd]) {
    const [memory] = WebAssembly.Module.exports(new WebAssembly.Module(b.bytes as Uint8Array<ArrayBuffer>)).filter((e) => e.kind === 'memory');
    assert.ok(memory);
    const module = new WebAssembly.Module(b.bytes as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(module, inertImports(module));
    assert.equal((instance.exports.memory as WebAssembly.Memory).buffer.byteLength, b.pages * 65536);
  }
  // The KWS model fits two 64 KiB pages in the MVP flavour (runtime data, model, arena); the SIMD
  // one adds its kernel scratch and the weights it packs at load: three.
  assert.deepEqual([mvp.pages, simd.pages], [2, 3]);
});

test('bundle: empty stdin and a cut-off sample exit 1 with one line on stderr', async () => {
  const b = bundle(ewmOf('ad01_int8'), 'mvp', 'ad');
  const empty = await runWasi(b.bytes, new Uint8Array(0));
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, 'edgewasm: no input (expected samples of 640 bytes)\n');
  assert.equal(empty.stdout.length, 0);
  const cut = await runWasi(b.bytes, new Uint8Array(640 + 100));
  assert.equal(cut.code, 1);
  assert.equal(cut.stderr, 'edgewasm: input ended inside sample 1 (100 of 640 bytes)\n');
  assert.equal(cut.stdout.length, 640, 'the first sample\'s output, written before the error');
});

test('edgewasm bundle: reports size and pages, refuses an existing output, rejects --mvp with --simd', () => {
  const cli = join(ROOT, 'dist', 'host', 'cli.js');
  const out = join(dir, 'kws.wasm');
  const printed = execFileSync(process.execPath, [cli, 'bundle', join(MLPERF, 'kws_ref_model.tflite'), '-o', out], { encoding: 'utf8' });
  assert.match(printed, /kws\.wasm: [\d,]+ bytes \(runtime [\d,]+ bytes, model [\d,]+ bytes\), memory 2 pages \(131,072 bytes\), mvp/);
  const again = spawnSync(process.execPath, [cli, 'bundle', join(MLPERF, 'kws_ref_model.tflite'), '-o', out], { encoding: 'utf8' });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists; pass --force to overwrite it/);
  const both = spawnSync(process.execPath, [cli, 'bundle', join(MLPERF, 'kws_ref_model.tflite'), '-o', out, '--mvp', '--simd'], { encoding: 'utf8' });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--mvp and --simd: choose one/);
});

const JCO = join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');

for (const model of INT8_MODELS.filter(selected)) {
  for (const build of ['mvp', 'simd'] as const) {
    test(`bundle ${model} (${build}) as a component under jco run equals TFLite Micro`, () => {
      const wasm = join(dir, `${model}-${build}.wasm`);
      const component = join(dir, `${model}-${build}.component.wasm`);
      writeFileSync(wasm, bundle(ewmOf(model), build, model).bytes);
      execFileSync(process.execPath, [JCO, 'new', wasm, '--wasi-command', '-o', component], { stdio: 'pipe' });
      const run = spawnSync(process.execPath, [JCO, 'run', component], { input: golden(model, 'inputs'), maxBuffer: 1 << 24 });
      assert.equal(run.status, 0, run.stderr.toString());
      assert.ok(Buffer.from(golden(model, 'outputs')).equals(run.stdout), `${model} ${build}: jco stdout differs from the golden outputs`);
    });

    test(`bundle ${model} (${build}) under @wasmer/sdk equals TFLite Micro`, async () => {
      const wasmer = await Wasmer.create();
      try {
        const pkg = await wasmer.loadPackage(bundle(ewmOf(model), build, model).bytes);
        const sandbox = await wasmer.createSandbox();
        await sandbox.installPackage(pkg);
        const out = await sandbox.command(pkg.entrypoint!).run({ stdin: golden(model, 'inputs'), check: false });
        assert.equal(out.exitCode, 0, new TextDecoder().decode(out.stderr.bytes));
        assert.ok(Buffer.from(golden(model, 'outputs')).equals(out.stdout.bytes), `${model} ${build}: wasmer stdout differs from the golden outputs`);
      } finally {
        await wasmer.shutdown();
      }
    });
  }
}

test('edgewasm export-c: a C header whose array, compiled by gcc, holds the bundle byte for byte', () => {
  const cli = join(ROOT, 'dist', 'host', 'cli.js');
  const wasm = join(dir, 'ad.wasm');
  writeFileSync(wasm, bundle(ewmOf('ad01_int8'), 'mvp', 'ad').bytes);
  const header = join(dir, 'ad_wasm.h');
  const printed = execFileSync(process.execPath, [cli, 'export-c', wasm, '-o', header], { encoding: 'utf8' });
  assert.match(printed, /ad_wasm\.h: ad_wasm\[[\d,]+\] from ad\.wasm/);
  const program = join(dir, 'dump.c');
  writeFileSync(program, '#include <stdio.h>\n#include "ad_wasm.h"\nint main(void) { return fwrite(ad_wasm, 1, ad_wasm_len, stdout) != AD_WASM_LEN; }\n');
  execFileSync('gcc', ['-std=c99', '-Wall', '-Werror', '-o', join(dir, 'dump'), program], { cwd: dir });
  assert.ok(execFileSync(join(dir, 'dump')).equals(readFileSync(wasm)));
  const bad = spawnSync(process.execPath, [cli, 'export-c', wasm, '-o', join(dir, 'x.h'), '--name', '9lives'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--name 9lives: not a C identifier/);
});

test('bundle --top K prints the lines `edgewasm run --top K` prints; a bad argument is a usage line, exit 2', async () => {
  const cli = join(ROOT, 'dist', 'host', 'cli.js');
  for (const model of ['kws_ref_model', 'pretrainedResnet_quant']) {
    const ewm = ewmOf(model);
    const ewmPath = join(dir, `${model}.ewm`);
    writeFileSync(ewmPath, ewm);
    const expected = execFileSync(process.execPath, [cli, 'run', ewmPath, '--input', join(GOLDEN, `${model}.inputs.bin`), '--top', '3'], { encoding: 'utf8' });
    for (const build of ['mvp', 'simd'] as const) {
      const { code, stdout, stderr } = await runWasi(bundle(ewm, build, model).bytes, golden(model, 'inputs'), ['--top', '3']);
      assert.equal(code, 0, stderr);
      assert.equal(stdout.toString('utf8'), expected, `${model} ${build}`);
    }
  }
  const b = bundle(ewmOf('kws_ref_model'), 'mvp', 'kws').bytes;
  for (const args of [['--top'], ['--top', '0'], ['--top', 'x'], ['--verbose'], ['a.bin', 'b.bin']]) {
    const r = await runWasi(b, golden('kws_ref_model', 'inputs'), args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, 'usage: BUNDLE.wasm [--top K] [SAMPLES] < samples > outputs (K a positive integer)\n');
    assert.equal(r.stdout.length, 0);
  }
});

test('bundle SAMPLES reads the samples from a file in a directory the host grants, else names it', async () => {
  const b = bundle(ewmOf('ad01_int8'), 'mvp', 'ad').bytes;
  const expected = Buffer.from(golden('ad01_int8', 'outputs'));
  const fromFile = await runWasi(b, new Uint8Array(0), ['/golden/ad01_int8.inputs.bin'], { '/golden': GOLDEN });
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.ok(expected.equals(fromFile.stdout));
  const relative = await runWasi(b, new Uint8Array(0), ['ad01_int8.inputs.bin'], { '.': GOLDEN });
  assert.equal(relative.code, 0, relative.stderr);
  assert.ok(expected.equals(relative.stdout));
  const ungranted = await runWasi(b, new Uint8Array(0), ['/elsewhere/x.bin'], { '/golden': GOLDEN });
  assert.equal(ungranted.code, 1);
  assert.equal(ungranted.stderr, 'edgewasm: cannot open /elsewhere/x.bin (is its directory given to the host?)\n');
});
