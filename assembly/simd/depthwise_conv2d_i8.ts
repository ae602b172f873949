// DEPTHWISE_CONV_2D int8 -> int8 with wasm SIMD: depthwise_conv2d_i8_ref's output byte for byte.
// Vectorized over output channels, eight at a time: NHWC keeps a pixel's channels contiguous and
// the (1, fH, fW, outC) weights keep a tap's output channels contiguous, so a tap is one 8-byte load
// of each; x + inputOffset fits in i16 and the products widen exactly into two i32x4 accumulators.
// Channel blocks are the outer loop so a block's per-channel requantization vectors are built once
// and serve every output pixel. With depthMultiplier > 1, output channel oc reads input channel
// oc / depthMultiplier: one 8-byte load inside the pixel and a swizzle gather them. Channels past
// the last full block, and all of them when such a gather would leave a pixel (fewer than 8 input
// channels), take the scalar path.
// Layout and accumulator bound: as assembly/ref/depthwise_conv2d_i8.ts. Preconditions (the load
// check): inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127].

import { requantize } from '../quant';
import { anyMinMultiplier, laneLeftFactor, laneRightScale, requantizeLanes } from './quant_simd';

const BLOCK = 8;

export function depthwise_conv2d_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const outC = inC * depthMultiplier;
  const gather = depthMultiplier != 1;
  const blocks = gather && inC < BLOCK ? 0 : outC / BLOCK;
  const off = i16x8.splat(<i16>inputOffset);
  const zp = i32x4.splat(outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  for (let k = 0; k < blocks; k++) {
    const oc0 = k * BLOCK;
    // Input bytes [base, base + 8) of a pixel hold the block's input channels; lane j takes byte
    // idx[j] (lanes 8..15 are never used).
    const ic0 = oc0 / depthMultiplier;
    const base = gather && ic0 > inC - BLOCK ? inC - BLOCK : ic0;
    let lanes: i64 = 0;
    for (let j = 0; j < BLOCK; j++) lanes |= <i64>((oc0 + j) / depthMultiplier - base) << (j * 8);
    const idx = i64x2(lanes, 0);
    const q = oc0 << 2;
    const bias0 = bias != 0 ? v128.load(bias + q) : i32x4.splat(0);
    const bias1 = bias != 0 ? v128.load(bias + q, 16) : i32x4.splat(0);
    const mult0 = v128.load(mults + q);
    const mult1 = v128.load(mults + q, 16);
    const maybeMin = anyMinMultiplier(mults + q) || anyMinMultiplier(mults + q + 16);
    const left0 = laneLeftFactor(shifts + q);
    const left1 = laneLeftFactor(shifts + q + 16);
    const scale00 = laneRightScale(shifts + q);
    const scale01 = laneRightScale(shifts + q + 8);
    const scale10 = laneRightScale(shifts + q + 16);
    const scale11 = laneRightScale(shifts + q + 24);
    const wBlock = weights + <usize>oc0;
    let o = out + <usize>oc0;
    for (let b = 0; b < batches; b++) {
      const image = inp + <usize>b * inH * inW * inC + <usize>base;
      for (let oy = 0; oy < outH; oy++) {
        const y0 = oy * strideH - padTop;
        for (let ox = 0; ox < outW; ox++) {
          const x0 = ox * strideW - padLeft;
          let acc0 = bias0;
          let acc1 = bias1;
          for (let ky = 0; ky < fH; ky++) {
            const y = y0 + dilationH * ky;
            if (y < 0 || y >= inH) continue;
            const wRow = wBlock + <usize>(ky * fW) * outC;
            for (let kx = 0; kx < fW; kx++) {
              const x = x0 + dilationW * kx;
              if (x < 0 || x >= inW) continue;
              const px = image + <usize>(y * inW + x) * inC;
              const xs = gather
                ? i16x8.extend_low_i8x16_s(i8x16.swizzle(v128.load64_zero(px), idx))
                : v128.load8x8_s(px);
              const xv = i16x8.add(xs, off);
              const wv = v128.load8x8_s(wRow + <usize>kx * outC);
              acc0 = i32x4.add(acc0, i32x4.extmul_low_i16x8_s(xv, wv));
              acc1 = i32x4.add(acc1, i32x4.extmul_high_i16x8_s(xv, wv));
            }
          }
          const r0 = requantizeLanes(acc0, left0, mult0, maybeMin, scale00, scale01, zp, lo, hi);
          const r1 = requantizeLanes(acc1, left1, mult1, maybeMin, scale10, scale11, zp, lo, hi);
          const r16 = i16x8.narrow_i32x4_s(r0, r1);
          v128.store64_lane(o, i8x16.narrow_i16x8_s(r16, r16), 0);
          o += <usize>outC;
        }
      }
    }
  }
  for (let oc = blocks * BLOCK; oc < outC; oc++) {
    depthwiseChannel(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax, oc,
    );
  }
}

// Output channel oc at every pixel, scalar, as the reference computes it.
function depthwiseChannel(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, oc: i32,
): void {
  const outC = inC * depthMultiplier;
  const ic = oc / depthMultiplier;
  const b0 = bias != 0 ? load<i32>(bias + (<usize>oc << 2)) : 0;
  const m = load<i32>(mults + (<usize>oc << 2));
  const s = load<i32>(shifts + (<usize>oc << 2));
  let o = out + <usize>oc;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC + <usize>ic;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        let acc = b0;
        for (let ky = 0; ky < fH; ky++) {
          const y = y0 + dilationH * ky;
          if (y < 0 || y >= inH) continue;
          for (let kx = 0; kx < fW; kx++) {
            const x = x0 + dilationW * kx;
            if (x < 0 || x >= inW) continue;
            const xv = <i32>load<i8>(image + <usize>(y * inW + x) * inC);
            const wv = <i32>load<i8>(weights + <usize>(ky * fW + kx) * outC + oc);
            acc += wv * (xv + inputOffset);
          }
        }
        store<i8>(o, <i8>requantize(acc, m, s, outputZeroPoint, actMin, actMax));
        o += <usize>outC;
      }
    }
  }
}
