// FULLY_CONNECTED int8 -> int8 over pruned weights with wasm SIMD, rows in lanes:
// fully_connected_sparse_i8_ref's output byte for byte. For a layer with many rows (a 1x1 conv's
// pixels) the input is transposed into PATCH as i16 (x + inputOffset), depth-major, so that one
// vector holds eight rows' values of one input; each unit then walks only its nonzero weights,
// two at a time: the two inputs' vectors are interleaved and i32x4.dot_i16x8_s multiplies them by
// the weight pair broadcast to every lane, sixteen rows per pass. The unit's multiplier and shift
// are the same in every lane (quant_simd.ts's mbqmLanes). The weights are packed at load
// (sparsePack): per unit its pair count, then per pair the two inputs' byte offsets in the
// transposed block and the pair as i16 x 2 (an odd last weight pairs with a zero one).
// Exact: as fully_connected_i8_simd (|x + inputOffset| <= 255 and |w| <= 128 fit i16; i32 sums
// wrap modulo 2^32 in any order). Preconditions as the reference kernel's load check.

import { mbqmLanes } from './quant_simd';
import { PATCH, PATCH_LANES } from './scratch';

/** Form tag at the start of the packed data (after gemm_i8.ts's PACKED_PATCHES and PACKED_LANES). */
export const PACKED_SPARSE = 3;
const HEADER = 16; // form, rows per block, 8 bytes of padding
const PAIR = 12; // offset of input a, offset of input b, the weight pair
// @ts-ignore: decorator
@inline function tail(): usize { // 80 bytes at PATCH's end: a pass's sums, then storeColumn's bytes
  return PATCH + (<usize>PATCH_LANES << 1) - 80;
}

/** Rows the transposed block holds for depth inputs: a multiple of 16, or 0 when not even 16 fit. */
export function sparseBlockRows(depth: i32, batches: i32): i32 {
  const fit = ((PATCH_LANES - 40) / depth) & ~15; // the last 80 bytes are TAIL's
  return min(fit, (batches + 15) & ~15);
}

// Nonzero weights of unit u: the bitmap row's bits.
function rowCount(bits: usize, rowBytes: i32): i32 {
  let n = 0;
  for (let i = 0; i < rowBytes; i++) n += <i32>popcnt<u8>(load<u8>(bits + i));
  return n;
}

/** Bytes sparsePack writes for these bitmaps. */
export function sparsePackedBytes(weights: usize, depth: i32, units: i32): u64 {
  const rowBytes = (depth + 7) >> 3;
  let bytes: u64 = HEADER + <u64>units * 4;
  for (let u = 0; u < units; u++) bytes += <u64>((rowCount(weights + <usize>u * rowBytes, rowBytes) + 1) >> 1) * PAIR;
  return bytes;
}

/** Packs the sparse weights at weights (bitmaps, then values) for blocks of blockRows rows. */
export function sparsePack(dst: usize, weights: usize, depth: i32, units: i32, blockRows: i32): void {
  const rowBytes = (depth + 7) >> 3;
  let v = weights + <usize>units * rowBytes;
  const step = blockRows << 1; // bytes between two inputs' rows in the block
  store<i32>(dst, PACKED_SPARSE);
  store<i32>(dst, blockRows, 4);
  let p = dst + HEADER;
  for (let u = 0; u < units; u++) {
    const bits = weights + <usize>u * rowBytes;
    const pairs = (rowCount(bits, rowBytes) + 1) >> 1;
    store<i32>(p, pairs);
    p += 4;
    let half = 0; // 0: next weight starts a pair, 1: it completes one
    for (let d = 0; d < depth; d++) {
      if (((<i32>load<u8>(bits + (d >> 3)) >> (d & 7)) & 1) == 0) continue;
      const w = <i32>load<i8>(v++);
      if (half == 0) {
        store<i32>(p, d * step);
        store<i32>(p, d * step, 4); // until a partner comes: itself, with weight 0
        store<i32>(p, w & 0xffff, 8);
      } else {
        store<i32>(p, d * step, 4);
        store<i32>(p, load<i32>(p, 8) | (w << 16), 8);
        p += PAIR;
      }
      half ^= 1;
    }
    if (half) p += PAIR;
  }
}

/** fully_connected_sparse_i8_ref's result from the weights sparsePack packed at packed. */
export function fully_connected_sparse_i8_simd(
  out: usize, inp: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, packed: usize,
): void {
  const blockRows = load<i32>(packed, 4);
  const zp = i32x4.splat(outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  for (let b0 = 0; b0 < batches; b0 += blockRows) {
    const rows = min(blockRows, batches - b0);
    // The block, depth-major: PATCH[d * blockRows + r] = x[b0 + r][d] + inputOffset, eight inputs
    // of a row widened at once.
    const off = i16x8.splat(<i16>inputOffset);
    const dStep = <usize>blockRows << 1;
    for (let r = 0; r < rows; r++) {
      const x = inp + <usize>(b0 + r) * depth;
      let d = 0;
      for (; d + 8 <= depth; d += 8) {
        const v = i16x8.add(v128.load8x8_s(x + <usize>d), off);
        const at = PATCH + (<usize>(d * blockRows + r) << 1);
        v128.store16_lane(at, v, 0);
        v128.store16_lane(at + dStep, v, 1);
        v128.store16_lane(at + 2 * dStep, v, 2);
        v128.store16_lane(at + 3 * dStep, v, 3);
        v128.store16_lane(at + 4 * dStep, v, 4);
        v128.store16_lane(at + 5 * dStep, v, 5);
        v128.store16_lane(at + 6 * dStep, v, 6);
        v128.store16_lane(at + 7 * dStep, v, 7);
      }
      for (; d < depth; d++) {
        store<i16>(PATCH + (<usize>(d * blockRows + r) << 1), <i16>(<i32>load<i8>(x + d) + inputOffset));
      }
    }
    let p = packed + HEADER;
    for (let u = 0; u < units; u++) {
      const pairs = load<i32>(p);
      p += 4;
      const q = <usize>u << 2;
      const b = i32x4.splat(bias != 0 ? load<i32>(bias + q) : 0);
      const m = load<i32>(mults + q);
      const s = load<i32>(shifts + q);
      const end = p + <usize>pairs * PAIR;
      // Sixteen rows a pass; lanes past `rows` hold earlier values and are not stored.
      for (let r0 = 0; r0 < rows; r0 += 16) {
        const base = PATCH + (<usize>r0 << 1);
        let a0 = b, a1 = b, a2 = b, a3 = b;
        for (let e = p; e < end; e += PAIR) {
          const xa = base + <usize>load<i32>(e);
          const xb = base + <usize>load<i32>(e, 4);
          const w = v128.load32_splat(e, 8);
          let va = v128.load(xa), vb = v128.load(xb);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(i16x8.shuffle(va, vb, 0, 8, 1, 9, 2, 10, 3, 11), w));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(i16x8.shuffle(va, vb, 4, 12, 5, 13, 6, 14, 7, 15), w));
          va = v128.load(xa, 16);
          vb = v128.load(xb, 16);
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(i16x8.shuffle(va, vb, 0, 8, 1, 9, 2, 10, 3, 11), w));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(i16x8.shuffle(va, vb, 4, 12, 5, 13, 6, 14, 7, 15), w));
        }
        // Requantized in a loop through memory: one inlined copy of rq, not four (the build's size).
        const t = tail();
        v128.store(t, a0);
        v128.store(t, a1, 16);
        v128.store(t, a2, 32);
        v128.store(t, a3, 48);
        for (let i: usize = 0; i < 64; i += 16) v128.store(t + i, rq(v128.load(t + i), m, s, zp, lo, hi));
        const y01 = i16x8.narrow_i32x4_s(v128.load(t), v128.load(t, 16));
        const y23 = i16x8.narrow_i32x4_s(v128.load(t, 32), v128.load(t, 48));
        storeColumn(out + <usize>(b0 + r0) * units + <usize>u, <usize>units, i8x16.narrow_i16x8_s(y01, y23), min(16, rows - r0));
      }
      p = end;
    }
  }
}

// requantize lane-wise with one multiplier and shift, plus the zero point, clamped.
// @ts-ignore: decorator
@inline function rq(acc: v128, m: i32, s: i32, zp: v128, lo: v128, hi: v128): v128 {
  return i32x4.min_s(i32x4.max_s(i32x4.add(mbqmLanes(acc, m, s), zp), lo), hi);
}

// The first n (<= 16) lanes of y to out, out + stride, ...
function storeColumn(out: usize, stride: usize, y: v128, n: i32): void {
  const tmp = tail() + 64;
  v128.store(tmp, y);
  for (let i = 0; i < n; i++) store<i8>(out + <usize>i * stride, load<i8>(tmp + i));
}
