// ADD int8 x int8 -> int8 with wasm SIMD: add_i8_ref's output byte for byte. Each output element
// depends only on its two operands, so a row whose operands are each contiguous (stride 1) or one
// repeated value (stride 0) runs 16 elements per step through the lane-wise requantization of
// quant_simd.ts; when both operands are flat over the whole output (contiguous or a single value,
// ignoring axes of size 1) the output is one such row. Any other inner stride takes add_i8_ref.
// Layout, strides and accumulator bound: as assembly/ref/elementwise_i8.ts. Preconditions (the
// load check): offsets in [-127, 128]; shifts in [-31, 30].

import { add_i8_ref, addSubOne } from '../ref/elementwise_i8';
import { mbqmLanes, rdbpotLanes } from './quant_simd';

const BLOCK = 16;

// Operand strides (s0..s3) over dims (d0..d3) address the output order contiguously (step 1) or
// one value (step 0); -1 when neither.
function flatStep(d0: i32, d1: i32, d2: i32, d3: i32, s0: i32, s1: i32, s2: i32, s3: i32): i32 {
  if ((d0 == 1 || s0 == 0) && (d1 == 1 || s1 == 0) && (d2 == 1 || s2 == 0) && (d3 == 1 || s3 == 0)) return 0;
  const c2 = d3;
  const c1 = c2 * d2;
  const c0 = c1 * d1;
  if ((d0 == 1 || s0 == c0) && (d1 == 1 || s1 == c1) && (d2 == 1 || s2 == c2) && (d3 == 1 || s3 == 1)) return 1;
  return -1;
}

// An input's rescaling, multiplyByQuantizedMultiplier(v << 20, M, -right) for |v| <= 255 and
// 0 <= M < 2^31 (the load check), in i32 lanes: with M = Mh 2^11 + Ml (0 <= Ml < 2^11), the
// doubling high multiply floor((v 2^20 M + 2^30) / 2^31) is v Mh + floor((v Ml + 2^10) / 2^11),
// exactly, and |v Mh| < 2^28, |v Ml| < 2^19 keep both terms in i32 — no 64-bit products.
// @ts-ignore: decorator
@inline function scaleInputLanes(v: v128, mh: v128, ml: v128, right: i32): v128 {
  const high = i32x4.add(i32x4.mul(v, mh), i32x4.shr_s(i32x4.add(i32x4.mul(v, ml), i32x4.splat(1 << 10)), 11));
  return rdbpotLanes(high, right);
}

// Four lanes of (x + in1Offset, y + in2Offset) in i32 -> requantized sum, clamped. mh/ml: the two
// inputs' multipliers split as scaleInputLanes takes them.
// @ts-ignore: decorator
@inline function addLanes(
  x: v128, y: v128, mh1: v128, ml1: v128, in1Shift: i32, mh2: v128, ml2: v128, in2Shift: i32,
  outMultiplier: i32, outShift: i32, zp: v128, lo: v128, hi: v128,
): v128 {
  const sum = i32x4.add(scaleInputLanes(x, mh1, ml1, -in1Shift), scaleInputLanes(y, mh2, ml2, -in2Shift));
  const v = i32x4.add(mbqmLanes(sum, outMultiplier, outShift), zp);
  return i32x4.min_s(i32x4.max_s(v, lo), hi);
}

// n outputs from p and q stepping pStep / qStep (0 or 1) bytes.
function addRow(
  o: usize, p: usize, q: usize, n: i32, pStep: i32, qStep: i32,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const off1 = i16x8.splat(<i16>in1Offset);
  const off2 = i16x8.splat(<i16>in2Offset);
  const zp = i32x4.splat(outZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const mh1 = i32x4.splat(in1Multiplier >> 11);
  const ml1 = i32x4.splat(in1Multiplier & 0x7ff);
  const mh2 = i32x4.splat(in2Multiplier >> 11);
  const ml2 = i32x4.splat(in2Multiplier & 0x7ff);
  const xSplat = i8x16.splat(load<i8>(p));
  const ySplat = i8x16.splat(load<i8>(q));
  let i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    const xb = pStep != 0 ? v128.load(p + <usize>i) : xSplat;
    const yb = qStep != 0 ? v128.load(q + <usize>i) : ySplat;
    // x + offset fits in i16 (|.| <= 255), so offset once per eight lanes.
    const xl = i16x8.add(i16x8.extend_low_i8x16_s(xb), off1);
    const xh = i16x8.add(i16x8.extend_high_i8x16_s(xb), off1);
    const yl = i16x8.add(i16x8.extend_low_i8x16_s(yb), off2);
    const yh = i16x8.add(i16x8.extend_high_i8x16_s(yb), off2);
    const r0 = addLanes(i32x4.extend_low_i16x8_s(xl), i32x4.extend_low_i16x8_s(yl),
      mh1, ml1, in1Shift, mh2, ml2, in2Shift, outMultiplier, outShift, zp, lo, hi);
    const r1 = addLanes(i32x4.extend_high_i16x8_s(xl), i32x4.extend_high_i16x8_s(yl),
      mh1, ml1, in1Shift, mh2, ml2, in2Shift, outMultiplier, outShift, zp, lo, hi);
    const r2 = addLanes(i32x4.extend_low_i16x8_s(xh), i32x4.extend_low_i16x8_s(yh),
      mh1, ml1, in1Shift, mh2, ml2, in2Shift, outMultiplier, outShift, zp, lo, hi);
    const r3 = addLanes(i32x4.extend_high_i16x8_s(xh), i32x4.extend_high_i16x8_s(yh),
      mh1, ml1, in1Shift, mh2, ml2, in2Shift, outMultiplier, outShift, zp, lo, hi);
    v128.store(o + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(r0, r1), i16x8.narrow_i32x4_s(r2, r3)));
  }
  for (; i < n; i++) {
    store<i8>(o + <usize>i, <i8>addSubOne(
      <i32>load<i8>(p + <usize>(i * pStep)), <i32>load<i8>(q + <usize>(i * qStep)), false,
      in1Offset, in1Multiplier, in1Shift, in2Offset, in2Multiplier, in2Shift, outMultiplier, outShift, outZeroPoint, actMin, actMax,
    ));
  }
}

export function add_i8_simd(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32,
  in1Offset: i32, in1Multiplier: i32, in1Shift: i32, in2Offset: i32, in2Multiplier: i32, in2Shift: i32,
  outMultiplier: i32, outShift: i32, outZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  if (d0 <= 0 || d1 <= 0 || d2 <= 0 || d3 <= 0) return;
  const pFlat = flatStep(d0, d1, d2, d3, a0, a1, a2, a3);
  const qFlat = flatStep(d0, d1, d2, d3, b0, b1, b2, b3);
  if (pFlat >= 0 && qFlat >= 0) {
    addRow(
      out, in1, in2, d0 * d1 * d2 * d3, pFlat, qFlat, in1Offset, in1Multiplier, in1Shift,
      in2Offset, in2Multiplier, in2Shift, outMultiplier, outShift, outZeroPoint, actMin, actMax,
    );
    return;
  }
  if (<u32>a3 > 1 || <u32>b3 > 1) {
    add_i8_ref(
      out, in1, in2, d0, d1, d2, d3, a0, a1, a2, a3, b0, b1, b2, b3, in1Offset, in1Multiplier, in1Shift,
      in2Offset, in2Multiplier, in2Shift, outMultiplier, outShift, outZeroPoint, actMin, actMax,
    );
    return;
  }
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const p = in1 + <usize>(i0 * a0 + i1 * a1 + i2 * a2);
        const q = in2 + <usize>(i0 * b0 + i1 * b1 + i2 * b2);
        addRow(
          o, p, q, d3, a3, b3, in1Offset, in1Multiplier, in1Shift,
          in2Offset, in2Multiplier, in2Shift, outMultiplier, outShift, outZeroPoint, actMin, actMax,
        );
        o += <usize>d3;
      }
    }
  }
}
