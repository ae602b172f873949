// Binary CONV_2D with wasm SIMD: conv2d_b1_ref's output byte for byte. Each output pixel's receptive
// field is gathered into a patch of packed signs in PATCH (a tap's C channels are whole 128-bit
// blocks, copied as vectors; a tap in the padding is +1 signs, 0 bits), as many pixels as PATCH
// holds, and fully_connected_b1.ts's GEMM multiplies the patches by the filters (which are laid out
// as one row of fH * fW taps each). With padOne 0 (padding taps add nothing) the pixels that have
// padding taps are then recomputed by the reference kernel's per-pixel body. Fewer than 4 filters,
// or a patch larger than PATCH, take the reference kernel.
// Layout: as assembly/ref/conv2d_b1.ts.

import { conv2d_b1_ref, conv2dB1Pixel } from '../ref/conv2d_b1';
import { packedWords } from '../ref/binarize_i8';
import { gemmB1 } from './fully_connected_b1';
import { PATCH, PATCH_LANES } from './scratch';

export function conv2d_b1_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, C: i32, outH: i32, outW: i32, outC: i32, fH: i32, fW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, padOne: i32,
  outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const tapBytes = <usize>packedWords(C) << 2;
  const patchBytes = <usize>(fH * fW) * tapBytes;
  const chunk = <i32>((<usize>PATCH_LANES << 1) / patchBytes);
  if (outC < 4 || chunk == 0) {
    conv2d_b1_ref(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, C, outH, outW, outC, fH, fW,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, padOne, outputZeroPoint, actMin, actMax,
    );
    return;
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
      for (let ky = 0; ky < fH; ky++) {
        const y = oy * strideH - padTop + ky * dilationH;
        for (let kx = 0; kx < fW; kx++, dst += tapBytes) {
          const x = ox * strideW - padLeft + kx * dilationW;
          const inside = y >= 0 && y < inH && x >= 0 && x < inW;
          if (!inside) {
            for (let k: usize = 0; k < tapBytes; k += 16) v128.store(dst + k, zero);
            continue;
          }
          const src = inp + <usize>((b * inH + y) * inW + x) * tapBytes;
          for (let k: usize = 0; k < tapBytes; k += 16) v128.store(dst + k, v128.load(src + k));
        }
      }
    }
    gemmB1(
      out + <usize>q * outC, PATCH, patchBytes, rows, weights, bias, mults, shifts, fH * fW * C, outC,
      outputZeroPoint, actMin, actMax,
    );
  }
  if (padOne != 0) return;
  // Zero padding: the border pixels, whose padding taps counted as +1 above, again without them.
  for (let i = 0; i < pixels; i++) {
    const b = i / (outH * outW);
    const oy = (i / outW) % outH;
    const ox = i % outW;
    const y0 = oy * strideH - padTop, x0 = ox * strideW - padLeft;
    if (y0 >= 0 && y0 + (fH - 1) * dilationH < inH && x0 >= 0 && x0 + (fW - 1) * dilationW < inW) continue;
    conv2dB1Pixel(
      out + <usize>i * outC, inp, weights, bias, mults, shifts, b, oy, ox, inH, inW, C, outC, fH, fW,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, padOne, outputZeroPoint, actMin, actMax,
    );
  }
}
