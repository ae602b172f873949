// The int8 GEMM with output units in lanes, for layers with many rows (pixels):
// the SIMD CONV_2D and FULLY_CONNECTED kernels' alternative to gemm_i8.ts's gemmPatches, on the
// same PATCH rows. The weights are repacked once, at load, so that each i32 lane accumulates one
// output unit: i32x4.dot_i16x8_s of a patch pair (k, k+1) broadcast to every lane with four units'
// weight pairs, widened to i16 at load (twice the bytes of i8 pairs, 3-8 % faster: no widening
// in the inner loop). No horizontal sums, the bias as the accumulators' start, and quant_simd.ts's
// f64 requantization, exact only under its bound, which lanesFit proves per unit from K, the input
// offset and the bias (or, when that is too loose, the unit's actual sum of |w|), or refuses.

import { PATCH } from './scratch';
import { requantizeLanesF64, requantF64Constants, requantF64Exact } from './quant_simd';
import { multiplyByQuantizedMultiplier } from '../quant';

// Packed layout, per group of 8 units: P = ceil(K / 2) pairs of 32 bytes (units 0..7, each its
// (w[2p], w[2p+1]) as two i16, 0 past K), then the group's constants: bias i32 x 8, and per 4 units
// f64 x 4 each of requantF64Constants' S and e.
const GROUP_CONSTS: i32 = 32 + 2 * 64;

// @ts-ignore: decorator
@inline function lanePairs(K: i32): i32 {
  return (K + 1) >> 1;
}

// sum |w[k]| for k < K (|-128| counts 128: i8x16.abs read unsigned).
function absSum(w: usize, K: i32): i32 {
  let acc = i32x4.splat(0);
  let k = 0;
  for (; k + 16 <= K; k += 16) {
    acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(i8x16.abs(v128.load(w + <usize>k)))));
  }
  let sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; k < K; k++) sum += abs(<i32>load<i8>(w + <usize>k));
  return sum;
}

/**
 * Rows from which gemmLanes serves a layer: with fewer, its four-row blocks leave lanes idle and
 * gemmPatches measured faster (VWW's 6x6 and 3x3 pointwise layers, 36 and 9 rows).
 */
export const LANES_MIN_ROWS = 48;

/** Bytes packLanes writes for K and units (a multiple of 8). */
export function lanesBytes(K: i32, units: i32): u64 {
  return <u64>(units >> 3) * (<u64>lanePairs(K) * 32 + GROUP_CONSTS);
}

/** Whether gemmLanes can serve the layer: units a multiple of 8, and requantizeLanesF64 exact for every unit. */
export function lanesFit(w: usize, K: i32, units: i32, bias: usize, mults: usize, shifts: usize, inputOffset: i32): bool {
  if ((units & 7) != 0) return false;
  const xmax = <f64>max(abs(inputOffset - 128), abs(inputOffset + 127));
  for (let u = 0; u < units; u++) {
    const q = <usize>u << 2;
    const fb = Math.abs(<f64>(bias != 0 ? load<i32>(bias + q) : 0));
    const m = load<i32>(mults + q);
    const shift = load<i32>(shifts + q);
    // |acc| <= sum |w| * max |x + inputOffset| + |bias|, with sum |w| <= 128 * K first and the
    // sum itself only when that bound is too loose for requantizeLanesF64.
    // A unit whose weights are all zero is served by packUnitConstants' constant.
    if (requantF64Exact(<f64>K * 128 * xmax + fb, m, shift)) continue;
    const sum = absSum(w + <usize>u * K, K);
    if (sum != 0 && !requantF64Exact(<f64>sum * xmax + fb, m, shift)) return false;
  }
  return true;
}

/**
 * Unit u's bias and requantizeLanesF64 constants in its group's constants at c. A unit whose K
 * weights at w are all zero (a pruned channel, often with a bias near 2^30 that no f64 bound
 * admits) always sums to its bias: its requantized bias is kept as the bias, with S = 1 and e = 0.
 */
function packUnitConstants(c: usize, u: i32, w: usize, K: i32, bias: usize, mults: usize, shifts: usize): void {
  const q = <usize>u << 2;
  const b = bias != 0 ? load<i32>(bias + q) : 0;
  const m = load<i32>(mults + q);
  const s = load<i32>(shifts + q);
  const at = c + 32 + <usize>((u >> 2 & 1) * 64 + (u & 3) * 8);
  const dead = absSum(w, K) == 0;
  store<i32>(c + <usize>((u & 7) << 2), dead ? multiplyByQuantizedMultiplier(b, m, s) : b);
  if (dead) {
    store<f64>(at, 1.0);
    store<f64>(at, 0.0, 32);
  } else requantF64Constants(m, s, at, 32);
}

/** Packs weights and constants at dst (lanesBytes(K, units) bytes) for gemmLanes; lanesFit must hold. */
export function packLanes(dst: usize, w: usize, K: i32, units: i32, bias: usize, mults: usize, shifts: usize): void {
  const P = lanePairs(K);
  const groupBytes = P * 32 + GROUP_CONSTS;
  for (let u = 0; u < units; u++) {
    const src = w + <usize>u * K;
    const g = dst + <usize>((u >> 3) * groupBytes);
    packUnitConstants(g + <usize>(P * 32), u, src, K, bias, mults, shifts);
    const at = g + <usize>((u & 7) << 2);
    for (let p = 0; p < P; p++) {
      const k = p << 1;
      const w0 = k < K ? <i32>load<i8>(src + <usize>k) : 0;
      const w1 = k + 1 < K ? <i32>load<i8>(src + <usize>k + 1) : 0;
      store<i32>(at + (<usize>p << 5), (w0 & 0xffff) | (w1 << 16));
    }
  }
}

// The i8 outputs of rows a and b (units 0..3 in lanes of a0 / b0, 4..7 in a1 / b1), clamped.
// @ts-ignore: decorator
@inline function rqRows(a0: v128, a1: v128, b0: v128, b1: v128, c: usize, magic: v128, lov: v128, hiv: v128): v128 {
  const n0 = i16x8.narrow_i32x4_s(requantizeLanesF64(a0, c + 32, 32, magic), requantizeLanesF64(a1, c + 96, 32, magic));
  const n1 = i16x8.narrow_i32x4_s(requantizeLanesF64(b0, c + 32, 32, magic), requantizeLanesF64(b1, c + 96, 32, magic));
  return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(n0, n1), lov), hiv);
}

/** gemmPatches' result from the weights packLanes packed at packed; units a multiple of 8. */
export function gemmLanes(out: usize, ldo: usize, rows: i32, ldp: i32, packed: usize, K: i32, units: i32, zp: i32, lo: i32, hi: i32): void {
  const pairBytes = <usize>lanePairs(K) << 5;
  const groupBytes = pairBytes + GROUP_CONSTS;
  const magic = f64x2.splat(6755399441055744.0 + <f64>zp);
  const lov = i8x16.splat(<i8>lo);
  const hiv = i8x16.splat(<i8>hi);
  const stride = <usize>ldp << 1;
  for (let g = 0; g < units >> 3; g++) {
    const wg = packed + <usize>g * groupBytes;
    const c = wg + pairBytes;
    const wEnd = c;
    const bias0 = v128.load(c);
    const bias1 = v128.load(c, 16);
    let p0 = PATCH;
    let o = out + (<usize>g << 3);
    if (rows == 1) { // a fully connected layer at batch 1: one row, no block to fill
      // Two weight pairs a step, into two sets of sums (more independent work per iteration).
      let a0 = bias0, a1 = bias1, b0 = i32x4.splat(0), b1 = b0;
      let w = wg, q = p0;
      for (; w + 64 <= wEnd; w += 64, q += 8) {
        let x = v128.load32_splat(q);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v128.load(w)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v128.load(w, 16)));
        x = v128.load32_splat(q, 4);
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x, v128.load(w, 32)));
        b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x, v128.load(w, 48)));
      }
      if (w < wEnd) {
        const x = v128.load32_splat(q);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v128.load(w)));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v128.load(w, 16)));
      }
      a0 = i32x4.add(a0, b0);
      a1 = i32x4.add(a1, b1);
      const n = i16x8.narrow_i32x4_s(requantizeLanesF64(a0, c + 32, 32, magic), requantizeLanesF64(a1, c + 96, 32, magic));
      v128.store64_lane(o, i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(n, n), lov), hiv), 0);
      continue;
    }
    // Four rows at a time share each weight load; past the last row, rows repeat it, unstored.
    for (let r = 0; r < rows; r += 4, p0 += stride << 2, o += ldo << 2) {
      let p1 = r + 1 < rows ? p0 + stride : p0;
      let p2 = r + 2 < rows ? p1 + stride : p1;
      let p3 = r + 3 < rows ? p2 + stride : p2;
      let q0 = p0;
      let a0 = bias0, a1 = bias1, b0 = bias0, b1 = bias1, c0 = bias0, c1 = bias1, d0 = bias0, d1 = bias1;
      for (let w = wg; w < wEnd; w += 32, q0 += 4, p1 += 4, p2 += 4, p3 += 4) {
        const v0 = v128.load(w);
        const v1 = v128.load(w, 16);
        let x = v128.load32_splat(q0);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v0)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v1));
        x = v128.load32_splat(p1);
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x, v0)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x, v1));
        x = v128.load32_splat(p2);
        c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x, v0)); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x, v1));
        x = v128.load32_splat(p3);
        d0 = i32x4.add(d0, i32x4.dot_i16x8_s(x, v0)); d1 = i32x4.add(d1, i32x4.dot_i16x8_s(x, v1));
      }
      const ab = rqRows(a0, a1, b0, b1, c, magic, lov, hiv);
      v128.store64_lane(o, ab, 0);
      if (r + 1 < rows) v128.store64_lane(o + ldo, ab, 1);
      if (r + 2 >= rows) break;
      const cd = rqRows(c0, c1, d0, d1, c, magic, lov, hiv);
      v128.store64_lane(o + (ldo << 1), cd, 0);
      if (r + 3 < rows) v128.store64_lane(o + ldo * 3, cd, 1);
    }
  }
}
