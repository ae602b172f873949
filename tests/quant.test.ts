// The runtime's requantization (assembly/quant.ts, compiled to wasm) against an independent
// formulation in BigInt of what TensorFlow Lite Micro computes: x * 2^left * M / 2^31 rounded with
// ties toward +infinity (gemmlowp's nudge-and-truncate; MIN * MIN saturates), then a divide by
// 2^right with ties away from zero.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './golden.js';
import { mulberry32 } from '../models/prng.js';

const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-quant.wasm'))), {});
const mbqm = wasm.exports.mbqm as (x: number, m: number, s: number) => number;

function roundDivPow2(v: bigint, e: bigint): bigint {
  if (e === 0n) return v;
  const mag = v < 0n ? -v : v;
  const q = (mag + (1n << (e - 1n))) >> e;
  return v < 0n ? -q : q;
}

function expected(x: number, m: number, shift: number): number {
  const left = BigInt(Math.max(shift, 0));
  const right = BigInt(Math.max(-shift, 0));
  const xl = BigInt.asIntN(32, BigInt(x) << left);
  const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const high = xl === -(2n ** 31n) && BigInt(m) === -(2n ** 31n) ? 2n ** 31n - 1n : floorDiv(xl * BigInt(m) + 2n ** 30n, 2n ** 31n);
  return Number(BigInt.asIntN(32, roundDivPow2(high, right)));
}

test('multiplyByQuantizedMultiplier equals the BigInt formulation (seeded sweep and edges)', () => {
  const seed = 7;
  const rand = mulberry32(seed);
  const xs = [0, 1, -1, 2, -2, 127, -128, 2 ** 20, -(2 ** 20), 2 ** 31 - 1, -(2 ** 31)];
  const ms = [0, 2 ** 30, 2 ** 30 + 1, 2 ** 31 - 1, 1518500250];
  const cases: [number, number, number][] = [];
  for (const x of xs) for (const m of ms) for (const s of [-31, -20, -8, -1, 0, 1, 4]) cases.push([x, m, s]);
  for (let k = 0; k < 20000; k++) {
    const x = (rand() * 2 ** 32) | 0;
    const small = Math.round((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 24)));
    cases.push([k % 2 ? x : small, 2 ** 30 + Math.floor(rand() * 2 ** 30), -31 + Math.floor(rand() * 38)]);
  }
  for (const [x, m, s] of cases) {
    // A left shift that overflows int32 is outside what TFLite produces; skip it.
    if (s > 0 && Math.abs(x * 2 ** s) >= 2 ** 31) continue;
    assert.equal(mbqm(x, m, s), expected(x, m, s), `seed ${seed}: x ${x}, multiplier ${m}, shift ${s}`);
  }
});

// The f64 form the SIMD kernels use where its conditions hold (assembly/simd/quant_simd.ts
// requantizeLanesF64) against the same BigInt formulation, on its whole domain: |acc * 2^left| <
// 2^22 - 1, every shift, multipliers with fewer than 9 trailing zero bits (or 0) — the bound's edges,
// accumulators that are multiples of large powers of two (where ties of either rounding would
// show), multipliers at the trailing-zeros edge, signs, and a seeded sweep. Outside the condition
// the form is wrong on ties, which the last assertion shows, so the condition is not idle.
test('requantizeLanesF64 equals the BigInt formulation under its conditions', () => {
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {});
  (kernels.exports._initialize as () => void)();
  const f64 = kernels.exports.requantize_f64 as (x: number, m: number, s: number) => number;
  const exact = kernels.exports.requant_f64_exact as (bound: number, m: number, s: number) => number;
  const seed = 11;
  const rand = mulberry32(seed);
  const cases: [number, number, number][] = [];
  const ms = [
    0, 1, 2 ** 30 + 1, 2 ** 31 - 1, 1518500250, -(2 ** 31 - 1), 2 ** 30 + 2 ** 8, 2 ** 31 - 2 ** 8,
    -(2 ** 30 + 2 ** 8), 1518500250 - (1518500250 % 512) + 256,
  ];
  for (let s = -31; s <= 30; s++) {
    const limit = Math.floor((2 ** 22 - 2) / 2 ** Math.max(s, 0));
    const xs = [0, 1, -1, 2, -2, 3, -3, limit, -limit, limit - 1, -limit + 1, limit >> 1, -(limit >> 1)];
    for (let p = 1; 2 ** p <= limit; p++) xs.push(2 ** p, -(2 ** p), 3 * 2 ** p, -3 * 2 ** p);
    for (const m of ms) for (const x of xs) cases.push([x, m, s]);
  }
  for (let k = 0; k < 30000; k++) {
    const s = -31 + Math.floor(rand() * 62);
    const limit = Math.floor((2 ** 22 - 2) / 2 ** Math.max(s, 0));
    const zeros = Math.floor(rand() * 9); // trailing zero bits of the multiplier, up to the condition's edge
    const m = (Math.floor(rand() * 2 ** (31 - zeros)) | 1) * 2 ** zeros * (rand() < 0.1 ? -1 : 1);
    cases.push([Math.round((rand() * 2 - 1) * limit * 2 ** -Math.floor(rand() * 12)), m, s]);
  }
  let checked = 0;
  for (const [x, m, s] of cases) {
    if (Math.abs(x) * 2 ** Math.max(s, 0) >= 2 ** 22 - 1) continue; // outside the domain
    assert.equal(exact(Math.abs(x), m, s), 1, `the conditions hold for acc ${x}, multiplier ${m}, shift ${s}`);
    assert.equal(f64(x, m, s), expected(x, m, s), `seed ${seed}: acc ${x}, multiplier ${m}, shift ${s}`);
    checked++;
  }
  assert.ok(checked > 30000, `${checked} cases`);
  // The conditions refuse what the form gets wrong: 2^30 (ties of the doubling high multiply at odd
  // accumulators) and 2^30 + 2^9; and accumulators at the bound.
  for (const m of [2 ** 30, 2 ** 30 + 2 ** 9, -(2 ** 31)]) assert.equal(exact(1000, m, -3), 0, `multiplier ${m}`);
  assert.equal(exact(2 ** 22 - 1, 2 ** 30 + 1, 0), 0);
  assert.equal(exact(2 ** 20, 2 ** 30 + 1, 2), 0);
  let wrong = 0;
  for (let x = -3000; x <= 3000; x++) if (f64(x, 2 ** 30, -3) !== expected(x, 2 ** 30, -3)) wrong++;
  assert.ok(wrong > 0, 'the form differs on ties when the multiplier condition fails');
});
