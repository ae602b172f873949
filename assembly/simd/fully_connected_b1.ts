// Binary FULLY_CONNECTED with wasm SIMD: fully_connected_b1_ref's output byte for byte. 128 signs a
// step: v128.xor of an input block and a weight block, i8x16.popcnt, and the disagreements summed
// in u8 lanes (at most 8 a step, so 31 steps fit a byte) before they are widened into i32 lanes;
// four units at a time share each input load, their sums reduced to one lane each and requantized
// together (quant_simd.ts, equal to assembly/quant.ts lane for lane). Fewer than 4 units take the
// reference kernel; a last block short of 4 units is shifted back to overlap the one before it.
// Layout and accumulator bound: as assembly/ref/fully_connected_b1.ts.

import { fully_connected_b1_ref } from '../ref/fully_connected_b1';
import { packedWords } from '../ref/binarize_i8';
import { requantizeLanes, laneLeftFactor, laneRightScale, anyMinMultiplier } from './quant_simd';

const FLUSH = 31; // 128-bit steps whose per-byte popcounts (<= 8 each) fit a u8 lane

// Disagreements of the row at x with four weight rows at w0 (rows `rowBytes` apart), one lane each.
// @ts-ignore: decorator
@inline function differ4(x: usize, w0: usize, rowBytes: usize): v128 {
  const w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let k: usize = 0; k < rowBytes; ) {
    const end = min(rowBytes, k + FLUSH * 16);
    let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
    for (; k < end; k += 16) {
      const xv = v128.load(x + k);
      c0 = i8x16.add(c0, i8x16.popcnt(v128.xor(xv, v128.load(w0 + k))));
      c1 = i8x16.add(c1, i8x16.popcnt(v128.xor(xv, v128.load(w1 + k))));
      c2 = i8x16.add(c2, i8x16.popcnt(v128.xor(xv, v128.load(w2 + k))));
      c3 = i8x16.add(c3, i8x16.popcnt(v128.xor(xv, v128.load(w3 + k))));
    }
    a0 = i32x4.add(a0, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c0)));
    a1 = i32x4.add(a1, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c1)));
    a2 = i32x4.add(a2, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c2)));
    a3 = i32x4.add(a3, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(c3)));
  }
  // Lanes (sum a0, sum a1, sum a2, sum a3).
  const ab = i32x4.add(i32x4.shuffle(a0, a1, 0, 1, 4, 5), i32x4.shuffle(a0, a1, 2, 3, 6, 7));
  const cd = i32x4.add(i32x4.shuffle(a2, a3, 0, 1, 4, 5), i32x4.shuffle(a2, a3, 2, 3, 6, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 2, 4, 6), i32x4.shuffle(ab, cd, 1, 3, 5, 7));
}

/**
 * The binary GEMM: rows rows of packed signs at x (rowBytes apart, whole 128-bit blocks) against
 * units weight rows of the same length, the dot products K - 2 * disagreements (K: the signs that
 * count; padding bits are 0 in both), less row r's corrections when masks is not 0 (u16 per row,
 * bit t: subtract the i32 lanes at tapSums + (t * units + unit) * 4), requantized, into out (rows of
 * units i8). units >= 4.
 */
export function gemmB1(
  out: usize, x: usize, rowBytes: usize, rows: i32, weights: usize, bias: usize, mults: usize, shifts: usize,
  K: i32, units: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, masks: usize = 0, tapSums: usize = 0,
): void {
  const zp = i32x4.splat(outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const k = i32x4.splat(K);
  for (let u = 0; u < units; u += 4) {
    const u4 = u + 4 <= units ? u : units - 4;
    const q = <usize>u4 << 2;
    const b = bias != 0 ? v128.load(bias + q) : i32x4.splat(0);
    const m = v128.load(mults + q);
    const left = laneLeftFactor(shifts + q);
    const scaleLo = laneRightScale(shifts + q);
    const scaleHi = laneRightScale(shifts + q + 8);
    const maybeMin = anyMinMultiplier(mults + q);
    for (let r = 0; r < rows; r++) {
      let acc = i32x4.add(i32x4.sub(k, i32x4.shl(differ4(x + <usize>r * rowBytes, weights + <usize>u4 * rowBytes, rowBytes), 1)), b);
      // A conv's zero padding: what the row's padding taps (bits of its mask) added as +1 inputs,
      // taken back (tapSums: per tap, each unit's sum of weight signs over the tap's channels).
      let mask = masks != 0 ? <i32>load<u16>(masks + (<usize>r << 1)) : 0;
      while (mask != 0) {
        const t = ctz(mask);
        acc = i32x4.sub(acc, v128.load(tapSums + (<usize>(t * units + u4) << 2)));
        mask &= mask - 1;
      }
      const y = requantizeLanes(acc, left, m, maybeMin, scaleLo, scaleHi, zp, lo, hi);
      const n = i16x8.narrow_i32x4_s(y, y);
      v128.store32_lane(out + <usize>r * units + <usize>u4, i8x16.narrow_i16x8_s(n, n), 0);
    }
  }
}

export function fully_connected_b1_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  if (units < 4) {
    fully_connected_b1_ref(out, inp, weights, bias, mults, shifts, batches, depth, units, outputZeroPoint, actMin, actMax);
    return;
  }
  gemmB1(out, inp, <usize>packedWords(depth) << 2, batches, weights, bias, mults, shifts, depth, units, outputZeroPoint, actMin, actMax);
}
