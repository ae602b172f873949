// FULLY_CONNECTED over pruned weights in the sparse encoding: the reference sparse kernel
// (assembly/ref/fully_connected_sparse_i8.ts) and the SIMD rows-in-lanes one
// (assembly/simd/fully_connected_sparse_i8.ts) against the dense reference kernel on the same
// weights with the zeros written out, byte for byte. Shapes sweep depth around the bitmap's bytes
// and words (1, 7, 8, 9, 31, 32, 33, 64, 65, 200), units 1 to 33, rows around the SIMD kernel's
// 16-row passes and its blocks (blocks of 16 and 32 rows forced, so several blocks run), densities
// from none to all, odd nonzero counts (a weight paired with a zero one), values at -128 and 127,
// zero points and clamps over their range, extreme shifts and multipliers. Output bytes past the end
// must stay untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './golden.js';
import { mulberry32 } from '../models/prng.js';
import { encodeSparse } from '../models/compress/sparse.js';

const SEED = Number(process.env.SEED ?? 0x5ba75e);
console.log(`kernels-sparse seed ${SEED} (set SEED=... to change)`);
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

type Kernel = (...args: number[]) => number;
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {}).exports as Record<string, unknown>;
(ex._initialize as () => void)();
const memory = ex.memory as WebAssembly.Memory;
const k = (name: string) => ex[name] as Kernel;
const alloc = k('alloc');
const GUARD = 16;

interface Case { batches: number; depth: number; units: number; density: number; blockRows?: number; extreme?: boolean }

const CASES: Case[] = [];
for (const depth of [1, 7, 8, 9, 31, 32, 33, 64, 65, 200]) {
  for (const units of [1, 3, 8, 17]) CASES.push({ batches: pickRows(), depth, units, density: pickDensity() });
}
for (const batches of [1, 15, 16, 17, 31, 33, 48, 125]) {
  CASES.push({ batches, depth: 64, units: 12, density: 0.2 });
  CASES.push({ batches, depth: 19, units: 5, density: 0.5, blockRows: 16 });
  CASES.push({ batches, depth: 40, units: 9, density: 0.1, blockRows: 32, extreme: true });
}
CASES.push({ batches: 40, depth: 50, units: 7, density: 0 }, { batches: 40, depth: 50, units: 7, density: 1 });
CASES.push({ batches: 200, depth: 640, units: 16, density: 0.2 }); // blocks limited by the patch buffer
function pickRows() { return [1, 2, 16, 17, 37][int(0, 4)]!; }
function pickDensity() { return [0, 0.05, 0.2, 0.5, 0.9, 1][int(0, 5)]!; }

test('sparse FULLY_CONNECTED kernels equal the dense reference on the same pruned weights', () => {
  let simdRuns = 0;
  for (const [n, c] of CASES.entries()) {
    const { batches, depth, units } = c;
    const dense = new Int8Array(units * depth);
    for (let i = 0; i < dense.length; i++) {
      if (rand() >= c.density) continue;
      dense[i] = c.extreme ? (rand() < 0.5 ? -128 : 127) : int(-128, 127) || 1;
    }
    const sparse = encodeSparse(dense, units, depth);
    const inp = alloc(batches * depth), w = alloc(dense.length), ws = alloc(sparse.length);
    const bias = alloc(4 * units), mults = alloc(4 * units), shifts = alloc(4 * units);
    const outBytes = batches * units;
    const outs = [alloc(outBytes + GUARD), alloc(outBytes + GUARD), alloc(outBytes + GUARD)];
    const x = new Int8Array(memory.buffer, inp, batches * depth);
    for (let i = 0; i < x.length; i++) x[i] = c.extreme ? (rand() < 0.5 ? -128 : 127) : int(-128, 127);
    new Int8Array(memory.buffer, w, dense.length).set(dense);
    new Uint8Array(memory.buffer, ws, sparse.length).set(sparse);
    const i32 = (p: number) => new Int32Array(memory.buffer, p, units);
    i32(bias).forEach((_, u, a) => { a[u] = int(-40000, 40000); });
    i32(mults).forEach((_, u, a) => { a[u] = n % 7 === 0 && u === 0 ? 2 ** 31 - 1 : int(2 ** 30, 2 ** 31 - 1); });
    i32(shifts).forEach((_, u, a) => { a[u] = n % 5 === 0 && u === 0 ? int(-31, 2) : int(-12, 0); });
    const inputOffset = c.extreme ? 128 : int(-127, 128), zp = int(-128, 127);
    const actMin = rand() < 0.7 ? -128 : int(-128, 50), actMax = rand() < 0.7 ? 127 : int(actMin, 127);
    for (const o of outs) new Int8Array(memory.buffer, o, outBytes + GUARD).fill(0x5a);
    const q = [inputOffset, zp, actMin, actMax];
    const b = rand() < 0.2 ? 0 : bias;
    k('fully_connected_i8_ref')(outs[0]!, inp, w, b, mults, shifts, batches, depth, units, ...q);
    k('fully_connected_sparse_i8_ref')(outs[1]!, inp, ws, b, mults, shifts, batches, depth, units, ...q);
    const rows = c.blockRows ?? k('sparse_block_rows')(depth, batches);
    if (rows > 0) {
      const packed = alloc(Number(k('sparse_packed_bytes')(ws, depth, units)));
      k('sparse_pack')(packed, ws, depth, units, rows);
      k('fully_connected_sparse_i8_simd')(outs[2]!, inp, b, mults, shifts, batches, depth, units, ...q, packed);
      simdRuns++;
    }
    const expected = new Int8Array(memory.buffer, outs[0]!, outBytes + GUARD);
    const variants = rows > 0 ? ['fully_connected_sparse_i8_ref', 'fully_connected_sparse_i8_simd'] : ['fully_connected_sparse_i8_ref'];
    variants.forEach((name, v) => {
      const got = new Int8Array(memory.buffer, outs[v + 1]!, outBytes + GUARD);
      for (let i = 0; i < outBytes + GUARD; i++) {
        if (got[i] !== expected[i]) {
          assert.fail(`${name}, case ${n} ${JSON.stringify(c)} (seed ${SEED}): byte ${i}${i >= outBytes ? ' (past the end)' : ''}: expected ${expected[i]}, got ${got[i]}`);
        }
      }
    });
  }
  assert.ok(simdRuns > 40, `${simdRuns} SIMD runs`);
});

test('the sparse encoding is a bitmap per unit then the values, and 3x smaller at 80 % zeros', () => {
  const dense = Int8Array.from([0, 5, 0, 0, 0, 0, 0, 0, -3, /* unit 1 */ 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(encodeSparse(dense, 2, 9)), [0b10, 0b1, 0, 0, 5, 253]);
  const pruned = new Int8Array(64 * 640).map((_, i) => (i % 5 === 0 ? 1 : 0));
  assert.ok(pruned.length / encodeSparse(pruned, 64, 640).length >= 3);
});
