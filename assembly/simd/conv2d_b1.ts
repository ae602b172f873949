// Binary CONV_2D with wasm SIMD: conv2d_b1_ref's output byte for byte. Each output pixel's receptive
// field is gathered into a patch of packed signs in PATCH (a tap's C channels are whole 128-bit
// blocks, copied as vectors; a tap in the padding is +1 signs, 0 bits), as many pixels as PATCH
// holds, and fully_connected_b1.ts's GEMM multiplies the patches by the filters (which are laid out
// as one row of fH * fW taps each). With padOne 0 (padding taps add nothing) each patch's padding
// taps are noted in a mask and the GEMM takes back what they added as +1 inputs: each filter's sum
// of weight signs over such a tap, counted once per call. Fewer than 4 filters, more than 16 taps,
// or a patch larger than PATCH, take the reference kernel.
// Layout: as assembly/ref/conv2d_b1.ts.

import { conv2d_b1_ref } from '../ref/conv2d_b1';
import { packedWords } from '../ref/binarize_i8';
import { gemmB1 } from './fully_connected_b1';
import { PATCH, PATCH_LANES } from './scratch';

export function conv2d_b1_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, C: i32, outH: i32, outW: i32, outC: i32, fH: i32, fW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, padOne: i32,
  outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const taps = fH * fW;
  const tapBytes = <usize>packedWords(C) << 2;
  const patchBytes = <usize>taps * tapBytes;
  // PATCH: the patches, then (zero padding) a u16 mask of padding taps per patch, then per tap each
  // filter's sum of weight signs over the tap: what a padding tap adds as +1 inputs.
  const sumsBytes: usize = padOne != 0 ? 0 : <usize>(taps * outC) << 2;
  const scratch = <usize>PATCH_LANES << 1;
  const chunk = sumsBytes + 16 < scratch && taps <= 16 ? <i32>((scratch - sumsBytes - 16) / (patchBytes + 2)) : 0;
  if (outC < 4 || chunk == 0) {
    conv2d_b1_ref(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, C, outH, outW, outC, fH, fW,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, padOne, outputZeroPoint, actMin, actMax,
    );
    return;
  }
  const masks = padOne != 0 ? 0 : PATCH + <usize>chunk * patchBytes;
  const tapSums = masks + ((<usize>chunk * 2 + 15) & ~15);
  if (padOne == 0) {
    for (let u = 0; u < outC; u++) {
      for (let t = 0; t < taps; t++) {
        const w = weights + <usize>u * patchBytes + <usize>t * tapBytes;
        let ones = 0; // -1 signs
        for (let k: usize = 0; k < tapBytes; k += 4) ones += <i32>popcnt<u32>(load<u32>(w + k));
        store<i32>(tapSums + (<usize>(t * outC + u) << 2), C - 2 * ones);
      }
    }
  }
  const pixels = batches * outH * outW;
  const zero = i32x4.splat(0);
  for (let q = 0; q < pixels; q += chunk) {
    const rows = min(chunk, pixels - q);
    let dst = PATCH;
    for (let i = q; i < q + rows; i++) {
      const b = i / (outH * outW);
      const oy = (i / outW) % outH;
      const ox = i % outW;
      let mask = 0;
      for (let t = 0; t < taps; t++, dst += tapBytes) {
        const y = oy * strideH - padTop + (t / fW) * dilationH;
        const x = ox * strideW - padLeft + (t % fW) * dilationW;
        if (y < 0 || y >= inH || x < 0 || x >= inW) {
          for (let k: usize = 0; k < tapBytes; k += 16) v128.store(dst + k, zero);
          mask |= 1 << t;
          continue;
        }
        const src = inp + <usize>((b * inH + y) * inW + x) * tapBytes;
        for (let k: usize = 0; k < tapBytes; k += 16) v128.store(dst + k, v128.load(src + k));
      }
      if (masks != 0) store<u16>(masks + (<usize>(i - q) << 1), <u16>mask);
    }
    gemmB1(
      out + <usize>q * outC, PATCH, patchBytes, rows, weights, bias, mults, shifts, taps * C, outC,
      outputZeroPoint, actMin, actMax, masks, tapSums,
    );
  }
}
