// The int8 GEMM core shared by the SIMD CONV_2D and FULLY_CONNECTED kernels: rows of
// (input + inputOffset) widened to i16 ("patches") times `units` weight rows, each sum plus its
// bias requantized four units at a time (assembly/simd/quant_simd.ts, equal lane for lane to
// assembly/quant.ts). A conv's output pixel is such a row (its receptive field gathered into a
// patch, padding taps as 0); a fully connected layer's input row is one.
// The weights are widened to i16 once, at load (packPatches), each row zero-padded to Kp, a
// multiple of 8: one multiply step is a patch vector, a weight vector and i32x4.dot_i16x8_s, with
// no widening and no tail (patch lanes past K meet zero weights; those lanes hold finite i16
// values: widening writes them or they are left from earlier rows).
// Exact: |x + inputOffset| <= 255 and |w| <= 128 fit i16, i32x4.dot_i16x8_s adds two products
// (|sum| < 2^16) into an i32 lane, and i32 addition wraps modulo 2^32 in any order, so every sum
// equals the reference kernel's accumulator bit for bit, wrap-around included.
// Blocking: a patch is widened once and serves every unit; four units' weights are loaded once per
// two rows; four units' requantization operands are built once and serve every row in PATCH.
// Layout:
//   patch:   `rows` rows of K i16 at stride ldp lanes in PATCH (ldp = patchStride(K),
//            rows <= PATCH_LANES / ldp)
//   weights: (units, Kp) i16 row-major, from packPatches
//   bias:    units i32, or 0; mults, shifts: units i32, shifts in [-31, 30]
//   out:     `rows` rows of `units` i8 at stride ldo bytes

import { requantizeLanes } from './quant_simd';
import { PATCH } from './scratch';
import { gemmLanes, lanesFit, lanesBytes, packLanes, LANES_MIN_ROWS } from './gemm_lanes_i8';


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

/** K rounded up to whole vectors: the lanes of a packed weight row. */
// @ts-ignore: decorator
@inline export function paddedK(K: i32): i32 {
  return (K + 7) & ~7;
}

/** Bytes packPatches writes. */
export function patchesBytes(K: i32, units: i32): u64 {
  return <u64>units * <u64>paddedK(K) * 2;
}

/** The (units, K) i8 weights at w as (units, paddedK(K)) i16 at dst, zero-padded. */
export function packPatches(dst: usize, w: usize, K: i32, units: i32): void {
  const Kp = paddedK(K);
  for (let u = 0; u < units; u++) {
    const src = w + <usize>u * K;
    const row = dst + (<usize>u * Kp << 1);
    let k = 0;
    for (; k + 8 <= K; k += 8) v128.store(row + (<usize>k << 1), v128.load8x8_s(src + <usize>k));
    for (; k < Kp; k++) store<i16>(row + (<usize>k << 1), k < K ? <i16>load<i8>(src + <usize>k) : 0);
  }
}

// Rows 0..rows-1 of PATCH times the four packed weight rows at w (stride Kp lanes): out[r * ldo +
// 0..3]. Two rows at a time share each weight load. requantizeLanes takes each lane's 2^max(shift,
// 0) and 2^min(shift, 0): built here from an f32 exponent (exact, shift <= 30) and as f64 bits,
// what quant_simd.ts's laneLeftFactor / laneRightScale compute one lane at a time.
function unitBlock(
  out: usize, ldo: usize, rows: i32, ldp: i32, w: usize, Kp: i32,
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
  const rowBytes = <usize>Kp << 1;
  const w0 = w;
  const w1 = w0 + rowBytes;
  const w2 = w1 + rowBytes;
  const w3 = w2 + rowBytes;
  const stride = <usize>ldp << 1;
  let p0 = PATCH;
  let o = out;
  let r = 0;
  for (; r + 2 <= rows; r += 2, p0 += stride << 1, o += ldo << 1) {
    const p1 = p0 + stride;
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
    for (let k: usize = 0; k < rowBytes; k += 16) {
      const x0 = v128.load(p0 + k);
      const x1 = v128.load(p1 + k);
      let v = v128.load(w0 + k);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v)); b0 = i32x4.add(b0, i32x4.dot_i16x8_s(x1, v));
      v = v128.load(w1 + k);
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v)); b1 = i32x4.add(b1, i32x4.dot_i16x8_s(x1, v));
      v = v128.load(w2 + k);
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v)); b2 = i32x4.add(b2, i32x4.dot_i16x8_s(x1, v));
      v = v128.load(w3 + k);
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
  for (let k: usize = 0; k < rowBytes; k += 16) {
    const x0 = v128.load(p0 + k);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, v128.load(w0 + k)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x0, v128.load(w1 + k)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x0, v128.load(w2 + k)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x0, v128.load(w3 + k)));
  }
  const y = requantizeLanes(i32x4.add(hsum4(a0, a1, a2, a3), b), left, m, maybeMin, scaleLo, scaleHi, zpv, lov, hiv);
  const n = i16x8.narrow_i32x4_s(y, y);
  v128.store32_lane(o, i8x16.narrow_i16x8_s(n, n), 0);
}

/**
 * out[r * ldo + u] = requantize(sum_k patch[r][k] * w[u][k] + bias[u]) for r < rows, u < units
 * (at least 4; layers of fewer units are left to the reference kernels), with the weights as
 * packPatches packed them (w: unit 0's row).
 */
export function gemmPatches(
  out: usize, ldo: usize, rows: i32, ldp: i32, w: usize, K: i32, units: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const Kp = paddedK(K);
  // Blocks of 4 units; a partial last block is shifted back to overlap the previous one,
  // recomputing (and rewriting) identical outputs instead of needing a narrower block.
  for (let u = 0; u < units; u += 4) {
    const u4 = u + 4 <= units ? u : units - 4;
    const q = <usize>u4 << 2;
    unitBlock(
      out + <usize>u4, ldo, rows, ldp, w + (<usize>u4 * Kp << 1), Kp,
      bias != 0 ? bias + q : 0, mults + q, shifts + q, zp, lo, hi,
    );
  }
}

// A layer's packed weights start with their form, then 12 bytes of padding.
export const PACKED_NONE = 0; // not packed: the reference kernel serves the layer
export const PACKED_PATCHES = 1; // packPatches' i16 rows, for gemmPatches
export const PACKED_LANES = 2; // packLanes' groups, for gemmLanes
export const PACKED_HEADER = 16;

/**
 * The form a layer's weights are packed in: units in lanes when gemmLanes can serve the layer (one
 * group; many rows, or the one row of a batch-1 fully connected layer; an exact f64
 * requantization), else i16 rows for gemmPatches — or none for under 4 units per group (a
 * classifier's last layer of 2 or 3: too few for the GEMM's 4-unit blocks to pay).
 */
export function packedForm(
  w: usize, K: i32, units: i32, rows: i32, groups: i32, bias: usize, mults: usize, shifts: usize, inputOffset: i32,
): i32 {
  if (units / groups < 4) return PACKED_NONE;
  const lanes = groups == 1 && (rows >= LANES_MIN_ROWS || rows == 1) && lanesFit(w, K, units, bias, mults, shifts, inputOffset);
  return lanes ? PACKED_LANES : PACKED_PATCHES;
}

/** Bytes packGemm writes for this form. */
export function packedBytes(form: i32, K: i32, units: i32): u64 {
  return <u64>PACKED_HEADER + (form == PACKED_LANES ? lanesBytes(K, units) : patchesBytes(K, units));
}

/** The form, then the weights (and, in lanes, the requantization constants) packed in it, at dst. */
export function packGemm(dst: usize, form: i32, w: usize, K: i32, units: i32, bias: usize, mults: usize, shifts: usize): void {
  store<i32>(dst, form);
  if (form == PACKED_LANES) packLanes(dst + PACKED_HEADER, w, K, units, bias, mults, shifts);
  else packPatches(dst + PACKED_HEADER, w, K, units);
}

/**
 * The GEMM of `rows` patch rows and units [u0, u0 + units) of a layer whose weights were packed at
 * load (`packed`: form, then data), into out (unit u0's column) at stride ldo.
 */
export function gemmPacked(
  out: usize, ldo: usize, rows: i32, ldp: i32, packed: usize, K: i32, u0: i32, units: i32, allUnits: i32,
  bias: usize, mults: usize, shifts: usize, zp: i32, lo: i32, hi: i32,
): void {
  const data = packed + PACKED_HEADER;
  if (load<i32>(packed) == PACKED_LANES) {
    gemmLanes(out, ldo, rows, ldp, data, K, allUnits, zp, lo, hi);
    return;
  }
  const q = <usize>u0 << 2;
  gemmPatches(
    out, ldo, rows, ldp, data + (<usize>u0 * paddedK(K) << 1), K, units,
    bias != 0 ? bias + q : 0, mults + q, shifts + q, zp, lo, hi,
  );
}
