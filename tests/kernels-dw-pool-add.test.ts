// The SIMD build's depthwise conv, pooling and ADD/SUB/MUL kernels (assembly/simd/) against their
// references (assembly/ref/), byte for byte, on a sweep of shapes around the kernels' blocks:
// depthwise works on blocks of 16 and 8 output channels, pooling on 8 channels; ADD, SUB and MUL
// look results up in a table the reference builds (whole tensors at once when both operands are
// contiguous, else rows, with any strides).
// Both variants run in build/test-kernels.wasm on the same random inputs and parameters.
// Seed: env KERNEL_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './golden.js';
import { mulberry32 } from '../models/prng.js';

const SEED = Number(process.env.KERNEL_SEED ?? 20250301);
console.log(`kernels-dw-pool-add seed ${SEED}`);
const rand = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {});
const wasm = instance.exports as Record<string, unknown>;
(wasm._initialize as (() => void) | undefined)?.();
const memory = wasm.memory as WebAssembly.Memory;
type Kernel = (...args: number[]) => void;
const kernel = (name: string) => wasm[name] as Kernel;

// One arena, reused by every case: a bump pointer reset per case.
const ARENA_BYTES = 8 << 20;
const arena = (wasm.alloc as (n: number) => number)(ARENA_BYTES);
assert.ok(arena > 0, 'test-kernels.wasm could not allocate the arena');
let top = arena;
const reset = () => { top = arena; };
function alloc(n: number): number {
  const p = top;
  top = (top + n + 15) & ~15;
  assert.ok(top <= arena + ARENA_BYTES, 'arena too small for this case');
  return p;
}
const i8 = (p: number, n: number) => new Int8Array(memory.buffer, p, n);
const i32 = (p: number, n: number) => new Int32Array(memory.buffer, p, n);
function randomI8(n: number): number {
  const p = alloc(n);
  const a = i8(p, n);
  for (let i = 0; i < n; i++) a[i] = int(-128, 127);
  return p;
}
function i32Array(values: number[]): number {
  const p = alloc(4 * values.length);
  i32(p, values.length).set(values);
  return p;
}

/** Runs ref and simd on the same arguments (out first; simd with `extra` after them) and compares every output byte. */
function compare(op: string, shape: object, outBytes: number, args: number[], extra: number[] = []) {
  const outRef = alloc(outBytes);
  const outSimd = alloc(outBytes);
  const padded = (outBytes + 15) & ~15;
  i8(outRef, padded).fill(0x55);
  i8(outSimd, padded).fill(0x55);
  kernel(`${op}_i8_ref`)(outRef, ...args);
  kernel(`${op}_i8_simd`)(outSimd, ...args, ...extra);
  const want = i8(outRef, outBytes);
  const got = i8(outSimd, outBytes);
  for (let i = 0; i < outBytes; i++) {
    if (want[i] !== got[i]) {
      assert.fail(`${op}_i8_simd (seed ${SEED}) ${JSON.stringify(shape)}: byte ${i}: expected ${want[i]}, got ${got[i]}`);
    }
  }
  // The bytes after the output, up to alloc's 16-byte rounding, stay untouched.
  assert.ok(i8(outSimd + outBytes, padded - outBytes).every((v) => v === 0x55), `${op}_i8_simd wrote past its output`);
  reset();
}

// Output size and leading padding as TFLite computes them for SAME / VALID.
function window(size: number, filter: number, stride: number, dilation: number, padding: 'SAME' | 'VALID') {
  const eff = (filter - 1) * dilation + 1;
  const out = padding === 'SAME' ? Math.ceil(size / stride) : Math.ceil((size - eff + 1) / stride);
  const pad = padding === 'SAME' ? Math.max(0, Math.floor(((out - 1) * stride + eff - size) / 2)) : 0;
  return { out, pad };
}

// Per-channel multipliers in [2^30, 2^31) and shifts mostly in [-12, 0]; `edge` adds the extreme
// shifts -31 and 30, a multiplier of i32 MIN (saturating doubling high mul) and 0.
function channelQuant(n: number, edge: boolean) {
  const mults: number[] = [];
  const shifts: number[] = [];
  for (let c = 0; c < n; c++) {
    // Channel 5k+3 pairs MIN with shift 30: any accumulator = 2 (mod 4) becomes MIN, then MIN * MIN.
    mults.push(edge && c % 5 === 3 ? -(2 ** 31) : edge && c % 5 === 4 ? 0 : int(2 ** 30, 2 ** 31 - 1));
    shifts.push(edge ? (c % 5 === 3 ? 30 : pick([-31, -20, -1, 0, 1, 30])) : int(-12, 0));
  }
  return { mults: i32Array(mults), shifts: i32Array(shifts) };
}

// A clamp: full range, RELU-like (from the zero point up) or a narrow band; zero points anywhere.
function clampRange() {
  const kind = int(0, 2);
  if (kind === 0) return [-128, 127];
  if (kind === 1) { const lo = int(-128, 0); return [lo, 127]; }
  const lo = int(-128, 100);
  return [lo, int(lo, 127)];
}

interface DwCase { b: number; h: number; w: number; c: number; dm: number; fh: number; fw: number;
  s: [number, number]; d: [number, number]; padding: 'SAME' | 'VALID'; bias: boolean; edge?: boolean }

const DW_CASES: DwCase[] = [];
// Channels around the 8-lane block, filter sizes (taps 1, 3, 9, 25, 15), strides and dilations.
for (const c of [1, 3, 7, 8, 9, 16, 19, 27, 40, 64]) {
  for (const [fh, fw] of [[1, 1], [3, 3], [5, 5], [3, 1], [1, 3], [3, 5]] as const) {
    DW_CASES.push({ b: 1, h: int(5, 11), w: int(5, 11), c, dm: 1, fh, fw, s: [1, 1], d: [1, 1], padding: pick(['SAME', 'VALID'] as const), bias: rand() < 0.7 });
  }
  DW_CASES.push({ b: 2, h: 9, w: 7, c, dm: 1, fh: 3, fw: 3, s: [2, 2], d: [1, 1], padding: 'SAME', bias: true });
  DW_CASES.push({ b: 1, h: 10, w: 9, c, dm: 1, fh: 3, fw: 3, s: [3, 1], d: [1, 1], padding: 'VALID', bias: false });
  DW_CASES.push({ b: 1, h: 12, w: 12, c, dm: 1, fh: 3, fw: 3, s: [1, 1], d: [2, 2], padding: 'SAME', bias: true });
  DW_CASES.push({ b: 1, h: 13, w: 11, c, dm: 1, fh: 3, fw: 2, s: [2, 1], d: [1, 3], padding: 'SAME', bias: true });
}
// Depth multipliers: the gather path (input channels >= 8) with and without a clamped last block.
for (const [c, dm] of [[8, 2], [9, 3], [12, 2], [16, 4], [3, 8], [4, 3], [10, 5], [1, 16], [33, 2]]) {
  DW_CASES.push({ b: 1, h: 8, w: 7, c: c!, dm: dm!, fh: 3, fw: 3, s: [1, 1], d: [1, 1], padding: 'SAME', bias: true });
  DW_CASES.push({ b: 2, h: 9, w: 9, c: c!, dm: dm!, fh: 3, fw: 3, s: [2, 2], d: [1, 1], padding: 'VALID', bias: false });
}
// The MLPerf-sized layers: KWS 25x5x64, VWW 24x24x32, VWW 48x48x16 stride 2.
DW_CASES.push({ b: 1, h: 25, w: 5, c: 64, dm: 1, fh: 3, fw: 3, s: [1, 1], d: [1, 1], padding: 'SAME', bias: true });
DW_CASES.push({ b: 1, h: 24, w: 24, c: 32, dm: 1, fh: 3, fw: 3, s: [1, 1], d: [1, 1], padding: 'SAME', bias: true });
DW_CASES.push({ b: 1, h: 48, w: 48, c: 16, dm: 1, fh: 3, fw: 3, s: [2, 2], d: [1, 1], padding: 'SAME', bias: true });
// Extreme shifts and multipliers (i32 MIN saturates; shift 30 makes acc << 30 hit MIN).
for (const c of [8, 17, 24]) {
  DW_CASES.push({ b: 1, h: 6, w: 6, c, dm: 1, fh: 3, fw: 3, s: [1, 1], d: [1, 1], padding: 'SAME', bias: true, edge: true });
  DW_CASES.push({ b: 1, h: 6, w: 6, c, dm: 2, fh: 3, fw: 3, s: [1, 1], d: [1, 1], padding: 'SAME', bias: false, edge: true });
}

test('depthwise_conv2d_i8_simd equals depthwise_conv2d_i8_ref', () => {
  let ran = 0;
  let packedRuns = 0;
  for (const k of DW_CASES) {
    const y = window(k.h, k.fh, k.s[0], k.d[0], k.padding);
    const x = window(k.w, k.fw, k.s[1], k.d[1], k.padding);
    if (y.out <= 0 || x.out <= 0) continue;
    const outC = k.c * k.dm;
    const inp = randomI8(k.b * k.h * k.w * k.c);
    const weights = randomI8(k.fh * k.fw * outC);
    const bias = k.bias ? i32Array(Array.from({ length: outC }, () => int(-40000, 40000))) : 0;
    const { mults, shifts } = channelQuant(outC, k.edge ?? false);
    const [actMin, actMax] = clampRange();
    const inputOffset = pick([-127, 128, int(-127, 128)]);
    // Saturated MAX and wrapped MIN differ after the (wrapping) zero point add only when it is 0.
    const outZp = k.edge ? 0 : int(-128, 127);
    const shape = { ...k, outH: y.out, outW: x.out, inputOffset, outZp, actMin, actMax };
    // Packed as the runtime packs it at load (0: the kernel takes the reference path).
    const bytes = (wasm.depthwise_packed_bytes as (...a: number[]) => number)(k.c, k.fh, k.fw, k.dm);
    const packed = bytes > 0 ? alloc(bytes) : 0;
    if (packed) (wasm.depthwise_pack as Kernel)(packed, weights, bias, mults, shifts, k.c, k.w, k.fh, k.fw, k.d[0], k.d[1], inputOffset);
    assert.ok(packed !== 0 || k.dm !== 1 || k.c < 8, `not packed: ${JSON.stringify(k)}`);
    if (packed) packedRuns++;
    compare('depthwise_conv2d', shape, k.b * y.out * x.out * outC, [
      inp, weights, bias, mults, shifts, k.b, k.h, k.w, k.c, y.out, x.out, k.fh, k.fw, k.dm,
      k.s[0], k.s[1], k.d[0], k.d[1], y.pad, x.pad, inputOffset, outZp, actMin!, actMax!,
    ], [packed]);
    ran++;
  }
  assert.ok(ran > 80 && packedRuns > 60, `${ran} cases, ${packedRuns} on the SIMD path`);
});

interface PoolCase { b: number; h: number; w: number; c: number; fh: number; fw: number; s: [number, number]; padding: 'SAME' | 'VALID' }

const POOL_CASES: PoolCase[] = [];
for (const c of [1, 7, 8, 9, 15, 16, 17, 35, 64]) {
  for (const [fh, fw] of [[1, 1], [2, 2], [3, 3], [2, 3]] as const) {
    for (const padding of ['SAME', 'VALID'] as const) {
      POOL_CASES.push({ b: 1, h: int(4, 10), w: int(4, 10), c, fh, fw, s: [int(1, 3), int(1, 3)], padding });
    }
  }
  POOL_CASES.push({ b: 2, h: 7, w: 7, c, fh: 7, fw: 7, s: [1, 1], padding: 'VALID' }); // global 49 taps
  POOL_CASES.push({ b: 1, h: 25, w: 5, c, fh: 25, fw: 5, s: [1, 1], padding: 'VALID' }); // KWS's 125 taps
}
// Windows of 256 taps and more (272, 400, clipped by SAME): sums far from an i16's range.
for (const [h, w] of [[16, 16], [16, 17], [20, 20]]) {
  POOL_CASES.push({ b: 1, h: h!, w: w!, c: 32, fh: h!, fw: w!, s: [1, 1], padding: 'VALID' });
  POOL_CASES.push({ b: 1, h: h! + 3, w: w! + 2, c: 17, fh: h!, fw: w!, s: [2, 2], padding: 'SAME' });
}

// An all -128 or all 127 input (always for windows over 256 taps): sums at their extremes,
// averages that clamp at both ends.
function poolInput(n: number, k: number, taps: number): number {
  if (k % 7 !== 5 && taps <= 256) return randomI8(n);
  const p = alloc(n);
  i8(p, n).fill(k % 2 ? -128 : 127);
  return p;
}

test('average_pool_i8_simd and max_pool_i8_simd equal their references', () => {
  POOL_CASES.forEach((k, n) => {
    const y = window(k.h, k.fh, k.s[0], 1, k.padding);
    const x = window(k.w, k.fw, k.s[1], 1, k.padding);
    assert.ok(y.out > 0 && x.out > 0, JSON.stringify(k));
    for (const op of ['average_pool', 'max_pool']) {
      const inp = poolInput(k.b * k.h * k.w * k.c, n, k.fh * k.fw);
      const [actMin, actMax] = clampRange();
      compare(op, { ...k, outH: y.out, outW: x.out, actMin, actMax }, k.b * y.out * x.out * k.c, [
        inp, k.b, k.h, k.w, k.c, y.out, x.out, k.fh, k.fw, k.s[0], k.s[1], y.pad, x.pad, actMin!, actMax!,
      ]);
    }
  });
});

// ADD: output dims (4-D) and each operand's element strides over them (0 on a broadcast axis).
interface AddCase { name: string; d: number[]; a: number[]; b: number[] }
const contiguous = (d: number[]) => [d[1]! * d[2]! * d[3]!, d[2]! * d[3]!, d[3]!, 1];
const ADD_CASES: AddCase[] = [];
for (const n of [1, 15, 16, 17, 35, 100, 1000]) {
  ADD_CASES.push({ name: `flat ${n}`, d: [1, 1, 1, n], a: [0, 0, 0, 1], b: [0, 0, 0, 1] });
  ADD_CASES.push({ name: `scalar + ${n}`, d: [1, 1, 1, n], a: [0, 0, 0, 0], b: [0, 0, 0, 1] });
}
for (const d of [[2, 3, 5, 7], [1, 4, 4, 16], [1, 5, 3, 33], [1, 1, 7, 1]]) {
  const c = contiguous(d);
  ADD_CASES.push({ name: 'same shape', d, a: c, b: c });
  ADD_CASES.push({ name: 'per-channel row', d, a: c, b: [0, 0, 0, 1] });
  ADD_CASES.push({ name: 'per-pixel value', d, a: [c[0]! / d[3]!, c[1]! / d[3]!, 1, 0], b: c });
  ADD_CASES.push({ name: 'outer broadcast', d, a: [0, c[1]!, c[2]!, 1], b: c });
  ADD_CASES.push({ name: 'inner stride 2', d, a: c.map((s) => 2 * s), b: c });
  ADD_CASES.push({ name: 'size-1 axes with odd strides', d, a: c.map((s, k) => (d[k] === 1 ? 99 : s)), b: c });
}

test('lookup_i8 (ADD, SUB, MUL by table) equals add_i8_ref, sub_i8_ref and mul_i8_ref', () => {
  const lookup = kernel('lookup_i8');
  for (const k of ADD_CASES) {
    for (let rep = 0; rep < 3; rep++) {
      const op = (['add', 'sub', 'mul'] as const)[rep]!;
      const span = (s: number[]) => 1 + s.reduce((acc, st, i) => acc + st * (k.d[i]! - 1), 0);
      const in1 = randomI8(span(k.a));
      const in2 = randomI8(span(k.b));
      // ADD/SUB: input multipliers with small right shifts, the output's near 2^-20; MUL: one multiplier.
      const q = op === 'mul'
        ? [pick([-127, 128, int(-127, 128)]), pick([-127, 128, int(-127, 128)]), int(2 ** 30, 2 ** 31 - 1), int(-20, 2), int(-128, 127), ...clampRange()]
        : [
          pick([-127, 128, int(-127, 128)]), int(2 ** 30, 2 ** 31 - 1), int(-6, 0),
          pick([-127, 128, int(-127, 128)]), int(2 ** 30, 2 ** 31 - 1), int(-6, 0),
          int(2 ** 30, 2 ** 31 - 1), int(-25, -14), int(-128, 127), ...clampRange(),
        ];
      // The table as the runtime builds it at load: the reference over the 256 x 256 operand grid.
      const grid = alloc(512);
      kernel('lookup_grid')(grid);
      const table = alloc(65536);
      kernel(`${op}_i8_ref`)(table, grid, grid + 256, 1, 1, 256, 256, 0, 0, 1, 0, 0, 0, 0, 1, ...q);
      const outBytes = k.d.reduce((x, y) => x * y, 1);
      const outRef = alloc(outBytes), outLut = alloc(outBytes + 16);
      i8(outLut, outBytes + 16).fill(0x55);
      kernel(`${op}_i8_ref`)(outRef, in1, in2, ...k.d, ...k.a, ...k.b, ...q);
      lookup(outLut, in1, in2, ...k.d, ...k.a, ...k.b, table);
      const want = i8(outRef, outBytes), got = i8(outLut, outBytes);
      for (let i = 0; i < outBytes; i++) {
        if (want[i] !== got[i]) assert.fail(`lookup_i8 ${op} (seed ${SEED}) ${JSON.stringify({ ...k, q })}: byte ${i}: expected ${want[i]}, got ${got[i]}`);
      }
      assert.ok(i8(outLut + outBytes, 16).every((v) => v === 0x55), 'lookup_i8 wrote past its output');
      reset();
    }
  }
});
