// DEPTHWISE_CONV_2D int8 -> int8 with wasm SIMD: depthwise_conv2d_i8_ref's output byte for byte.
// Vectorized over output channels, 16 at a time (then one block of 8): NHWC keeps a pixel's
// channels contiguous and the (1, fH, fW, outC) weights keep a tap's output channels contiguous,
// so a tap is one load of each; x + inputOffset fits in i16 and the products widen exactly into
// i32x4 accumulators. Channel blocks are the outer loop so a block's per-channel requantization
// vectors are built once and serve every output pixel; the window is clipped once per pixel, so
// the tap loop only walks two pointers. With depthMultiplier > 1, output channel oc reads input
// channel oc / depthMultiplier: one load inside the pixel and a swizzle gather them. Channels past
// the last block, and blocks whose gather would leave a pixel (fewer input channels than lanes),
// take the scalar path.
// Layout and accumulator bound: as assembly/ref/depthwise_conv2d_i8.ts. Preconditions (the load
// check): inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127].

import { requantize } from '../quant';
import { anyMinMultiplier, laneLeftFactor, laneRightScale, requantizeLanes } from './quant_simd';

// The filter taps k whose coordinate origin + dilation * k lies in [0, size) are [firstTap,
// endTap): the reference skips the others (coordinates are monotonic in k). Inside the input the
// searches stop at once; at a border they take a step or two (a division would cost more).
// @ts-ignore: decorator
@inline function firstTap(origin: i32, filter: i32, dilation: i32): i32 {
  let k = 0;
  while (k < filter && origin + dilation * k < 0) k++;
  return k;
}

// @ts-ignore: decorator
@inline function endTap(origin: i32, filter: i32, dilation: i32, size: i32): i32 {
  let k = filter;
  while (k > 0 && origin + dilation * (k - 1) >= size) k--;
  return k;
}

export function depthwise_conv2d_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const outC = inC * depthMultiplier;
  const gather = depthMultiplier != 1;
  let oc = 0;
  for (; oc + 16 <= outC && (!gather || inC >= 16); oc += 16) {
    depthwiseBlock(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax, oc, true,
    );
  }
  if (oc + 8 <= outC && (!gather || inC >= 8)) {
    depthwiseBlock(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax, oc, false,
    );
    oc += 8;
  }
  for (; oc < outC; oc++) {
    depthwiseChannel(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax, oc,
    );
  }
}

// Output channels [oc0, oc0 + 16) (wide) or [oc0, oc0 + 8) at every pixel. Inlined at both call
// sites, so `wide` is a constant and each copy keeps only its own loads and accumulators.
// @ts-ignore: decorator
@inline function depthwiseBlock(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, oc0: i32, wide: bool,
): void {
  const lanes = wide ? 16 : 8;
  const outC = inC * depthMultiplier;
  const gather = depthMultiplier != 1;
  // Input bytes [base, base + lanes) of a pixel hold the block's input channels; lane j takes byte
  // idx[j].
  const ic0 = oc0 / depthMultiplier;
  const base = gather && ic0 > inC - lanes ? inC - lanes : ic0;
  let idxLo: i64 = 0;
  let idxHi: i64 = 0;
  for (let j = 0; j < 8; j++) {
    idxLo |= <i64>((oc0 + j) / depthMultiplier - base) << <i64>(j * 8);
    if (wide) idxHi |= <i64>((oc0 + 8 + j) / depthMultiplier - base) << <i64>(j * 8);
  }
  const idx = i64x2(idxLo, idxHi);
  const off = i16x8.splat(<i16>inputOffset);
  const zp = i32x4.splat(outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const zero = i32x4.splat(0);
  // Per group of four channels g: bias, multipliers, 2^left, 2^-right (two f64x2 halves).
  const q = <usize>oc0 << 2;
  const bias0 = bias != 0 ? v128.load(bias + q) : zero;
  const bias1 = bias != 0 ? v128.load(bias + q, 16) : zero;
  const bias2 = wide && bias != 0 ? v128.load(bias + q, 32) : zero;
  const bias3 = wide && bias != 0 ? v128.load(bias + q, 48) : zero;
  const mult0 = v128.load(mults + q);
  const mult1 = v128.load(mults + q, 16);
  const mult2 = wide ? v128.load(mults + q, 32) : zero;
  const mult3 = wide ? v128.load(mults + q, 48) : zero;
  let maybeMin = anyMinMultiplier(mults + q) || anyMinMultiplier(mults + q + 16);
  if (wide) maybeMin = maybeMin || anyMinMultiplier(mults + q + 32) || anyMinMultiplier(mults + q + 48);
  const left0 = laneLeftFactor(shifts + q);
  const left1 = laneLeftFactor(shifts + q + 16);
  const left2 = wide ? laneLeftFactor(shifts + q + 32) : zero;
  const left3 = wide ? laneLeftFactor(shifts + q + 48) : zero;
  const scale0 = laneRightScale(shifts + q);
  const scale0h = laneRightScale(shifts + q + 8);
  const scale1 = laneRightScale(shifts + q + 16);
  const scale1h = laneRightScale(shifts + q + 24);
  const scale2 = wide ? laneRightScale(shifts + q + 32) : zero;
  const scale2h = wide ? laneRightScale(shifts + q + 40) : zero;
  const scale3 = wide ? laneRightScale(shifts + q + 48) : zero;
  const scale3h = wide ? laneRightScale(shifts + q + 56) : zero;
  const wBlock = weights + <usize>oc0;
  const xStep = <usize>dilationW * inC;
  let o = out + <usize>oc0;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC + <usize>base;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const ky0 = firstTap(y0, fH, dilationH);
      const ky1 = endTap(y0, fH, dilationH, inH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        const kx0 = firstTap(x0, fW, dilationW);
        const kx1 = endTap(x0, fW, dilationW, inW);
        let acc0 = bias0;
        let acc1 = bias1;
        let acc2 = bias2;
        let acc3 = bias3;
        for (let ky = ky0; ky < ky1; ky++) {
          let px = image + <usize>((y0 + dilationH * ky) * inW + x0 + dilationW * kx0) * inC;
          let wp = wBlock + <usize>(ky * fW + kx0) * outC;
          for (let kx = kx0; kx < kx1; kx++) {
            if (wide) {
              let xb = v128.load(px);
              if (gather) xb = i8x16.swizzle(xb, idx);
              const wb = v128.load(wp);
              const xl = i16x8.add(i16x8.extend_low_i8x16_s(xb), off);
              const xh = i16x8.add(i16x8.extend_high_i8x16_s(xb), off);
              const wl = i16x8.extend_low_i8x16_s(wb);
              const wh = i16x8.extend_high_i8x16_s(wb);
              acc0 = i32x4.add(acc0, i32x4.extmul_low_i16x8_s(xl, wl));
              acc1 = i32x4.add(acc1, i32x4.extmul_high_i16x8_s(xl, wl));
              acc2 = i32x4.add(acc2, i32x4.extmul_low_i16x8_s(xh, wh));
              acc3 = i32x4.add(acc3, i32x4.extmul_high_i16x8_s(xh, wh));
            } else {
              const xs = gather
                ? i16x8.extend_low_i8x16_s(i8x16.swizzle(v128.load64_zero(px), idx))
                : v128.load8x8_s(px);
              const xv = i16x8.add(xs, off);
              const wv = v128.load8x8_s(wp);
              acc0 = i32x4.add(acc0, i32x4.extmul_low_i16x8_s(xv, wv));
              acc1 = i32x4.add(acc1, i32x4.extmul_high_i16x8_s(xv, wv));
            }
            px += xStep;
            wp += <usize>outC;
          }
        }
        const r0 = requantizeLanes(acc0, left0, mult0, maybeMin, scale0, scale0h, zp, lo, hi);
        const r1 = requantizeLanes(acc1, left1, mult1, maybeMin, scale1, scale1h, zp, lo, hi);
        const r01 = i16x8.narrow_i32x4_s(r0, r1);
        if (wide) {
          const r2 = requantizeLanes(acc2, left2, mult2, maybeMin, scale2, scale2h, zp, lo, hi);
          const r3 = requantizeLanes(acc3, left3, mult3, maybeMin, scale3, scale3h, zp, lo, hi);
          v128.store(o, i8x16.narrow_i16x8_s(r01, i16x8.narrow_i32x4_s(r2, r3)));
        } else {
          v128.store64_lane(o, i8x16.narrow_i16x8_s(r01, r01), 0);
        }
        o += <usize>outC;
      }
    }
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
