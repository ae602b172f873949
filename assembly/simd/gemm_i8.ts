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

// 32 KiB of patches: 1024 rows of K <= 8, 28 of K = 576, one of K <= 16376 (larger K takes the
// reference kernel).
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
// at a time share each weight load. A row's last K - k8 lanes come from its last 8 lanes with the
// first ones masked off (`mask`), so no load passes a row's end. requantizeLanes takes each lane's
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
  const stride = <usize>ldp << 1;
  let p0 = PATCH;
  let o = out;
  let r = 0;
  for (; r + 2 <= rows; r += 2, p0 += stride << 1, o += ldo << 1) {
    const p1 = p0 + stride;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
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
  for (let k = 0; k < k8; k += 8) {
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

// ---- Units in lanes ("lanes"): for layers with many rows and few units (K * units small), the
// weights are repacked once per call so that each i32 lane accumulates one output unit:
// i32x4.dot_i16x8_s of a patch pair (k, k+1) broadcast to every lane with four units' weight
// pairs. No horizontal sums, one bias vector per 4 units as the accumulators' start, and a
// cheaper requantization in f64 (rqQuad) that is exact only while |acc * 2^left| < 2^22 - 1,
// which packLanes proves per unit from K, the input offset and the bias, else declines.
// PACK layout, per group of 8 units: P = ceil(K / 2) pairs of 16 bytes (units 0..7, each its
// (w[2p], w[2p+1]) i8, 0 past K), then the group's constants: bias i32 x 8, and per 4 units
// f64 x 4 each of mult * 2^(left - 31), 2^-right and 2^-right / 4.
const PACK_BYTES: i32 = 12288;
const PACK: usize = memory.data(PACK_BYTES, 16);
const GROUP_CONSTS: i32 = 32 + 2 * 96;

// Weight pairs per unit, ceil(K / 2), rounded up to even.
// @ts-ignore: decorator
@inline function lanePairs(K: i32): i32 {
  return ((K + 3) >> 1) & ~1;
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

/** Packs weights and constants for gemmLanes; false when the layer does not fit PACK or the bound. */
export function packLanes(w: usize, K: i32, units: i32, bias: usize, mults: usize, shifts: usize, inputOffset: i32): bool {
  const P = lanePairs(K);
  const groupBytes = P * 16 + GROUP_CONSTS;
  if ((units & 7) != 0 || (units >> 3) * groupBytes > PACK_BYTES) return false;
  const xmax = <f64>max(abs(inputOffset - 128), abs(inputOffset + 127));
  for (let u = 0; u < units; u++) {
    const q = <usize>u << 2;
    const b = bias != 0 ? load<i32>(bias + q) : 0;
    const shift = load<i32>(shifts + q);
    const left = shift > 0 ? shift : 0;
    const src = w + <usize>u * K;
    // |acc| <= sum |w| * max |x + inputOffset| + |bias|; rqQuad is exact while that * 2^left < 2^22 - 1.
    // sum |w| <= 128 * K first; the sum itself only when that bound is too loose.
    const limit = 4194303 / <f64>(1 << left) - Math.abs(<f64>b);
    if (<f64>K * 128 * xmax >= limit && <f64>absSum(src, K) * xmax >= limit) return false;
    const g = PACK + <usize>((u >> 3) * groupBytes);
    const c = g + <usize>(P * 16);
    store<i32>(c + <usize>((u & 7) << 2), b);
    const f = c + 32 + <usize>((u >> 2 & 1) * 96 + (u & 3) * 8);
    const scale = reinterpret<f64>(<i64>(1023 + (shift > 0 ? 0 : shift)) << 52);
    store<f64>(f, <f64>load<i32>(mults + q) * reinterpret<f64>(<i64>(1023 - 31 + left) << 52));
    store<f64>(f, scale, 32);
    store<f64>(f, scale * 0.25, 64);
    const dst = g + <usize>((u & 7) << 1);
    for (let p = 0; p < K >> 1; p++) store<u16>(dst + (<usize>p << 4), load<u16>(src + (<usize>p << 1)));
    if (K & 1) store<u16>(dst + (<usize>(K >> 1) << 4), load<u8>(src + <usize>(K - 1)));
    if (P > (K + 1) >> 1) store<u16>(dst + (<usize>(P - 1) << 4), 0);
  }
  return true;
}

// Half of rqQuad: two lanes x (as f64) to round(x * 2^left * mult / 2^31) (gemmlowp's
// saturatingRoundingDoublingHighMul: floor(y + 1/2), exact as y * 2^31 is an integer below 2^53),
// then divided by 2^right rounding half away from zero: adding copysign(2^-right / 4, y) (y and h
// have one sign or h is 0) makes round-to-nearest-even of the magic add round that way, and the
// magic constant 1.5 * 2^52 + zp leaves h's quotient plus zp in the low 32 bits.
// @ts-ignore: decorator
@inline function rqHalf(x: v128, c: usize, magic: v128): v128 {
  const y = f64x2.mul(x, v128.load(c));
  const h = f64x2.floor(f64x2.add(y, f64x2.splat(0.5)));
  const quarter = v128.or(v128.and(y, f64x2.splat(-0.0)), v128.load(c, 64));
  return f64x2.add(f64x2.add(f64x2.mul(h, v128.load(c, 32)), quarter), magic);
}

// requantize(acc) + zp lane-wise, unclamped (the caller's saturating narrows and i8 min/max clamp).
// @ts-ignore: decorator
@inline function rqQuad(acc: v128, c: usize, magic: v128): v128 {
  const lo = rqHalf(f64x2.convert_low_i32x4_s(acc), c, magic);
  const hi = rqHalf(f64x2.convert_low_i32x4_s(i32x4.shuffle(acc, acc, 2, 3, 2, 3)), c + 16, magic);
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

// The i8 outputs of rows a and b (units 0..3 in lanes of a0 / b0, 4..7 in a1 / b1), clamped.
// @ts-ignore: decorator
@inline function rqRows(a0: v128, a1: v128, b0: v128, b1: v128, c: usize, magic: v128, lov: v128, hiv: v128): v128 {
  const n0 = i16x8.narrow_i32x4_s(rqQuad(a0, c + 32, magic), rqQuad(a1, c + 128, magic));
  const n1 = i16x8.narrow_i32x4_s(rqQuad(b0, c + 32, magic), rqQuad(b1, c + 128, magic));
  return i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(n0, n1), lov), hiv);
}

/** gemmPatches' result from the weights packLanes packed; units a multiple of 8. */
export function gemmLanes(out: usize, ldo: usize, rows: i32, ldp: i32, K: i32, units: i32, zp: i32, lo: i32, hi: i32): void {
  const pairBytes = <usize>lanePairs(K) << 4;
  const groupBytes = pairBytes + GROUP_CONSTS;
  const magic = f64x2.splat(6755399441055744.0 + <f64>zp);
  const lov = i8x16.splat(<i8>lo);
  const hiv = i8x16.splat(<i8>hi);
  const stride = <usize>ldp << 1;
  for (let g = 0; g < units >> 3; g++) {
    const wg = PACK + <usize>g * groupBytes;
    const c = wg + pairBytes;
    const wEnd = c;
    const bias0 = v128.load(c);
    const bias1 = v128.load(c, 16);
    let p0 = PATCH;
    let o = out + (<usize>g << 3);
    // Four rows at a time share each weight load; past the last row, rows repeat it, unstored.
    for (let r = 0; r < rows; r += 4, p0 += stride << 2, o += ldo << 2) {
      let p1 = r + 1 < rows ? p0 + stride : p0;
      let p2 = r + 2 < rows ? p1 + stride : p1;
      let p3 = r + 3 < rows ? p2 + stride : p2;
      let q0 = p0;
      let a0 = bias0, a1 = bias1, b0 = bias0, b1 = bias1, c0 = bias0, c1 = bias1, d0 = bias0, d1 = bias1;
      for (let w = wg; w < wEnd; w += 16, q0 += 4, p1 += 4, p2 += 4, p3 += 4) {
        const v0 = v128.load8x8_s(w);
        const v1 = v128.load8x8_s(w, 8);
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
