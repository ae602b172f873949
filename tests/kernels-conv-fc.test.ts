// CONV_2D and FULLY_CONNECTED: the SIMD kernels (assembly/simd/conv2d_i8.ts, fully_connected_i8.ts)
// against the reference kernels they must equal byte for byte, on one table of shapes around the
// SIMD tiles: K (taps x channels) in {1, 7, 8, 9, 19} around the 8-lane K block, units one under
// and over the 4-unit block, odd and even pixel counts (rows go two at a time), odd strides,
// SAME and VALID padding, dilation, groups, batches, the 1x1 fast path and its near misses, and
// depths past the patch buffer (the reference fallback), and pruned units (all weights zero, biases
// near 2^30) on the units-in-lanes path. Values and zero points reach the clamp at -128 and 127;
// multipliers are random in [2^30, 2^31), shifts in [-12, 0], and a few cases take the extreme
// shifts and multipliers. Both variants run from
// build/test-kernels.wasm on the same buffers; output bytes past the end must stay untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './golden.js';
import { mulberry32 } from '../models/prng.js';

const SEED = Number(process.env.SEED ?? 0x5eed_c0de);
console.log(`kernels-conv-fc seed ${SEED} (set SEED=... to change)`);
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

type Kernel = (...args: number[]) => void;
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {});
const ex = wasm.exports as Record<string, unknown>;
(ex._initialize as () => void)(); // sets the allocator's start past static data (the SIMD patch buffer)
const alloc = ex.alloc as (n: number) => number;
const memory = ex.memory as WebAssembly.Memory;
const kernel = (name: string) => ex[name] as Kernel;

const GUARD = 16;

/** Values for a buffer: random bytes, or only the extremes -128 and 127 (the i16 range's edges). */
function fillInt8(p: number, n: number, extreme: boolean): void {
  const v = new Int8Array(memory.buffer, p, n);
  for (let i = 0; i < n; i++) v[i] = extreme ? (rand() < 0.5 ? -128 : 127) : int(-128, 127);
}

function fillInt32(p: number, n: number, f: () => number): void {
  const v = new Int32Array(memory.buffer, p, n);
  for (let i = 0; i < n; i++) v[i] = f();
}

interface Quant { inputOffset: number; outputZeroPoint: number; actMin: number; actMax: number }

/** Zero points over their whole range; a third of the cases with a narrow fused clamp. */
function randomQuant(extreme: boolean): Quant {
  const inputOffset = extreme ? (rand() < 0.5 ? -127 : 128) : int(-127, 128);
  const outputZeroPoint = int(-128, 127);
  if (rand() < 0.67) return { inputOffset, outputZeroPoint, actMin: -128, actMax: 127 };
  const actMin = int(-128, 100);
  return { inputOffset, outputZeroPoint, actMin, actMax: int(actMin, 127) };
}

const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Edge quantization: true mixes in every extreme shift; 'small' keeps left shifts <= 2, so the layer
 * stays on the units-in-lanes path (whose f64 requantization needs |acc * 2^left| < 2^22); 'ties'
 * takes the multiplier 2^30 for every unit, so half the products round on a tie, and outputs stay
 * inside the clamp. */
type Edge = boolean | 'small' | 'ties';

/**
 * Shared buffers of one case: inputs and per-unit quantization. `edge` mixes in the extreme shifts
 * -31 and 30 and the multipliers i32 MIN (the saturating doubling high mul), 0 and 2^30 (whose
 * products land on the rounding ties).
 */
function setup(inBytes: number, weightBytes: number, units: number, bias: boolean, extreme: boolean, edge: Edge = false, bigBias = false, dead = false) {
  const p = {
    inp: alloc(inBytes), weights: alloc(weightBytes), bias: bias ? alloc(units * 4) : 0,
    mults: alloc(units * 4), shifts: alloc(units * 4),
  };
  fillInt8(p.inp, inBytes, extreme);
  fillInt8(p.weights, weightBytes, extreme);
  if (bias) fillInt32(p.bias, units, () => (bigBias && rand() < 0.2 ? pick([-(2 ** 30), 2 ** 22]) : int(-60000, 60000)));
  fillInt32(p.mults, units, () => (edge === 'ties' ? 2 ** 30 : edge && rand() < 0.3 ? pick([-(2 ** 31), 0, 2 ** 30]) : int(2 ** 30, 2 ** 31 - 1)));
  fillInt32(p.shifts, units, () => (edge === 'ties' ? pick([-12, -9, -1, 0]) : edge === 'small' ? pick([-31, -20, -12, -11, -10, -1, 0, 1, 2]) : edge ? pick([-31, -20, -1, 0, 1, 30]) : int(-12, 0)));
  if (dead) deadUnits(p, weightBytes / units, units);
  return p;
}

/**
 * Every third unit pruned away as VWW's are: all its weights zero, its bias near +-2^30 (no f64
 * bound admits it; gemmLanes serves it by its requantized bias) or small, its shift anywhere.
 */
function deadUnits(p: { weights: number; bias: number; mults: number; shifts: number }, K: number, units: number): void {
  const bias = new Int32Array(memory.buffer, p.bias, units);
  const shifts = new Int32Array(memory.buffer, p.shifts, units);
  // Odd multipliers: no live unit is refused for trailing zero bits, only a bound could refuse it.
  new Int32Array(memory.buffer, p.mults, units).forEach((m, u, all) => { all[u] = m | 1; });
  for (let u = 1; u < units; u += 3) {
    new Int8Array(memory.buffer, p.weights + u * K, K).fill(0);
    bias[u] = pick([2 ** 30, -(2 ** 30), 2 ** 30 + 129, -(2 ** 31), int(-60000, 60000)]);
    shifts[u] = pick([-31, -25, -20, -12, 0, 5]);
  }
}

/**
 * The weights packed as the runtime packs them at load, in `form` (1: i16 rows for gemmPatches, 2:
 * units in lanes for gemmLanes), or 0 when that form cannot serve the layer.
 */
function packGemm(p: ReturnType<typeof setup>, form: number, K: number, units: number, groups: number, inputOffset: number): number {
  const call = ex as Record<string, (...a: number[]) => number>;
  if (call.gemm_form!(form, p.weights, K, units, 0, groups, p.bias, p.mults, p.shifts, inputOffset) === 0) return 0;
  const packed = alloc(call.gemm_packed_bytes!(form, K, units));
  call.pack_gemm!(packed, form, p.weights, K, units, p.bias, p.mults, p.shifts);
  return packed;
}

/** Both packed forms of a layer: i16 rows always, units in lanes where gemmLanes can serve it. */
const packedForms = (p: ReturnType<typeof setup>, K: number, units: number, groups: number, inputOffset: number) =>
  [1, 2].map((form) => packGemm(p, form, K, units, groups, inputOffset)).filter((x) => x !== 0);

let lanesRuns = 0;

/**
 * Runs ref, then simd with each of `packed` (weights packed in one form or the other) as its last
 * argument, into separate outputs (pre-filled differently), and compares every byte.
 */
function compare(op: string, shape: object, outBytes: number, packed: number[], run: (k: Kernel, out: number, packed: number) => void): void {
  const result = (variant: string, fill: number, p: number) => {
    const out = alloc(outBytes + GUARD);
    new Uint8Array(memory.buffer, out, outBytes + GUARD).fill(fill);
    run(kernel(`${op}_i8_${variant}`), out, p);
    return new Int8Array(memory.buffer, out, outBytes + GUARD).slice();
  };
  const ref = result('ref', 0x55, 0);
  for (const p of packed) {
    const simd = result('simd', 0xaa, p);
    const lanes = new Int32Array(memory.buffer, p, 1)[0] === 2;
    const name = `${op}_i8_simd (${lanes ? 'gemmLanes' : 'gemmPatches'})`;
    if (lanes) lanesRuns++;
    for (let i = 0; i < outBytes; i++) {
      if (ref[i] !== simd[i]) assert.fail(`${name} ${JSON.stringify(shape)} output[${i}]: expected ${ref[i]}, got ${simd[i]}`);
    }
    for (let i = outBytes; i < outBytes + GUARD; i++) {
      assert.equal(simd[i], new Int8Array([0xaa])[0], `${name} ${JSON.stringify(shape)} wrote past the output at ${i}`);
    }
  }
}

// ---- CONV_2D

interface ConvCase {
  n?: number; h: number; w: number; c: number; o: number; f: [number, number];
  s?: [number, number]; d?: [number, number]; pad: 'SAME' | 'VALID'; groups?: number;
  bias?: boolean; extreme?: boolean; edge?: Edge; bigBias?: boolean; dead?: boolean;
}

const CONV: ConvCase[] = [
  // 1x1 stride 1 unpadded (the fully connected fast path): K = c around the K block, units around 4.
  ...[1, 7, 8, 9, 19].flatMap((c) => [3, 4, 5, 9].map((o): ConvCase => ({ h: 3, w: 5, c, o, f: [1, 1], pad: 'VALID' }))),
  { h: 25, w: 5, c: 64, o: 64, f: [1, 1], pad: 'SAME' },
  { n: 3, h: 3, w: 3, c: 16, o: 7, f: [1, 1], pad: 'VALID', bias: false },
  { h: 4, w: 4, c: 8, o: 16, f: [1, 1], pad: 'VALID', extreme: true },
  { h: 4, w: 3, c: 24, o: 13, f: [1, 1], pad: 'VALID', edge: true },
  // 1x1 near misses: stride 2, and groups.
  { h: 7, w: 7, c: 16, o: 12, f: [1, 1], s: [2, 2], pad: 'VALID' },
  { h: 5, w: 4, c: 8, o: 8, f: [1, 1], pad: 'VALID', groups: 2 },
  // General path: K = taps x channels across the K block, odd and even pixel counts.
  { h: 5, w: 5, c: 1, o: 4, f: [1, 1], s: [1, 2], pad: 'SAME' },
  { h: 6, w: 5, c: 1, o: 5, f: [7, 1], pad: 'SAME' },
  { h: 6, w: 5, c: 1, o: 3, f: [2, 4], pad: 'SAME' },
  { h: 6, w: 5, c: 1, o: 9, f: [3, 3], pad: 'VALID' },
  { h: 7, w: 6, c: 19, o: 8, f: [1, 1], s: [3, 1], pad: 'SAME' },
  { h: 8, w: 8, c: 3, o: 8, f: [3, 3], s: [2, 2], pad: 'SAME' },
  { h: 9, w: 9, c: 3, o: 8, f: [3, 3], s: [2, 2], pad: 'VALID' },
  { h: 12, w: 10, c: 1, o: 64, f: [10, 4], s: [2, 2], pad: 'SAME' },
  { h: 8, w: 8, c: 16, o: 16, f: [3, 3], pad: 'SAME' },
  { h: 9, w: 7, c: 9, o: 13, f: [3, 3], s: [3, 3], pad: 'SAME', bias: false },
  { h: 3, w: 3, c: 4, o: 5, f: [5, 5], pad: 'SAME' },
  { h: 2, w: 7, c: 2, o: 6, f: [3, 5], s: [1, 2], pad: 'SAME', extreme: true },
  { n: 2, h: 5, w: 3, c: 5, o: 7, f: [3, 3], pad: 'SAME' },
  { n: 3, h: 3, w: 3, c: 8, o: 4, f: [2, 2], pad: 'VALID', extreme: true },
  { h: 5, w: 5, c: 3, o: 10, f: [3, 3], pad: 'SAME', edge: true },
  // Dilation: vertical only keeps filter rows dense, horizontal does not.
  { h: 9, w: 9, c: 5, o: 6, f: [3, 3], d: [2, 1], pad: 'SAME' },
  { h: 9, w: 9, c: 5, o: 6, f: [3, 3], d: [1, 2], pad: 'SAME' },
  { h: 10, w: 8, c: 8, o: 9, f: [3, 2], d: [3, 2], s: [2, 1], pad: 'VALID' },
  // Groups: fewer than 4 filters per group, and a partial unit block per group.
  { h: 5, w: 5, c: 6, o: 6, f: [3, 3], pad: 'SAME', groups: 3 },
  { h: 5, w: 6, c: 8, o: 10, f: [3, 3], pad: 'SAME', groups: 2 },
  { h: 4, w: 4, c: 18, o: 9, f: [3, 1], s: [1, 3], pad: 'SAME', groups: 3 },
  // Units in lanes (8 or more pixels, units a multiple of 8): K odd / 1 / 2 / 3, pixel counts
  // 8..11 around the 4-row block, 8 / 16 / 24 units, odd K tails, left shifts and extreme
  // multipliers, and the fallbacks: a bias past the f64 bound, weights past the pack buffer.
  ...[1, 2, 3, 5, 8, 16].flatMap((c) => [8, 9, 10, 11].map((w): ConvCase => ({ h: 1, w, c, o: 8, f: [1, 1], pad: 'VALID' }))),
  { h: 3, w: 5, c: 8, o: 16, f: [1, 1], pad: 'VALID', edge: 'small' },
  { h: 5, w: 5, c: 7, o: 24, f: [1, 1], pad: 'VALID', extreme: true },
  { h: 6, w: 6, c: 64, o: 64, f: [1, 1], pad: 'VALID', bias: false },
  { h: 6, w: 6, c: 64, o: 64, f: [1, 1], pad: 'VALID', bigBias: true },
  { h: 9, w: 9, c: 3, o: 8, f: [3, 3], s: [2, 2], pad: 'SAME', edge: 'small' },
  { h: 4, w: 4, c: 3, o: 8, f: [3, 3], pad: 'SAME', edge: true },
  { h: 5, w: 4, c: 3, o: 8, f: [3, 3], pad: 'SAME', edge: 'ties' },
  { h: 5, w: 4, c: 3, o: 6, f: [3, 3], pad: 'SAME', edge: 'ties' },
  { h: 7, w: 6, c: 3, o: 16, f: [3, 3], pad: 'SAME', extreme: true },
  { n: 2, h: 5, w: 4, c: 1, o: 16, f: [10, 4], s: [2, 2], pad: 'SAME' },
  { h: 7, w: 7, c: 16, o: 32, f: [1, 1], s: [2, 2], pad: 'VALID' },
  { h: 6, w: 6, c: 16, o: 16, f: [3, 3], d: [2, 1], pad: 'SAME' },
  { h: 5, w: 5, c: 32, o: 8, f: [3, 3], pad: 'SAME' },
  { h: 4, w: 4, c: 64, o: 64, f: [3, 3], pad: 'SAME' },
  // Pruned units (all weights zero, biases near 2^30) on the units-in-lanes path.
  { h: 12, w: 12, c: 64, o: 64, f: [1, 1], pad: 'VALID', dead: true },
  { h: 7, w: 9, c: 16, o: 24, f: [3, 3], pad: 'SAME', dead: true },
  // More pixels than the patch buffer holds at once (107 rows of K = 144: an odd chunk), one row
  // at a time (K = 9000), and past one row (K = 16400: the reference fallback).
  { h: 16, w: 16, c: 16, o: 6, f: [3, 3], pad: 'SAME' },
  { h: 48, w: 48, c: 8, o: 16, f: [1, 1], pad: 'VALID' },
  { n: 2, h: 3, w: 3, c: 1000, o: 5, f: [3, 3], pad: 'SAME' },
  { h: 2, w: 2, c: 16400, o: 3, f: [1, 1], s: [2, 2], pad: 'VALID' },
];

function convGeometry(inSize: number, f: number, s: number, d: number, pad: 'SAME' | 'VALID'): [number, number] {
  const eff = (f - 1) * d + 1;
  const out = pad === 'SAME' ? Math.ceil(inSize / s) : Math.ceil((inSize - eff + 1) / s);
  const total = pad === 'SAME' ? Math.max(0, (out - 1) * s + eff - inSize) : 0;
  return [out, Math.floor(total / 2)];
}

for (const c of CONV) {
  const { n = 1, h, w, c: inC, o: outC, f: [fH, fW], s: [sH, sW] = [1, 1], d: [dH, dW] = [1, 1], pad, groups = 1 } = c;
  const bias = c.bias ?? true;
  const extreme = c.extreme ?? false;
  const edge = c.edge ?? false;
  const fC = inC / groups;
  const [outH, padTop] = convGeometry(h, fH, sH, dH, pad);
  const [outW, padLeft] = convGeometry(w, fW, sW, dW, pad);
  const shape = { n, h, w, inC, outC, fH, fW, fC, stride: [sH, sW], dilation: [dH, dW], pad, groups, bias, extreme, edge, bigBias: c.bigBias ?? false, dead: c.dead ?? false };
  test(`conv2d_i8_simd equals conv2d_i8_ref: ${JSON.stringify(shape)}`, () => {
    const p = setup(n * h * w * inC, outC * fH * fW * fC, outC, bias, extreme, edge, c.bigBias, c.dead);
    const q = randomQuant(extreme);
    const forms = packedForms(p, fH * fW * fC, outC, groups, q.inputOffset);
    if (c.dead) assert.equal(forms.length, 2, 'pruned units keep the layer on gemmLanes');
    compare('conv2d', { ...shape, ...q }, n * outH * outW * outC, forms, (k, out, packed) => k(
      out, p.inp, p.weights, p.bias, p.mults, p.shifts, n, h, w, inC, outH, outW, outC, fH, fW, fC,
      sH, sW, dH, dW, padTop, padLeft, q.inputOffset, q.outputZeroPoint, q.actMin, q.actMax, packed,
    ));
  });
}

// ---- FULLY_CONNECTED

interface FcCase { batches: number; depth: number; units: number; bias?: boolean; extreme?: boolean; edge?: Edge; bigBias?: boolean; dead?: boolean }

const FC: FcCase[] = [
  ...[1, 7, 8, 9, 19].flatMap((depth) => [1, 3, 4, 5, 8, 9].map((units) => ({ batches: 1, depth, units }))),
  ...[2, 3, 5].flatMap((batches) => [7, 9, 19].map((depth) => ({ batches, depth, units: 5 }))),
  { batches: 1, depth: 640, units: 128 },
  { batches: 1, depth: 128, units: 8, bias: false },
  { batches: 1, depth: 8, units: 128 },
  { batches: 3, depth: 64, units: 12, extreme: true },
  { batches: 2, depth: 256, units: 2, extreme: true },
  { batches: 30, depth: 640, units: 6 },
  { batches: 3, depth: 40, units: 11, edge: true },
  // Units in lanes: batches >= 8 around the 4-row block, units one block under / over 8 (fallback).
  ...[1, 2, 9, 17].flatMap((depth) => [7, 8, 9, 10, 11].map((batches) => ({ batches, depth, units: 8 }))),
  ...[7, 16, 24].map((units) => ({ batches: 12, depth: 33, units })),
  { batches: 9, depth: 40, units: 16, edge: 'small' },
  { batches: 11, depth: 16, units: 8, edge: true },
  { batches: 11, depth: 16, units: 16, edge: 'ties' },
  { batches: 40, depth: 1, units: 16, bias: false, edge: 'ties' },
  { batches: 10, depth: 128, units: 8, bigBias: true },
  { batches: 13, depth: 300, units: 8, extreme: true },
  { batches: 1, depth: 128, units: 16, dead: true },
  { batches: 10, depth: 33, units: 8, dead: true },
  // 30 rows of 640 take two fills of the patch buffer; 9000 fit one row at a time, 20000 none
  // (the reference fallback).
  { batches: 3, depth: 9000, units: 5 },
  { batches: 2, depth: 20000, units: 3 },
];

for (const c of FC) {
  const { batches, depth, units } = c;
  const bias = c.bias ?? true;
  const extreme = c.extreme ?? false;
  const edge = c.edge ?? false;
  const shape = { batches, depth, units, bias, extreme, edge, bigBias: c.bigBias ?? false, dead: c.dead ?? false };
  test(`fully_connected_i8_simd equals fully_connected_i8_ref: ${JSON.stringify(shape)}`, () => {
    const p = setup(batches * depth, units * depth, units, bias, extreme, edge, c.bigBias, c.dead);
    const q = randomQuant(extreme);
    const forms = packedForms(p, depth, units, 1, q.inputOffset);
    if (c.dead) assert.equal(forms.length, 2, 'pruned units keep the layer on gemmLanes');
    compare('fully_connected', { ...shape, ...q }, batches * units, forms, (k, out, packed) => k(
      out, p.inp, p.weights, p.bias, p.mults, p.shifts, batches, depth, units,
      q.inputOffset, q.outputZeroPoint, q.actMin, q.actMax, packed,
    ));
  });
}

test('the units-in-lanes GEMM (gemmLanes) served many of the cases above', () => {
  assert.ok(lanesRuns > 40, `${lanesRuns} gemmLanes runs`);
});
