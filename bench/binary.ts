// `npm run bench:binary`: binary fully connected and conv layers (signs packed 32 to a word, xor +
// popcount; assembly/simd/fully_connected_b1.ts, conv2d_b1.ts) against int8 ones of the same shape
// (the SIMD build's GEMMs, weights packed as at load), SIMD kernels, in one process, 24 interleaved rounds (tinybench;
// the speed-up is the median of the rounds' ratios), with the weight bytes of each. Inputs and
// weights seeded random; every kernel's output is checked against its reference first.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { roundsBench, timeInRounds, median, ratio } from './rounds.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
type Kernel = (...args: number[]) => number;
const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {}).exports as Record<string, unknown>;
(wasm._initialize as () => void)();
const k = (n: string) => wasm[n] as Kernel;
const memory = wasm.memory as WebAssembly.Memory;
let seed = 0xb1a5;
const random = (n: number) => { const p = k('alloc')(n); const v = new Int8Array(memory.buffer, p, n); for (let i = 0; i < n; i++) v[i] = ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24) - 128; return p; };
const words = (depth: number) => Math.ceil(depth / 128) * 4;

const SHAPES: [string, number, number, number][] = [
  ['AD-like 1x640->128', 1, 640, 128], ['KWS-like 125x64->64', 125, 64, 64], ['49x256->256', 49, 256, 256], ['1x1024->1024', 1, 1024, 1024],
];
const ROUNDS = 24;
const bench = roundsBench();
const rows: { name: string; macs: number; int8Bytes: number; b1Bytes: number; exact: boolean }[] = [];
for (const [name, batches, depth, units] of SHAPES) {
  const x = random(batches * depth), w = random(units * depth);
  const bias = k('alloc')(4 * units), mults = k('alloc')(4 * units), shifts = k('alloc')(4 * units);
  const v = new Int32Array(memory.buffer);
  for (let u = 0; u < units; u++) { v[bias / 4 + u] = (u * 37) % 200 - 100; v[mults / 4 + u] = 1_300_000_001 + u * 1002; v[shifts / 4 + u] = -9; }
  const form = k('gemm_form')(0, w, depth, units, batches, 1, bias, mults, shifts, 128);
  const packed = k('alloc')(k('gemm_packed_bytes')(form, depth, units));
  k('pack_gemm')(packed, form, w, depth, units, bias, mults, shifts);
  const xb = k('alloc')(batches * words(depth) * 4), wb = k('alloc')(units * words(depth) * 4);
  k('binarize_i8_simd')(xb, x, batches, depth, 0);
  k('binarize_i8_simd')(wb, w, units, depth, 0);
  const out = [0, 1, 2, 3].map(() => k('alloc')(batches * units));
  const int8 = () => k('fully_connected_i8_simd')(out[0]!, x, w, bias, mults, shifts, batches, depth, units, 128, -128, -128, 127, packed);
  const b1 = () => k('fully_connected_b1_simd')(out[1]!, xb, wb, bias, mults, shifts, batches, depth, units, -128, -128, 127);
  int8(); b1();
  k('fully_connected_i8_ref')(out[2]!, x, w, bias, mults, shifts, batches, depth, units, 128, -128, -128, 127);
  k('fully_connected_b1_ref')(out[3]!, xb, wb, bias, mults, shifts, batches, depth, units, -128, -128, 127);
  const same = (a: number, b: number) => { const p = new Int8Array(memory.buffer, a, batches * units), q = new Int8Array(memory.buffer, b, batches * units); return p.every((t, i) => t === q[i]); };
  bench.add(`${name}|int8`, int8).add(`${name}|b1`, b1);
  rows.push({ name, macs: batches * depth * units, int8Bytes: depth * units, b1Bytes: units * words(depth) * 4, exact: same(out[0]!, out[2]!) && same(out[1]!, out[3]!) });
}
// Convolutions, 3x3 stride 1 'same' (zero padding: the binary kernel's border pixels take the
// reference path; one-padding, what binary networks usually train with, avoids that).
const CONVS: [string, number, number, number, number][] = [['32x32x64 3x3 -> 64', 32, 32, 64, 64], ['16x16x128 3x3 -> 128', 16, 16, 128, 128], ['8x8x256 3x3 -> 256', 8, 8, 256, 256]];
for (const [name, h, w, c, o] of CONVS) {
  const K = 9 * c;
  const x = random(h * w * c), wt = random(o * K);
  const bias = k('alloc')(4 * o), mults = k('alloc')(4 * o), shifts = k('alloc')(4 * o);
  const v = new Int32Array(memory.buffer);
  for (let u = 0; u < o; u++) { v[bias / 4 + u] = (u * 37) % 200 - 100; v[mults / 4 + u] = 1_300_000_001 + u * 1002; v[shifts / 4 + u] = -9; }
  const form = k('gemm_form')(0, wt, K, o, h * w, 1, bias, mults, shifts, 128);
  const packed = k('alloc')(k('gemm_packed_bytes')(form, K, o));
  k('pack_gemm')(packed, form, wt, K, o, bias, mults, shifts);
  const xb = k('alloc')(h * w * words(c) * 4), wb = k('alloc')(o * 9 * words(c) * 4);
  k('binarize_i8_simd')(xb, x, h * w, c, 0);
  k('binarize_i8_simd')(wb, wt, o * 9, c, 0);
  const out = [0, 1, 2, 3].map(() => k('alloc')(h * w * o));
  const geometry = [1, h, w, c, h, w, o, 3, 3];
  const int8 = () => k('conv2d_i8_simd')(out[0]!, x, wt, bias, mults, shifts, ...geometry, c, 1, 1, 1, 1, 1, 1, 128, -128, -128, 127, packed);
  for (const padOne of [0, 1]) {
    const b1 = () => k('conv2d_b1_simd')(out[1]!, xb, wb, bias, mults, shifts, ...geometry, 1, 1, 1, 1, 1, 1, padOne, -128, -128, 127);
    int8(); b1();
    k('conv2d_i8_ref')(out[2]!, x, wt, bias, mults, shifts, ...geometry, c, 1, 1, 1, 1, 1, 1, 128, -128, -128, 127);
    k('conv2d_b1_ref')(out[3]!, xb, wb, bias, mults, shifts, ...geometry, 1, 1, 1, 1, 1, 1, padOne, -128, -128, 127);
    const same = (a: number, b: number) => { const p = new Int8Array(memory.buffer, a, h * w * o), q = new Int8Array(memory.buffer, b, h * w * o); return p.every((t, i) => t === q[i]); };
    const label = `conv ${name}, ${padOne ? 'one' : 'zero'}-padded`;
    bench.add(`${label}|int8`, int8).add(`${label}|b1`, b1);
    rows.push({ name: label, macs: h * w * o * K, int8Bytes: o * K, b1Bytes: o * 9 * words(c) * 4, exact: same(out[0]!, out[2]!) && same(out[1]!, out[3]!) });
  }
}

const perRound = await timeInRounds(bench, ROUNDS);
console.log('\nbinary (signs, xor + popcount) against int8 layers of the same shape, SIMD kernels: median µs per call, one thread\n');
console.log('| layer | MACs | int8 µs | binary µs | speed-up | int8 weight bytes | binary weight bytes | smaller | kernels = their references |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const [a, b] = [`${r.name}|int8`, `${r.name}|b1`];
  console.log(`| ${r.name} | ${r.macs} | ${(1000 * median(perRound.get(a)!)).toFixed(2)} | ${(1000 * median(perRound.get(b)!)).toFixed(2)} | ${ratio(perRound, a, b).toFixed(1)}x | ` +
    `${r.int8Bytes} | ${r.b1Bytes} | ${(r.int8Bytes / r.b1Bytes).toFixed(1)}x | ${r.exact ? 'yes' : 'NO'} |`);
}
