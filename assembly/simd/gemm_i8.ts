// The int8 GEMM core shared by the SIMD CONV_2D and FULLY_CONNECTED kernels: one or two rows of
// (input + inputOffset) widened to i16 ("patches") times `units` weight rows, each sum plus its
// bias requantized through assembly/quant.ts. A conv's output pixel is such a row (its receptive
// field gathered into a patch, padding taps as 0); a fully connected layer's input row is one.
// Exact: |x + inputOffset| <= 255 and |w| <= 128 fit i16, i32x4.dot_i16x8_s adds two products
// (|sum| < 2^16) into an i32 lane, and i32 addition wraps modulo 2^32 in any order, so every sum
// equals the reference kernel's accumulator bit for bit, wrap-around included. Patches are widened
// once per row and serve every unit; the weights are read as stored.
// Layout:
//   patch:   `rows` (1 or 2) rows of K i16 at stride ldp lanes in PATCH (ldp = patchStride(K))
//   weights: (units, K) i8 row-major (OHWI conv filters are such rows)
//   bias:    units i32, or 0; mults, shifts: units i32
//   out:     `rows` rows of `units` i8 at stride ldo bytes

import { requantize } from '../quant';
import { anyMinMultiplier, laneLeftFactor, laneRightScale, requantizeLanes } from './quant_simd';

// Room for two patches of K <= 8184 or one of K <= 16376; larger K takes the reference kernel.
export const PATCH_LANES: i32 = 16384;
export const PATCH: usize = memory.data(PATCH_LANES << 1, 16);

/** Lanes between rows of PATCH for K: whole vectors, plus 8 lanes a widening may write past K. */
export function patchStride(K: i32): i32 {
  return (K + 15) & ~7;
}

/**
 * Writes n values (src[i] + inputOffset) as i16 at dst, eight at a time; it may write up to 7
 * lanes past n (the caller's next run overwrites them) and reads 8 bytes only below srcEnd.
 */
export function widen(dst: usize, src: usize, n: i32, inputOffset: i32, srcEnd: usize): void {
  const off = i16x8.splat(<i16>inputOffset);
  let i = 0;
  for (; i + 8 <= n; i += 8) v128.store(dst + (<usize>i << 1), i16x8.add(v128.load8x8_s(src + <usize>i), off));
  if (i == n) return;
  if (src + <usize>i + 8 <= srcEnd) {
    v128.store(dst + (<usize>i << 1), i16x8.add(v128.load8x8_s(src + <usize>i), off));
    return;
  }
  for (; i < n; i++) store<i16>(dst + (<usize>i << 1), <i16>(<i32>load<i8>(src + <usize>i) + inputOffset));
}

/** Writes n zero lanes at dst (and up to 7 more, like widen). */
export function zeros(dst: usize, n: i32): void {
  const z = i32x4.splat(0);
  for (let i = 0; i < n; i += 8) v128.store(dst + (<usize>i << 1), z);
}

// Lanes (a0+a1+a2+a3, b.., c.., d..) of four i32x4 partial sums.
// @ts-ignore: decorator
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 1, 4, 5), i32x4.shuffle(a, b, 2, 3, 6, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 1, 4, 5), i32x4.shuffle(c, d, 2, 3, 6, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 2, 4, 6), i32x4.shuffle(ab, cd, 1, 3, 5, 7));
}

// Adds units u..u+3's biases to `sums`, requantizes and stores them at o[u..u+3].
function store4(o: usize, sums: v128, u: i32, bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32): void {
  const q = <usize>u << 2;
  if (bias != 0) sums = i32x4.add(sums, v128.load(bias + q));
  const r = requantizeLanes(sums, laneLeftFactor(shifts + q), v128.load(mults + q), anyMinMultiplier(mults + q),
    laneRightScale(shifts + q), laneRightScale(shifts + q + 8), i32x4.splat(zp), i32x4.splat(lo), i32x4.splat(hi));
  const n = i16x8.narrow_i32x4_s(r, r);
  v128.store32_lane(o + <usize>u, i8x16.narrow_i16x8_s(n, n), 0);
}

// Two patch rows (p0, p1) times weight rows u..u+3 (at w, stride K): the weights are loaded once
// for both rows. t0/t1 are the rows' last 8 lanes with the lanes before K - tail zeroed.
function block2x4(
  o0: usize, o1: usize, p0: usize, p1: usize, t0: v128, t1: v128, w: usize, K: i32, k8: i32, u: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const w0 = w + <usize>u * K;
  const w1 = w0 + <usize>K;
  const w2 = w1 + <usize>K;
  const w3 = w2 + <usize>K;
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (let k = 0; k < k8; k += 8) {
    const x0 = v128.load(p0 + (<usize>k << 1));
    const x1 = v128.load(p1 + (<usize>k << 1));
    let v = v128.load8x8_s(w0 + <usize>k);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v)); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, v));
    v = v128.load8x8_s(w1 + <usize>k);
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, v));
    v = v128.load8x8_s(w2 + <usize>k);
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v)); b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, v));
    v = v128.load8x8_s(w3 + <usize>k);
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v)); b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, v));
  }
  if (k8 != K) {
    const kt = <usize>(K - 8);
    let v = v128.load8x8_s(w0 + kt);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(t0, v)); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(t1, v));
    v = v128.load8x8_s(w1 + kt);
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(t0, v)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(t1, v));
    v = v128.load8x8_s(w2 + kt);
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(t0, v)); b2 = i32x4.add(b2, i32x4.dot_i16x8_s(t1, v));
    v = v128.load8x8_s(w3 + kt);
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(t0, v)); b3 = i32x4.add(b3, i32x4.dot_i16x8_s(t1, v));
  }
  store4(o0, hsum4(a0, a1, a2, a3), u, bias, mults, shifts, zp, lo, hi);
  store4(o1, hsum4(b0, b1, b2, b3), u, bias, mults, shifts, zp, lo, hi);
}

// One patch row times weight rows u..u+3, as block2x4.
function block1x4(
  o0: usize, p0: usize, t0: v128, w: usize, K: i32, k8: i32, u: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const w0 = w + <usize>u * K;
  const w1 = w0 + <usize>K;
  const w2 = w1 + <usize>K;
  const w3 = w2 + <usize>K;
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let k = 0; k < k8; k += 8) {
    const x0 = v128.load(p0 + (<usize>k << 1));
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w0 + <usize>k)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w1 + <usize>k)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w2 + <usize>k)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w3 + <usize>k)));
  }
  if (k8 != K) {
    const kt = <usize>(K - 8);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(t0, v128.load8x8_s(w0 + kt)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(t0, v128.load8x8_s(w1 + kt)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(t0, v128.load8x8_s(w2 + kt)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(t0, v128.load8x8_s(w3 + kt)));
  }
  store4(o0, hsum4(a0, a1, a2, a3), u, bias, mults, shifts, zp, lo, hi);
}

// One patch row times one weight row, for fewer than 4 units or K < 8.
function dot1(p: usize, w: usize, K: i32): i32 {
  let acc: i32 = 0;
  let k = 0;
  if (K >= 8) {
    let a = i32x4.splat(0);
    for (; k + 8 <= K; k += 8) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(p + (<usize>k << 1)), v128.load8x8_s(w + <usize>k)));
    acc = i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
  }
  for (; k < K; k++) acc += <i32>load<i16>(p + (<usize>k << 1)) * <i32>load<i8>(w + <usize>k);
  return acc;
}

/**
 * out row r, unit u = requantize(sum_k patch[r][k] * w[u][k] + bias[u]) for r < rows (1 or 2),
 * u < units; patches at PATCH, row r at PATCH + r * ldp * 2.
 */
export function gemmPatches(
  out: usize, ldo: usize, rows: i32, ldp: i32, w: usize, K: i32, units: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const p0 = PATCH;
  const p1 = PATCH + (<usize>ldp << 1);
  if (units < 4 || K < 8) {
    for (let r = 0; r < rows; r++) {
      const p = r == 0 ? p0 : p1;
      for (let u = 0; u < units; u++) {
        const q = <usize>u << 2;
        let acc = dot1(p, w + <usize>u * K, K);
        if (bias != 0) acc += load<i32>(bias + q);
        store<i8>(out + <usize>r * ldo + <usize>u, <i8>requantize(acc, load<i32>(mults + q), load<i32>(shifts + q), zp, lo, hi));
      }
    }
    return;
  }
  const tail = K & 7;
  const k8 = K - tail;
  // Lanes 8 - tail .. 7 all ones: the last 8 lanes of a row minus those the main loop summed.
  const mask = i16x8.ge_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(8 - tail)));
  const kt = <usize>(K - 8) << 1;
  const t0 = v128.and(v128.load(p0 + kt), mask);
  const t1 = rows == 2 ? v128.and(v128.load(p1 + kt), mask) : t0;
  // Full blocks of 4 units; a partial last block is shifted back to overlap the previous one,
  // recomputing (and rewriting) identical outputs instead of needing a narrower block.
  for (let u = 0; u < units; u += 4) {
    const u4 = u + 4 <= units ? u : units - 4;
    if (rows == 2) block2x4(out, out + ldo, p0, p1, t0, t1, w, K, k8, u4, bias, mults, shifts, zp, lo, hi);
    else block1x4(out, p0, t0, w, K, k8, u4, bias, mults, shifts, zp, lo, hi);
  }
}
