// AVERAGE_POOL_2D and MAX_POOL_2D int8 -> int8 with wasm SIMD: average_pool_i8_ref's and
// max_pool_i8_ref's output byte for byte, by one walk over the output. Vectorized over channels,
// 8 per step (NHWC keeps a pixel's channels contiguous); channels past the last full block take
// the scalar path. Average: the window sum accumulates in i32 lanes (wrapping as the reference's i32
// sum), then (sum +- count/2) / count in f64. That quotient is exact where it matters:
// |n| <= 2^31 makes |n / count| <= 2^31 / count, whose half ulp is under 2^-21 / count, while a
// non-integer quotient lies at least 1 / count from every integer, so rounding the division never
// crosses an integer and truncation gives C's integer division.
// Layout: as assembly/ref/pool_i8.ts. Preconditions (the load check): every window holds a tap,
// actMin/actMax in [-128, 127], so clamping after the saturating narrow to i8 equals the reference.

import { clipStart, clipEnd, averageAt, maxAt } from '../ref/pool_i8';


// The reference's rounded average of four i32 sums by one count.
// @ts-ignore: decorator
@inline function averageLanes(acc: v128, half: v128, count: v128): v128 {
  const n = i32x4.add(acc, v128.bitselect(half, i32x4.neg(half), i32x4.gt_s(acc, i32x4.splat(0))));
  const qLo = f64x2.div(f64x2.convert_low_i32x4_s(n), count);
  const qHi = f64x2.div(f64x2.convert_low_i32x4_s(i32x4.shuffle(n, n, 2, 3, 2, 3)), count);
  return i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(qLo), i32x4.trunc_sat_f64x2_s_zero(qHi), 0, 1, 4, 5);
}

// One window of 8 channels at p (window origin's first channel): i32 sums, averaged.
// @ts-ignore: decorator
@inline function averageBlock(
  p: usize, rowStride: usize, pixelStride: usize, ky0: i32, ky1: i32, kx0: i32, kx1: i32, count: i32,
): v128 {
  let a0 = i32x4.splat(0);
  let a1 = a0;
  for (let ky = ky0; ky < ky1; ky++) {
    for (let kx = kx0; kx < kx1; kx++) {
      const v = v128.load8x8_s(p + <usize>ky * rowStride + <usize>kx * pixelStride);
      a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(v));
      a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(v));
    }
  }
  const half = i32x4.splat(count / 2);
  const c = f64x2.splat(<f64>count);
  const r = i16x8.narrow_i32x4_s(averageLanes(a0, half, c), averageLanes(a1, half, c));
  return i8x16.narrow_i16x8_s(r, r);
}

// The window of 8 channels at p, maximum.
// @ts-ignore: decorator
@inline function maxBlock(p: usize, rowStride: usize, pixelStride: usize, ky0: i32, ky1: i32, kx0: i32, kx1: i32): v128 {
  let m = i8x16.splat(-128);
  for (let ky = ky0; ky < ky1; ky++) {
    for (let kx = kx0; kx < kx1; kx++) {
      m = i8x16.max_s(m, v128.load64_zero(p + <usize>ky * rowStride + <usize>kx * pixelStride));
    }
  }
  return m;
}

// Both pools share one walk over the output (max: whether the window's maximum or its average).
function pool(
  out: usize, inp: usize, batches: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, actMin: i32, actMax: i32, max: bool,
): void {
  const lo = i8x16.splat(<i8>actMin);
  const hi = i8x16.splat(<i8>actMax);
  const pixelStride = <usize>channels;
  const rowStride = <usize>inW * channels;
  let o = out;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * channels;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const ky0 = clipStart(y0);
      const ky1 = clipEnd(y0, fH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        const kx0 = clipStart(x0);
        const kx1 = clipEnd(x0, fW, inW);
        const count = (ky1 - ky0) * (kx1 - kx0);
        const origin = image + <usize>(y0 * inW + x0) * channels;
        let c = 0;
        for (; c + 8 <= channels; c += 8, o += 8) {
          const p = origin + <usize>c;
          const v = max
            ? maxBlock(p, rowStride, pixelStride, ky0, ky1, kx0, kx1)
            : averageBlock(p, rowStride, pixelStride, ky0, ky1, kx0, kx1, count);
          v128.store64_lane(o, i8x16.min_s(i8x16.max_s(v, lo), hi), 0);
        }
        for (; c < channels; c++) {
          const p = origin + <usize>c;
          store<i8>(o++, <i8>(max
            ? maxAt(p, rowStride, pixelStride, ky0, ky1, kx0, kx1, actMin, actMax)
            : averageAt(p, rowStride, pixelStride, ky0, ky1, kx0, kx1, actMin, actMax)));
        }
      }
    }
  }
}

export function average_pool_i8_simd(
  out: usize, inp: usize, batches: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, actMin: i32, actMax: i32,
): void {
  pool(out, inp, batches, inH, inW, channels, outH, outW, fH, fW, strideH, strideW, padTop, padLeft, actMin, actMax, false);
}

export function max_pool_i8_simd(
  out: usize, inp: usize, batches: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, actMin: i32, actMax: i32,
): void {
  pool(out, inp, batches, inH, inW, channels, outH, outW, fH, fW, strideH, strideW, padTop, padLeft, actMin, actMax, true);
}
