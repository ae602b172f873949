// The int8 GEMM core shared by the SIMD CONV_2D and FULLY_CONNECTED kernels: rows of
// (input + inputOffset) widened to i16 ("patches") times `units` weight rows, each sum plus its
// bias requantized four units at a time (assembly/simd/quant_simd.ts, equal lane for lane to
// assembly/quant.ts). A conv's output pixel is such a row (its receptive field gathered into a
// patch, padding taps as 0); a fully connected layer's input row is one.
// Exact: |x + inputOffset| <= 255 and |w| <= 128 fit i16, i32x4.dot_i16x8_s adds two products
// (|sum| < 2^16) into an i32 lane, and i32 addition wraps modulo 2^32 in any order, so every sum
// equals the reference kernel's accumulator bit for bit, wrap-around included.
// Blocking: a patch is widened once and serves every unit; four units' weights are loaded once per
// two rows; four units' requantization operands are built once and serve every row in PATCH.
// Layout:
//   patch:   `rows` rows of K i16 at stride ldp lanes in PATCH (ldp = patchStride(K),
//            rows <= PATCH_LANES / ldp)
//   weights: (units, K) i8 row-major (OHWI conv filters are such rows)
//   bias:    units i32, or 0; mults, shifts: units i32, shifts in [-31, 30]
//   out:     `rows` rows of `units` i8 at stride ldo bytes

import { requantize } from '../quant';
import { requantizeLanes } from './quant_simd';
import { PATCH } from './scratch';


/** Lanes between rows of PATCH for K: whole vectors, plus 8 lanes a widening may write past K. */
export function patchStride(K: i32): i32 {
  return (K + 15) & ~7;
}

/**
 * Writes n values (src[i] + inputOffset) as i16 at dst, eight at a time; it may write up to 7
 * lanes past n (the caller's next run overwrites them) and reads 8 bytes only below srcEnd.
 */
// @ts-ignore: decorator
@inline export function widen(dst: usize, src: usize, n: i32, inputOffset: i32, srcEnd: usize): void {
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
// @ts-ignore: decorator
@inline export function zeros(dst: usize, n: i32): void {
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

// Rows 0..rows-1 of PATCH times the four weight rows at w (stride K): out[r * ldo + 0..3]. Two rows
// at a time share each weight load. K goes 16 lanes a step (one 16-byte weight load widened in two
// halves is cheaper than two 8-byte widening loads), then 8, then a row's last K - k8 lanes come
// from its last 8 lanes with the first ones masked off (`mask`), so no load passes a row's end. requantizeLanes takes each lane's
// 2^max(shift, 0) and 2^min(shift, 0): built here from an f32 exponent (exact, shift <= 30) and as
// f64 bits, what quant_simd.ts's laneLeftFactor / laneRightScale compute one lane at a time.
function unitBlock(
  out: usize, ldo: usize, rows: i32, ldp: i32, w: usize, K: i32, k8: i32, mask: v128,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const zero = i32x4.splat(0);
  const b = bias != 0 ? v128.load(bias) : zero;
  const m = v128.load(mults);
  const maybeMin = v128.any_true(i32x4.eq(m, i32x4.splat(i32.MIN_VALUE)));
  const s = v128.load(shifts);
  const left = i32x4.trunc_sat_f32x4_s(i32x4.shl(i32x4.add(i32x4.max_s(s, zero), i32x4.splat(127)), 23));
  const right = i32x4.add(i32x4.min_s(s, zero), i32x4.splat(1023));
  const scaleLo = i64x2.shl(i64x2.extend_low_i32x4_s(right), 52);
  const scaleHi = i64x2.shl(i64x2.extend_high_i32x4_s(right), 52);
  const zpv = i32x4.splat(zp);
  const lov = i32x4.splat(lo);
  const hiv = i32x4.splat(hi);
  const w0 = w;
  const w1 = w0 + <usize>K;
  const w2 = w1 + <usize>K;
  const w3 = w2 + <usize>K;
  const kt = <usize>(K - 8);
  const k16 = k8 & ~15;
  const stride = <usize>ldp << 1;
  let p0 = PATCH;
  let o = out;
  let r = 0;
  for (; r + 2 <= rows; r += 2, p0 += stride << 1, o += ldo << 1) {
    const p1 = p0 + stride;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    for (let k = 0; k < k16; k += 16) {
      const x0 = v128.load(p0 + (<usize>k << 1));
      const y0 = v128.load(p0 + (<usize>k << 1), 16);
      const x1 = v128.load(p1 + (<usize>k << 1));
      const y1 = v128.load(p1 + (<usize>k << 1), 16);
      let v = v128.load(w0 + <usize>k);
      let vl = i16x8.extend_low_i8x16_s(v);
      let vh = i16x8.extend_high_i8x16_s(v);
      a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(x0, vl), i32x4.dot_i16x8_s(y0, vh)));
      b0 = i32x4.add(b0, i32x4.add(i32x4.dot_i16x8_s(x1, vl), i32x4.dot_i16x8_s(y1, vh)));
      v = v128.load(w1 + <usize>k); vl = i16x8.extend_low_i8x16_s(v); vh = i16x8.extend_high_i8x16_s(v);
      a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(x0, vl), i32x4.dot_i16x8_s(y0, vh)));
      b1 = i32x4.add(b1, i32x4.add(i32x4.dot_i16x8_s(x1, vl), i32x4.dot_i16x8_s(y1, vh)));
      v = v128.load(w2 + <usize>k); vl = i16x8.extend_low_i8x16_s(v); vh = i16x8.extend_high_i8x16_s(v);
      a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(x0, vl), i32x4.dot_i16x8_s(y0, vh)));
      b2 = i32x4.add(b2, i32x4.add(i32x4.dot_i16x8_s(x1, vl), i32x4.dot_i16x8_s(y1, vh)));
      v = v128.load(w3 + <usize>k); vl = i16x8.extend_low_i8x16_s(v); vh = i16x8.extend_high_i8x16_s(v);
      a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(x0, vl), i32x4.dot_i16x8_s(y0, vh)));
      b3 = i32x4.add(b3, i32x4.add(i32x4.dot_i16x8_s(x1, vl), i32x4.dot_i16x8_s(y1, vh)));
    }
    for (let k = k16; k < k8; k += 8) {
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
      const x0 = v128.and(v128.load(p0 + (kt << 1)), mask);
      const x1 = v128.and(v128.load(p1 + (kt << 1)), mask);
      let v = v128.load8x8_s(w0 + kt);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v)); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, v));
      v = v128.load8x8_s(w1 + kt);
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, v));
      v = v128.load8x8_s(w2 + kt);
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v)); b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, v));
      v = v128.load8x8_s(w3 + kt);
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v)); b3 = i32x4.add(b3, i32x4.dot_i16x8_s(x1, v));
    }
    const y0 = requantizeLanes(i32x4.add(hsum4(a0, a1, a2, a3), b), left, m, maybeMin, scaleLo, scaleHi, zpv, lov, hiv);
    const y1 = requantizeLanes(i32x4.add(hsum4(b0, b1, b2, b3), b), left, m, maybeMin, scaleLo, scaleHi, zpv, lov, hiv);
    const n = i16x8.narrow_i32x4_s(y0, y1);
    const bytes = i8x16.narrow_i16x8_s(n, n);
    v128.store32_lane(o, bytes, 0);
    v128.store32_lane(o + ldo, bytes, 1);
  }
  if (r == rows) return;
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  for (let k = 0; k < k16; k += 16) {
    const x0 = v128.load(p0 + (<usize>k << 1));
    const y0 = v128.load(p0 + (<usize>k << 1), 16);
    let v = v128.load(w0 + <usize>k);
    a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(x0, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(y0, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(w1 + <usize>k);
    a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(x0, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(y0, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(w2 + <usize>k);
    a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(x0, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(y0, i16x8.extend_high_i8x16_s(v))));
    v = v128.load(w3 + <usize>k);
    a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(x0, i16x8.extend_low_i8x16_s(v)), i32x4.dot_i16x8_s(y0, i16x8.extend_high_i8x16_s(v))));
  }
  for (let k = k16; k < k8; k += 8) {
    const x0 = v128.load(p0 + (<usize>k << 1));
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w0 + <usize>k)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w1 + <usize>k)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w2 + <usize>k)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w3 + <usize>k)));
  }
  if (k8 != K) {
    const x0 = v128.and(v128.load(p0 + (kt << 1)), mask);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w0 + kt)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w1 + kt)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w2 + kt)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v128.load8x8_s(w3 + kt)));
  }
  const y = requantizeLanes(i32x4.add(hsum4(a0, a1, a2, a3), b), left, m, maybeMin, scaleLo, scaleHi, zpv, lov, hiv);
  const n = i16x8.narrow_i32x4_s(y, y);
  v128.store32_lane(o, i8x16.narrow_i16x8_s(n, n), 0);
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

/** out[r * ldo + u] = requantize(sum_k patch[r][k] * w[u][k] + bias[u]) for r < rows, u < units. */
export function gemmPatches(
  out: usize, ldo: usize, rows: i32, ldp: i32, w: usize, K: i32, units: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  if (units < 4 || K < 8) {
    for (let r = 0; r < rows; r++) {
      const p = PATCH + (<usize>(r * ldp) << 1);
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
  // Lanes 8 - tail .. 7 all ones: the last 8 lanes of a row minus those the main loop summed.
  const mask = i16x8.ge_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(8 - tail)));
  // Blocks of 4 units; a partial last block is shifted back to overlap the previous one,
  // recomputing (and rewriting) identical outputs instead of needing a narrower block.
  for (let u = 0; u < units; u += 4) {
    const u4 = u + 4 <= units ? u : units - 4;
    const q = <usize>u4 << 2;
    unitBlock(
      out + <usize>u4, ldo, rows, ldp, w + <usize>u4 * K, K, K - tail, mask,
      bias != 0 ? bias + q : 0, mults + q, shifts + q, zp, lo, hi,
    );
  }
}

