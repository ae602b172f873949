// `npm run bench:bundles`: each MLPerf Tiny int8 model's bundle (edgewasm bundle) in both flavours —
// its bytes and memory pages, and its start-up under each WASI host the tests use: one golden sample
// from launch to exit (node:wasi in process; `jco run` as a process, with a bare `node -e 0` beside it
// for scale; @wasmer/sdk in process, client creation included), median of a few runs.
//   npm run bench:bundles -- [--models a,b]

import { readFileSync, writeFileSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { WASI } from 'node:wasi';
import { Wasmer } from '@wasmer/sdk';
import { convertTflite } from '../models/convert.js';
import { bundle } from '../host/bundle.js';
import { readEwm } from '../host/ewm.js';
import { INT8_MODELS, MLPERF, GOLDEN, ROOT } from '../tests/golden.js';

const { values } = parseArgs({ options: { models: { type: 'string' } } });
const models = values.models ? values.models.split(',') : INT8_MODELS;
const JCO = join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
const dir = mkdtempSync(join(tmpdir(), 'edgewasm-bench-bundles-'));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

async function time(runs: number, f: () => unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

console.log('| model | flavour | bundle bytes | runtime bytes | pages | node:wasi ms | jco run ms | @wasmer/sdk ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const model of models) {
  const ewm = convertTflite(new Uint8Array(readFileSync(join(MLPERF, `${model}.tflite`))), model).bytes;
  const info = readEwm(ewm, model);
  const input = join(dir, 'one.bin');
  writeFileSync(input, readFileSync(join(GOLDEN, `${model}.inputs.bin`)).subarray(0, info.tensors[info.inputs[0]!]!.bytes));
  for (const build of ['mvp', 'simd'] as const) {
    const b = bundle(ewm, build, model);
    const wasm = join(dir, 'b.wasm');
    writeFileSync(wasm, b.bytes);
    const nodeWasi = await time(5, async () => {
      const fds = [openSync(input, 'r'), openSync(join(dir, 'out.bin'), 'w')];
      const wasi = new WASI({ version: 'preview1', args: ['b'], stdin: fds[0], stdout: fds[1], returnOnExit: true });
      wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(b.bytes as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports));
      fds.forEach((fd) => closeSync(fd));
    });
    execFileSync(process.execPath, [JCO, 'new', wasm, '--wasi-command', '-o', join(dir, 'b.component.wasm')], { stdio: 'pipe' });
    const jco = await time(3, () => spawnSync(process.execPath, [JCO, 'run', join(dir, 'b.component.wasm')], { input: readFileSync(input) }));
    const wasmer = await time(3, async () => {
      const client = await Wasmer.create();
      const pkg = await client.loadPackage(b.bytes);
      const sandbox = await client.createSandbox();
      await sandbox.installPackage(pkg);
      await sandbox.command(pkg.entrypoint!).run({ stdin: new Uint8Array(readFileSync(input)), check: false });
      await client.shutdown();
    });
    console.log(`| ${model} | ${build} | ${b.bytes.length} | ${b.runtimeBytes} | ${b.pages} | ${nodeWasi.toFixed(1)} | ${jco.toFixed(0)} | ${wasmer.toFixed(0)} |`);
  }
}
const bare = await time(3, () => spawnSync(process.execPath, ['-e', '0']));
console.log(`\n(\`node -e 0\` alone, for scale beside jco run: ${bare.toFixed(0)} ms)`);
rmSync(dir, { recursive: true, force: true });
