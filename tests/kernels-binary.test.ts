// Binary kernels (issue 8, not yet wired into the executor): binarize_i8 (int8 -> packed signs) and
// fully_connected_b1 (xor + popcount over packed signs, to int8). The reference kernels against an
// independent formulation here — signs as +1 / -1 numbers, the dot product summed in JavaScript,
// requantized by the runtime's multiplyByQuantizedMultiplier (itself checked against BigInt in
// tests/quant.test.ts) — and the SIMD kernels against the references byte for byte, on depths
// around the 32-bit word and the 128-bit block (1, 31, 32, 33, 127, 128, 129, 300, 4000 past the
// u8 flush), units around the 4-unit block, zero points across the int8 range, values at the clamp.
// Seed: env SEED.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './golden.js';
import { mulberry32 } from '../models/prng.js';

const SEED = Number(process.env.SEED ?? 0xb1a7);
console.log(`kernels-binary seed ${SEED} (set SEED=... to change)`);
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

type Fn = (...args: number[]) => number;
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {}).exports as Record<string, unknown>;
(ex._initialize as () => void)();
const fn = (name: string) => ex[name] as Fn;
const memory = ex.memory as WebAssembly.Memory;
const mbqm = (new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-quant.wasm'))), {}).exports.mbqm) as Fn;

const words = (depth: number) => Math.ceil(depth / 128) * 4;
const GUARD = 16;

function put(bytes: Uint8Array): number {
  const p = fn('alloc')(bytes.length + GUARD);
  new Uint8Array(memory.buffer, p, bytes.length + GUARD).fill(0xa5);
  new Uint8Array(memory.buffer, p, bytes.length).set(bytes);
  return p;
}
const read = (p: number, n: number) => new Uint8Array(memory.buffer, p, n).slice();

// The packed signs of (rows, depth) int8 values, computed here: bit 1 where x < zeroPoint.
function packHere(x: Int8Array, rows: number, depth: number, zeroPoint: number): Uint32Array {
  const out = new Uint32Array(rows * words(depth));
  for (let r = 0; r < rows; r++) for (let d = 0; d < depth; d++) if (x[r * depth + d]! < zeroPoint) out[r * words(depth) + (d >> 5)]! |= 1 << (d & 31);
  return out;
}

const DEPTHS = [1, 31, 32, 33, 127, 128, 129, 300, 4000];

test('binarize_i8: reference equals the signs computed here; SIMD equals the reference', () => {
  for (const depth of DEPTHS) {
    for (const zeroPoint of [-128, -1, 0, 37, 127]) {
      const rows = int(1, 3);
      const x = Int8Array.from({ length: rows * depth }, () => (rand() < 0.1 ? zeroPoint : int(-128, 127)));
      const inp = put(new Uint8Array(x.buffer));
      const bytes = rows * words(depth) * 4;
      const expected = new Uint8Array(packHere(x, rows, depth, zeroPoint).buffer);
      for (const variant of ['ref', 'simd']) {
        const out = put(new Uint8Array(bytes));
        fn(`binarize_i8_${variant}`)(out, inp, rows, depth, zeroPoint);
        const got = read(out, bytes + GUARD);
        for (let i = 0; i < bytes; i++) if (got[i] !== expected[i]) assert.fail(`binarize_i8_${variant} depth ${depth} zp ${zeroPoint} byte ${i}: expected ${expected[i]}, got ${got[i]}`);
        for (let i = bytes; i < bytes + GUARD; i++) assert.equal(got[i], 0xa5, `binarize_i8_${variant} depth ${depth} wrote past its output`);
      }
    }
  }
});

test('fully_connected_b1: reference equals the dot products computed here; SIMD equals the reference', () => {
  let cases = 0;
  for (const depth of DEPTHS) {
    for (const units of [1, 3, 4, 5, 8, 9, 13]) {
      const batches = int(1, 3);
      const signs = (n: number) => Int8Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1));
      const xs = signs(batches * depth), ws = signs(units * depth);
      // Packed from int8 values whose sign is the wanted one (zero point 0: -1 -> bit 1).
      const x = put(new Uint8Array(packHere(xs, batches, depth, 0).buffer));
      const w = put(new Uint8Array(packHere(ws, units, depth, 0).buffer));
      const hasBias = rand() < 0.8;
      const biasV = Int32Array.from({ length: units }, () => int(-3 * depth, 3 * depth));
      const multV = Int32Array.from({ length: units }, () => (rand() < 0.1 ? 2 ** 30 : int(2 ** 30, 2 ** 31 - 1)));
      const shiftV = Int32Array.from({ length: units }, () => int(-10, 2));
      const bias = hasBias ? put(new Uint8Array(biasV.buffer)) : 0;
      const mults = put(new Uint8Array(multV.buffer)), shifts = put(new Uint8Array(shiftV.buffer));
      const zp = int(-128, 127), actMin = rand() < 0.3 ? int(-128, 0) : -128, actMax = rand() < 0.3 ? int(actMin, 127) : 127;
      const expected = new Int8Array(batches * units);
      for (let b = 0; b < batches; b++) {
        for (let u = 0; u < units; u++) {
          let dot = 0;
          for (let d = 0; d < depth; d++) dot += xs[b * depth + d]! * ws[u * depth + d]!;
          const y = mbqm(dot + (hasBias ? biasV[u]! : 0), multV[u]!, shiftV[u]!) + zp;
          expected[b * units + u] = Math.min(actMax, Math.max(actMin, y));
        }
      }
      for (const variant of ['ref', 'simd']) {
        const out = put(new Uint8Array(batches * units));
        fn(`fully_connected_b1_${variant}`)(out, x, w, bias, mults, shifts, batches, depth, units, zp, actMin, actMax);
        const got = new Int8Array(read(out, batches * units + GUARD).buffer);
        const shape = JSON.stringify({ batches, depth, units, zp, actMin, actMax, hasBias });
        for (let i = 0; i < batches * units; i++) if (got[i] !== expected[i]) assert.fail(`fully_connected_b1_${variant} ${shape} output[${i}]: expected ${expected[i]}, got ${got[i]}`);
        for (let i = batches * units; i < batches * units + GUARD; i++) assert.equal(got[i], new Int8Array([0xa5])[0], `fully_connected_b1_${variant} ${shape} wrote past its output`);
      }
      cases++;
    }
  }
  assert.equal(cases, DEPTHS.length * 7);
});
