// CONV_2D over binary (+1 / -1) inputs and weights, packed as binarize_i8.ts packs them (bit 1: -1;
// each pixel's C channels in whole 128-bit blocks), to int8: for each output pixel and filter the
// dot product of the signs over the receptive field, plus the bias, requantized with the filter's
// multiplier and shift (assembly/quant.ts), plus the output zero point, clamped.
// Padding, as the model was trained (Larq's pad_values): padOne 0 — taps in the padding add
// nothing, as zeros would (what Keras' 'same' padding of a real-valued input does); padOne 1 —
// they are +1 inputs, adding each weight's sign (the cheap form binary networks train with).
// Layout:
//   in:      (batches, inH, inW, packedWords(C)) u32
//   weights: (outC, fH, fW, packedWords(C)) u32
//   bias:    outC i32, or 0; mults, shifts: outC i32 each
//   out:     (batches, outH, outW, outC) i8
// Accumulator: |dot| <= fH * fW * C.

import { requantize } from '../quant';
import { packedWords } from './binarize_i8';

// The outC outputs of pixel (b, oy, ox) at o.
function conv2dB1Pixel(
  o: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  b: i32, oy: i32, ox: i32, inH: i32, inW: i32, C: i32, outC: i32, fH: i32, fW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, padOne: i32,
  outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const words = packedWords(C);
  for (let u = 0; u < outC; u++) {
    let acc = 0;
    for (let ky = 0; ky < fH; ky++) {
      const y = oy * strideH - padTop + ky * dilationH;
      for (let kx = 0; kx < fW; kx++) {
        const x = ox * strideW - padLeft + kx * dilationW;
        const w = weights + (<usize>(((u * fH + ky) * fW + kx) * words) << 2);
        const inside = y >= 0 && y < inH && x >= 0 && x < inW;
        if (!inside && padOne == 0) continue;
        // A padding tap is +1 everywhere: its bits are 0.
        const p = inside ? inp + (<usize>(((b * inH + y) * inW + x) * words) << 2) : 0;
        let differ = 0;
        for (let k = 0; k < words; k++) {
          const xv = inside ? load<u32>(p + (<usize>k << 2)) : 0;
          differ += <i32>popcnt<u32>(xv ^ load<u32>(w + (<usize>k << 2)));
        }
        acc += C - 2 * differ;
      }
    }
    if (bias != 0) acc += load<i32>(bias + (<usize>u << 2));
    const q = <usize>u << 2;
    store<i8>(o + u, <i8>requantize(acc, load<i32>(mults + q), load<i32>(shifts + q), outputZeroPoint, actMin, actMax));
  }
}

export function conv2d_b1_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, C: i32, outH: i32, outW: i32, outC: i32, fH: i32, fW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, padOne: i32,
  outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        conv2dB1Pixel(
          out + <usize>(((b * outH + oy) * outW + ox) * outC), inp, weights, bias, mults, shifts, b, oy, ox, inH, inW, C, outC,
          fH, fW, strideH, strideW, dilationH, dilationW, padTop, padLeft, padOne, outputZeroPoint, actMin, actMax,
        );
      }
    }
  }
}
