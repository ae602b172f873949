// CONV_2D int8 -> int8 with wasm SIMD: conv2d_i8_ref's output byte for byte.
// A 1x1 stride-1 unpadded conv with one group is a fully connected layer over the pixels
// (K = input channels), so it takes fully_connected_i8_simd. Any other conv gathers each
// output pixel's receptive field (one group's channels) into an i16 patch of (x + inputOffset), in
// the filters' (ky, kx, c) order and with 0 for taps in the padding (the reference skips them;
// a zero lane adds nothing), as many pixels as the patch buffer holds, and the GEMM core multiplies
// them by the group's filter rows as packed at load (`packed`, gemm_i8.ts's gemmPacked: i16 rows for
// gemmPatches, or units-in-lanes groups for gemmLanes). Building a patch costs K lanes once per
// pixel and group; it then serves every output channel of the group.
// Layout and accumulator bound: as assembly/ref/conv2d_i8.ts. Preconditions (the load check):
// inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127]; a patch larger
// than the buffer (K > 16376), or no packed weights (`packed` 0), takes the reference kernel.

import { conv2d_i8_ref } from '../ref/conv2d_i8';
import { fully_connected_i8_simd } from './fully_connected_i8';
import { patchStride, widen, zeros, gemmPacked } from './gemm_i8';
import { PATCH, PATCH_LANES } from './scratch';

// The receptive field at (y0, x0) (top-left tap, may lie in the padding) of `image`, which points at
// the group's first channel, as fH * fW * fC lanes at dst. When filter rows are dense in the input
// (no horizontal dilation, one group) a row's in-bounds taps are one run of bytes.
function gatherPatch(
  dst: usize, image: usize, inH: i32, inW: i32, inC: i32, fH: i32, fW: i32, fC: i32,
  y0: i32, x0: i32, dilationH: i32, dilationW: i32, inputOffset: i32, end: usize,
): void {
  const run = fW * fC;
  const dense = dilationW == 1 && fC == inC;
  for (let ky = 0; ky < fH; ky++, dst += <usize>run << 1) {
    const y = y0 + dilationH * ky;
    if (y < 0 || y >= inH) {
      zeros(dst, run);
      continue;
    }
    const row = image + <usize>y * inW * inC;
    if (dense) {
      const kx0 = x0 < 0 ? min(-x0, fW) : 0;
      const kx1 = max(min(inW - x0, fW), kx0);
      zeros(dst, kx0 * fC);
      widen(dst + (<usize>(kx0 * fC) << 1), row + <usize>(x0 + kx0) * inC, (kx1 - kx0) * fC, inputOffset, end);
      zeros(dst + (<usize>(kx1 * fC) << 1), (fW - kx1) * fC);
      continue;
    }
    for (let kx = 0; kx < fW; kx++) {
      const x = x0 + dilationW * kx;
      const d = dst + (<usize>(kx * fC) << 1);
      if (x < 0 || x >= inW) zeros(d, fC);
      else widen(d, row + <usize>x * inC, fC, inputOffset, end);
    }
  }
}

// fH runs of `run` bytes, rowStep apart from src, widened with the input offset into consecutive
// lanes at dst, eight at a time: a run's last vector may spill up to 7 lanes into the next run's
// (rewritten next) or past the patch row (the stride's slack); the caller checks the last vector's
// bytes are inside the input.
// @ts-ignore: decorator
@inline function denseRows(dst: usize, src: usize, rowStep: usize, fH: i32, run: i32, off: v128): void {
  for (let ky = 0; ky < fH; ky++, src += rowStep, dst += <usize>run << 1) {
    // Runs of up to two vectors (the stems': 3 input channels) without the inner loop.
    v128.store(dst, i16x8.add(v128.load8x8_s(src), off));
    if (run <= 8) continue;
    v128.store(dst, i16x8.add(v128.load8x8_s(src, 8), off), 16);
    for (let i = 16; i < run; i += 8) v128.store(dst + (<usize>i << 1), i16x8.add(v128.load8x8_s(src + <usize>i), off));
  }
}

export function conv2d_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32,
  fH: i32, fW: i32, fC: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, packed: usize,
): void {
  if (fH == 1 && fW == 1 && fC == inC && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
    && outH == inH && outW == inW) {
    fully_connected_i8_simd(
      out, inp, weights, bias, mults, shifts, batches * inH * inW, inC, outC,
      inputOffset, outputZeroPoint, actMin, actMax, packed,
    );
    return;
  }
  const K = fH * fW * fC;
  const ldp = patchStride(K);
  if (ldp > PATCH_LANES || packed == 0) {
    conv2d_i8_ref(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, outC, fH, fW, fC,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax,
    );
    return;
  }
  const chunk = PATCH_LANES / ldp;
  const groups = inC / fC;
  const perGroup = outC / groups;
  const plane = outH * outW;
  const pixels = batches * plane;
  const imageBytes = <usize>inH * inW * inC;
  const end = inp + <usize>batches * imageBytes;
  const run = fW * fC;
  const dense = dilationW == 1 && fC == inC;
  const yMax = inH - 1 - dilationH * (fH - 1);
  const xMax = inW - fW;
  const rowStep = <usize>dilationH * inW * inC;
  const xStep = <usize>strideW * inC;
  const lastRun = <usize>(fH - 1) * rowStep + <usize>((run + 7) & ~7);
  const off = i16x8.splat(<i16>inputOffset);
  for (let q = 0; q < pixels; q += chunk) {
    const rows = min(chunk, pixels - q);
    for (let g = 0; g < groups; g++) {
      let b = q / plane;
      let oy = (q - b * plane) / outW;
      let ox = q - b * plane - oy * outW;
      // A run of pixels along one output row at a time: whether the row's taps are inside the image
      // is decided once per run, and only the columns at the edges differ.
      for (let r = 0; r < rows; ) {
        const y0 = oy * strideH - padTop;
        const image = inp + <usize>b * imageBytes + <usize>(g * fC);
        const rowDense = dense && y0 >= 0 && y0 <= yMax;
        const n = min(rows - r, outW - ox);
        let dst = PATCH + (<usize>(r * ldp) << 1);
        let x0 = ox * strideW - padLeft;
        let first = image + <usize>(y0 * inW + x0) * inC;
        for (let i = 0; i < n; i++, x0 += strideW, first += xStep, dst += <usize>ldp << 1) {
          // Inside the image, with dense filter rows and whole vectors readable: fH runs of bytes.
          if (rowDense && x0 >= 0 && x0 <= xMax && first + lastRun <= end) {
            denseRows(dst, first, rowStep, fH, run, off);
          } else {
            gatherPatch(dst, image, inH, inW, inC, fH, fW, fC, y0, x0, dilationH, dilationW, inputOffset, end);
          }
        }
        r += n;
        ox += n;
        if (ox == outW) {
          ox = 0;
          if (++oy == outH) { oy = 0; b++; }
        }
      }
      const oc0 = g * perGroup;
      gemmPacked(
        out + <usize>q * outC + <usize>oc0, <usize>outC, rows, ldp, packed, K, oc0, perGroup, outC,
        bias, mults, shifts, outputZeroPoint, actMin, actMax,
      );
    }
  }
}
