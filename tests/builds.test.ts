// The two runtime builds: the MVP build uses no post-MVP feature at all (so wasm3 and WAMR's classic
// interpreter can run it), the SIMD build really uses SIMD, and the host picks SIMD here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';
import { bestBuild } from '../host/index.js';
import { ROOT } from './golden.js';

const MVP_ONLY = {
  mutable_globals: false, sat_float_to_int: false, sign_extension: false, simd: false, threads: false,
  multi_value: false, tail_call: false, bulk_memory: false, reference_types: false, relaxed_simd: false,
  exceptions: false, extended_const: false, memory64: false, gc: false, function_references: false,
};

const read = (build: string) => new Uint8Array(readFileSync(join(ROOT, 'build', `edgewasm-${build}.wasm`)));

/** Empty when the module validates with these features, else wabt's message. */
async function validate(bytes: Uint8Array, features: Record<string, boolean>): Promise<string> {
  const w = await wabt();
  try {
    const m = w.readWasm(bytes, { readDebugNames: false, ...features });
    m.validate();
    m.destroy();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

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
