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

// The f64 forms the SIMD kernels use where an accumulator bound allows it (assembly/simd/quant_simd.ts
// requantizeLanesF64) against the same BigInt formulation, on its whole domain |acc * 2^left| <
// 2^22 - 1 for every shift and multiplier: the bound's edges, ties of both roundings (multiplier
// 2^30 makes the doubling high multiply exact halves), signs, and a seeded sweep. The single form is
// checked wherever its condition holds (the multiplier has fewer than 9 trailing zero bits, or is 0),
// with accumulators that are multiples of large powers of two, where ties would show; the double
// form everywhere.
test('requantizeLanesF64 (both forms) equals the BigInt formulation where |acc * 2^left| < 2^22 - 1', () => {
  const kernels = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(ROOT, 'build', 'test-kernels.wasm'))), {});
  (kernels.exports._initialize as () => void)();
  const f64 = kernels.exports.requantize_f64 as (x: number, m: number, s: number, single: number) => number;
  const seed = 11;
  const rand = mulberry32(seed);
  const cases: [number, number, number][] = [];
  const ms = [
    0, 1, 2 ** 30, 2 ** 30 + 1, 2 ** 31 - 1, 1518500250, -(2 ** 30), -(2 ** 31 - 1), -(2 ** 31),
    2 ** 30 + 2 ** 8, 2 ** 31 - 2 ** 8, 2 ** 30 + 2 ** 9, -(2 ** 30 + 2 ** 8), 1518500250 - (1518500250 % 256) + 256,
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
    const zeros = Math.floor(rand() * 12); // trailing zero bits of the multiplier, around the condition's edge
    const m = rand() < 0.2 ? 2 ** 30 : (Math.floor(rand() * 2 ** (31 - zeros)) | 1) * 2 ** zeros * (rand() < 0.1 ? -1 : 1);
    cases.push([Math.round((rand() * 2 - 1) * limit * 2 ** -Math.floor(rand() * 12)), m, s]);
  }
  let checked = 0;
  let singles = 0;
  for (const [x, m, s] of cases) {
    if (Math.abs(x) * 2 ** Math.max(s, 0) >= 2 ** 22 - 1) continue; // outside the domain
    const want = expected(x, m, s);
    assert.equal(f64(x, m, s, 0), want, `double form, seed ${seed}: acc ${x}, multiplier ${m}, shift ${s}`);
    checked++;
    if (m % 512 !== 0 || m === 0) {
      assert.equal(f64(x, m, s, 1), want, `single form, seed ${seed}: acc ${x}, multiplier ${m}, shift ${s}`);
      singles++;
    }
  }
  assert.ok(checked > 30000 && singles > 20000, `${checked} cases, ${singles} single-form`);
});
