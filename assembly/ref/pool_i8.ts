// AVERAGE_POOL_2D and MAX_POOL_2D int8 -> int8, as TensorFlow Lite Micro's reference kernels
// (reference_integer_ops::AveragePool / MaxPool) compute them. Input and output share one scale and
// zero point, so both work on the raw int8 values: the window is clipped to the input (padding
// taps are not counted), the average divides the sum by the number of taps inside, rounding half
// away from zero, and both clamp to [actMin, actMax].
// Layout: in (batches, inH, inW, channels) i8 NHWC; out (batches, outH, outW, channels) i8 NHWC.
// The load-time check guarantees every window holds at least one tap.
// Accumulator: |sum| <= 128 * fH * fW, inside i32 for windows under 2^24 taps.

// The window's clipped extent along one axis: [start, end) of filter offsets inside the input.
// @ts-ignore: decorator
@inline export function clipStart(origin: i32): i32 {
  return origin < 0 ? -origin : 0;
}

// @ts-ignore: decorator
@inline export function clipEnd(origin: i32, filter: i32, size: i32): i32 {
  return size - origin < filter ? size - origin : filter;
}

// One output of the average pool for one channel: the sum over the clipped window [ky0, ky1) x
// [kx0, kx1), whose tap (0, 0) is at `origin` (the channel's byte in the window's top-left pixel,
// which may lie in the padding), divided by the taps counted, rounded half away from zero, clamped.
// @ts-ignore: decorator
@inline export function averageAt(
  origin: usize, rowStride: usize, pixelStride: usize, ky0: i32, ky1: i32, kx0: i32, kx1: i32, actMin: i32, actMax: i32,
): i32 {
  const count = (ky1 - ky0) * (kx1 - kx0);
  let acc: i32 = 0;
  for (let ky = ky0; ky < ky1; ky++) {
    for (let kx = kx0; kx < kx1; kx++) acc += <i32>load<i8>(origin + <usize>ky * rowStride + <usize>kx * pixelStride);
  }
  // Integer division truncates toward zero, so +-count/2 first rounds half away from zero.
  const v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
  return v < actMin ? actMin : v > actMax ? actMax : v;
}

// One output of the max pool for one channel, over the same window as averageAt, clamped.
// @ts-ignore: decorator
@inline export function maxAt(
  origin: usize, rowStride: usize, pixelStride: usize, ky0: i32, ky1: i32, kx0: i32, kx1: i32, actMin: i32, actMax: i32,
): i32 {
  let v: i32 = -128;
  for (let ky = ky0; ky < ky1; ky++) {
    for (let kx = kx0; kx < kx1; kx++) {
      const x = <i32>load<i8>(origin + <usize>ky * rowStride + <usize>kx * pixelStride);
      if (x > v) v = x;
    }
  }
  return v < actMin ? actMin : v > actMax ? actMax : v;
}

export function average_pool_i8_ref(
  out: usize, inp: usize, batches: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, actMin: i32, actMax: i32,
): void {
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
        const origin = image + <usize>(y0 * inW + x0) * channels;
        for (let c = 0; c < channels; c++) {
          store<i8>(o++, <i8>averageAt(origin + <usize>c, rowStride, pixelStride, ky0, ky1, kx0, kx1, actMin, actMax));
        }
      }
    }
  }
}

export function max_pool_i8_ref(
  out: usize, inp: usize, batches: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, actMin: i32, actMax: i32,
): void {
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
        const origin = image + <usize>(y0 * inW + x0) * channels;
        for (let c = 0; c < channels; c++) {
          store<i8>(o++, <i8>maxAt(origin + <usize>c, rowStride, pixelStride, ky0, ky1, kx0, kx1, actMin, actMax));
        }
      }
    }
  }
}
