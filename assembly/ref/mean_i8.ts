// MEAN (int8) as TensorFlow Lite Micro computes it (reference_ops::QuantizedMeanOrSum, which its
// MEAN kernel uses for every int8 axis set, with or without keep_dims): sum the raw int8 values
// over the reduced axes in i32, subtract zeroPoint * count, then one multiplyByQuantizedMultiplier
// whose multiplier and shift already hold 1/count (folded at convert time as TFLM folds it), add
// the output zero point and clamp to int8.
// Layout: in (d0, d1, d2, d3) i8 row-major (rank < 4 padded in front with 1); bit k of `axes` set
// means dimension k is reduced. out holds the kept dimensions in row-major order (the same bytes
// with or without keep_dims).
// Accumulator: |sum| <= 128 * count; the i32 sum wraps as TFLM's does for count > 2^24.

import { requantize } from '../quant';

export function mean_i8_ref(
  out: usize, inp: usize, d0: i32, d1: i32, d2: i32, d3: i32, axes: i32,
  inputZeroPoint: i32, multiplier: i32, shift: i32, outputZeroPoint: i32,
): void {
  // Extent of each dimension in the output walk (k) and in the reduction walk (r).
  const k0 = axes & 1 ? 1 : d0;
  const k1 = axes & 2 ? 1 : d1;
  const k2 = axes & 4 ? 1 : d2;
  const k3 = axes & 8 ? 1 : d3;
  const r0 = axes & 1 ? d0 : 1;
  const r1 = axes & 2 ? d1 : 1;
  const r2 = axes & 4 ? d2 : 1;
  const r3 = axes & 8 ? d3 : 1;
  const s2 = d3;
  const s1 = d2 * s2;
  const s0 = d1 * s1;
  const count = r0 * r1 * r2 * r3;
  let o = out;
  for (let i0 = 0; i0 < k0; i0++) {
    for (let i1 = 0; i1 < k1; i1++) {
      for (let i2 = 0; i2 < k2; i2++) {
        for (let i3 = 0; i3 < k3; i3++) {
          let sum: i32 = 0;
          for (let j0 = i0; j0 < i0 + r0; j0++) {
            for (let j1 = i1; j1 < i1 + r1; j1++) {
              for (let j2 = i2; j2 < i2 + r2; j2++) {
                const row = inp + <usize>(j0 * s0 + j1 * s1 + j2 * s2);
                for (let j3 = i3; j3 < i3 + r3; j3++) sum += <i32>load<i8>(row + j3);
              }
            }
          }
          store<i8>(o, <i8>requantize(sum - inputZeroPoint * count, multiplier, shift, outputZeroPoint, -128, 127));
          o++;
        }
      }
    }
  }
}
