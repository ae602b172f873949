// DEPTHWISE_CONV_2D int8 -> int8, as TensorFlow Lite Micro's reference kernel
// (DepthwiseConvPerChannel) computes it: output channel c * depthMultiplier + m sees only input
// channel c; taps in the padding are skipped (not read as the zero point); then bias, per-channel
// requantization, output zero point and clamp as in conv2d_i8.ts.
// Layout:
//   in:      (batches, inH, inW, inC) i8, NHWC
//   weights: (1, fH, fW, outC) i8, outC = inC * depthMultiplier
//   bias:    outC i32, or 0 when the model has none
//   mults, shifts: outC i32 each
//   out:     (batches, outH, outW, outC) i8, NHWC
// Accumulator: each term |w * (x + inputOffset)| <= 128 * 255 < 2^15; fH * fW taps, far below the
// 2^16 that i32 holds.

import { requantize } from '../quant';

export function depthwise_conv2d_i8_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const outC = inC * depthMultiplier;
  let o = out;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let oc = 0; oc < outC; oc++) {
          const ic = oc / depthMultiplier;
          let acc: i32 = 0;
          for (let ky = 0; ky < fH; ky++) {
            const y = y0 + dilationH * ky;
            if (y < 0 || y >= inH) continue;
            for (let kx = 0; kx < fW; kx++) {
              const x = x0 + dilationW * kx;
              if (x < 0 || x >= inW) continue;
              const xv = <i32>load<i8>(image + <usize>(y * inW + x) * inC + ic);
              const wv = <i32>load<i8>(weights + <usize>(ky * fW + kx) * outC + oc);
              acc += wv * (xv + inputOffset);
            }
          }
          if (bias != 0) acc += load<i32>(bias + (<usize>oc << 2));
          const m = load<i32>(mults + (<usize>oc << 2));
          const s = load<i32>(shifts + (<usize>oc << 2));
          store<i8>(o, <i8>requantize(acc, m, s, outputZeroPoint, actMin, actMax));
          o++;
        }
      }
    }
  }
}
