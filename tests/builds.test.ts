// The two runtime builds: the MVP build uses no post-MVP feature at all (so wasm3 and WAMR's classic
// interpreter can run it), the SIMD build really uses SIMD, and the host picks SIMD here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bestBuild } from '../host/index.js';
import { ROOT } from './golden.js';
import { MVP_ONLY, validate } from './wasm-features.js';

const read = (build: string) => new Uint8Array(readFileSync(join(ROOT, 'build', `edgewasm-${build}.wasm`)));

test('builds: the MVP build validates with every post-MVP feature disabled', async () => {
  assert.equal(await validate(read('mvp'), MVP_ONLY), '');
});

test('builds: the SIMD build uses SIMD opcodes, and Node picks it', async () => {
  const simd = read('simd');
  assert.equal(await validate(simd, { simd: true }), '');
  assert.notEqual(await validate(simd, { simd: false }), '', 'the SIMD build validates without SIMD: no SIMD kernel is in it');
  assert.equal(bestBuild(), 'simd');
});

test('builds: neither build imports anything (no env.abort, nothing to provide)', () => {
  for (const build of ['mvp', 'simd']) {
    assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(read(build))), [], build);
  }
});

// Memory on an interpreter's device: the MVP build's static data is its few tables, with no SIMD
// scratch in it; the SIMD build takes its kernels' scratch from the heap at load, not statically.
test('builds: static data stays small in both builds (the SIMD scratch comes from the heap at load)', () => {
  for (const build of ['mvp', 'simd']) {
    const exports = new WebAssembly.Instance(new WebAssembly.Module(read(build)), {}).exports;
    (exports._initialize as () => void)();
    const heapStart = (exports.ew_alloc as (n: number) => number)(1);
    assert.ok(heapStart > 0 && heapStart < 4096, `${build}: the heap starts at ${heapStart}: static data has grown`);
  }
});

// Issue 3's budget: the whole SIMD runtime (every int8 op, the executor) within 32 KiB.
test('builds: the SIMD runtime is at most 32 KiB', () => {
  const bytes = read('simd').length;
  assert.ok(bytes <= 32 * 1024, `build/edgewasm-simd.wasm is ${bytes} bytes, over 32 KiB`);
});
