// Binary kernels (issue 8, not yet wired into the executor): binarize_i8 (int8 -> packed signs),
// fully_connected_b1 (xor + popcount over packed signs, to int8) and conv2d_b1 (the same over a
// receptive field; padding taps adding nothing or counting as +1). The reference kernels against an
// independent formulation here — signs as +1 / -1 numbers, the dot product summed in JavaScript,
// requantized by the runtime's multiplyByQuantizedMultiplier (itself checked against BigInt in
// tests/quant.test.ts) — and the SIMD kernels against the references byte for byte, on depths
// around the 32-bit word and the 128-bit block (1, 31, 32, 33, 127, 128, 129, 300, 4000 past the
// u8 flush), units around the 4-unit block, zero points across the int8 range, values at the clamp;
// convolutions with channels around the block, strides, dilation, both paddings, batches.
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

interface ConvCase { n: number; h: number; w: number; c: number; o: number; f: [number, number]; s: [number, number]; d: [number, number]; pad: [number, number]; padOne: 0 | 1 }

const CONV: ConvCase[] = [];
for (const c of [1, 32, 127, 128, 129, 256]) {
  for (const padOne of [0, 1] as const) {
    CONV.push({ n: 1, h: int(3, 7), w: int(3, 7), c, o: pick([3, 4, 5, 8, 9]), f: [3, 3], s: [1, 1], d: [1, 1], pad: [1, 1], padOne });
    CONV.push({ n: 2, h: 6, w: 5, c, o: 4, f: [3, 2], s: [2, 1], d: [1, 2], pad: [1, 0], padOne });
  }
}
CONV.push({ n: 1, h: 16, w: 16, c: 256, o: 16, f: [3, 3], s: [1, 1], d: [1, 1], pad: [1, 1], padOne: 0 }); // more pixels than one PATCH fill
CONV.push({ n: 1, h: 4, w: 4, c: 64, o: 8, f: [1, 1], s: [1, 1], d: [1, 1], pad: [0, 0], padOne: 0 });

function pick<T>(xs: T[]): T { return xs[Math.floor(rand() * xs.length)]!; }

test('conv2d_b1: reference equals the sign dot products computed here (both paddings); SIMD equals the reference', () => {
  for (const k of CONV) {
    const { n, h, w, c, o, padOne } = k;
    const [fH, fW] = k.f, [sH, sW] = k.s, [dH, dW] = k.d, [pT, pL] = k.pad;
    const outH = Math.floor((h + 2 * pT - ((fH - 1) * dH + 1)) / sH) + 1;
    const outW = Math.floor((w + 2 * pL - ((fW - 1) * dW + 1)) / sW) + 1;
    const signs = (len: number) => Int8Array.from({ length: len }, () => (rand() < 0.5 ? -1 : 1));
    const xs = signs(n * h * w * c), ws = signs(o * fH * fW * c);
    const x = put(new Uint8Array(packHere(xs, n * h * w, c, 0).buffer));
    const wt = put(new Uint8Array(packHere(ws, o * fH * fW, c, 0).buffer));
    const biasV = Int32Array.from({ length: o }, () => int(-2 * c, 2 * c));
    const multV = Int32Array.from({ length: o }, () => int(2 ** 30, 2 ** 31 - 1));
    const shiftV = Int32Array.from({ length: o }, () => int(-9, 0));
    const bias = put(new Uint8Array(biasV.buffer)), mults = put(new Uint8Array(multV.buffer)), shifts = put(new Uint8Array(shiftV.buffer));
    const zp = int(-128, 127);
    const outBytes = n * outH * outW * o;
    const expected = new Int8Array(outBytes);
    let at = 0;
    for (let b = 0; b < n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let u = 0; u < o; u++) {
      let dot = 0;
      for (let ky = 0; ky < fH; ky++) for (let kx = 0; kx < fW; kx++) {
        const y = oy * sH - pT + ky * dH, xx = ox * sW - pL + kx * dW;
        const inside = y >= 0 && y < h && xx >= 0 && xx < w;
        if (!inside && padOne === 0) continue;
        for (let ch = 0; ch < c; ch++) {
          const sx = inside ? xs[((b * h + y) * w + xx) * c + ch]! : 1;
          dot += sx * ws[((u * fH + ky) * fW + kx) * c + ch]!;
        }
      }
      expected[at++] = Math.min(127, Math.max(-128, mbqm(dot + biasV[u]!, multV[u]!, shiftV[u]!) + zp));
    }
    for (const variant of ['ref', 'simd']) {
      const out = put(new Uint8Array(outBytes));
      fn(`conv2d_b1_${variant}`)(out, x, wt, bias, mults, shifts, n, h, w, c, outH, outW, o, fH, fW, sH, sW, dH, dW, pT, pL, padOne, zp, -128, 127);
      const got = new Int8Array(read(out, outBytes + GUARD).buffer);
      const shape = JSON.stringify({ ...k, outH, outW, zp });
      for (let i = 0; i < outBytes; i++) if (got[i] !== expected[i]) assert.fail(`conv2d_b1_${variant} ${shape} output[${i}]: expected ${expected[i]}, got ${got[i]}`);
      for (let i = outBytes; i < outBytes + GUARD; i++) assert.equal(got[i], new Int8Array([0xa5])[0], `conv2d_b1_${variant} ${shape} wrote past its output`);
    }
  }
});
