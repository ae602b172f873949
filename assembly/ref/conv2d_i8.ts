// CONV_2D int8 -> int8, as TensorFlow Lite Micro's reference kernel (ConvPerChannel) computes it:
// per output channel, sum weight * (input + inputOffset) over the taps that fall inside the input
// (taps in the padding are skipped, not read as the zero point), add the bias, requantize with that
// channel's multiplier and shift, add the output zero point, clamp to [actMin, actMax].
// Layout:
//   in:      (batches, inH, inW, inC) i8, NHWC
//   weights: (outC, fH, fW, fC) i8, OHWI; fC = inC / groups, outC a multiple of groups
//   bias:    outC i32, or 0 when the model has none
//   mults, shifts: outC i32 each (Q0.31 multiplier, shift as assembly/quant.ts takes it)
//   out:     (batches, outH, outW, outC) i8, NHWC
// Accumulator: each term |w * (x + inputOffset)| <= 128 * 255 < 2^15, so up to 2^16 taps
// (fH * fW * fC) stay inside i32 before the bias; beyond that it wraps, as TFLM's does.

import { requantize } from '../quant';

export function conv2d_i8_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32,
  fH: i32, fW: i32, fC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const filtersPerGroup = outC / (inC / fC);
  let o = out;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        for (let oc = 0; oc < outC; oc++) {
          const channel0 = (oc / filtersPerGroup) * fC;
          const filter = weights + <usize>oc * fH * fW * fC;
          let acc: i32 = 0;
          for (let ky = 0; ky < fH; ky++) {
            const y = y0 + dilationH * ky;
            if (y < 0 || y >= inH) continue;
            for (let kx = 0; kx < fW; kx++) {
              const x = x0 + dilationW * kx;
              if (x < 0 || x >= inW) continue;
              const px = image + (<usize>(y * inW + x) * inC) + channel0;
              const w = filter + <usize>(ky * fW + kx) * fC;
              for (let c = 0; c < fC; c++) {
                acc += <i32>load<i8>(w + c) * (<i32>load<i8>(px + c) + inputOffset);
              }
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
