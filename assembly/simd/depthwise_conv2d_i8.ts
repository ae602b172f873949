// DEPTHWISE_CONV_2D int8 -> int8 with wasm SIMD: depthwise_conv2d_i8_ref's output byte for byte.
// Vectorized over channels, eight per block, with two filter taps per multiply: the inputs of taps
// t and t + 1 are interleaved lane by lane, so one i32x4.dot_i16x8_s adds both products of four
// channels. Per call (per chunk of channels that fits the scratch), the weights are packed as i16
// tap pairs [pair][channel][2] (an odd last tap pairs with a zero weight) and each channel's bias,
// multiplier, 2^left and 2^-right are laid out for lane loads, so the pixel loop does only math.
// The input offset is folded into the bias: sum_t w_t (x_t + off) = (bias + off sum_t w_t) +
// sum_t w_t x_t, so the taps multiply raw inputs. Taps in the padding read a row of bytes equal to
// -inputOffset: their w (x + off) is exactly 0, as the reference, which skips them, adds nothing —
// so border pixels take the same loop as interior ones; only their tap addresses differ. A pixel's tap addresses are computed once and serve every channel block; a
// last block short of eight channels is shifted back to overlap the one before it (identical
// outputs rewritten). Depth multipliers other than 1, fewer than 8 channels, and filters too large
// for the scratch take the reference kernel.
// Exact: |x| <= 128 and |w| <= 128, so a lane's two products fit i32, and i32 addition (the folded
// bias included) wraps modulo 2^32 in any order, as the reference's accumulator does.
// Layout: as assembly/ref/depthwise_conv2d_i8.ts. Preconditions (the load check): inputOffset in
// [-127, 128] (so -inputOffset is an int8), shifts in [-31, 30], actMin/actMax in [-128, 127].

import { depthwise_conv2d_i8_ref } from '../ref/depthwise_conv2d_i8';
import { PATCH, PATCH_LANES } from './scratch';
import { leftFactor, rightScale, requantizeLanes, requantizeLanesF64, requantF64Constants, requantF64Exact } from './quant_simd';

const SCRATCH_BYTES: i32 = PATCH_LANES << 1;

export function depthwise_conv2d_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const pairs = (fH * fW + 1) >> 1;
  // Per channel: 4 bytes per tap pair, 5 i32 and 3 f64 (depthwiseChunk's layout), a pad byte, and
  // an i32 per 8 channels. Per tap: an address and its offset from the pixel's first tap (8).
  const maxChunk = (SCRATCH_BYTES - 16 * pairs - 64) / (4 * pairs + 46) & ~7;
  if (depthMultiplier != 1 || inC < 8 || maxChunk < 8) {
    depthwise_conv2d_i8_ref(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax,
    );
    return;
  }
  for (let c0 = 0; c0 < inC; c0 += maxChunk) {
    // A last chunk under 8 channels starts earlier and overlaps the previous one.
    const chunk = min(maxChunk, inC - c0);
    const start = chunk < 8 ? inC - 8 : c0;
    depthwiseChunk(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax,
      start, max(chunk, 8), pairs,
    );
  }
}

// Channels [c0, c0 + n), n >= 8, at every output pixel. Scratch (PATCH) layout, n channels:
//   packed weights: pairs * n * 2 i16 | bias, accumulators, mult, 2^left, sum |w|: n i32 each |
//   2^-right, and requantizeLanesF64's S and e: n f64 each |
//   pad row: n bytes of -inputOffset | tap addresses, tap offsets: 2 * pairs i32 each |
//   per block of 8 channels: whether requantizeLanesF64 serves it, i32.
// The weights are packed eight channels at a time (a last block overlapping the one before), their
// per-channel sums and sums of |w| along; the per-channel constants follow, one channel at a time.
// A pixel inside the image reads its taps at its first tap's address plus the tap offsets; a pixel
// whose taps reach into the padding gets its tap addresses written out, the pad row's for those.
// A pixel's channel blocks leave their sums in the accumulator row; one pass then requantizes it,
// eight channels at a time: in f64 when the block's multipliers and accumulator bounds (the folded
// bias plus 128 sum |w|, as |x| <= 128) meet requantizeLanesF64's conditions, as in real models
// but for a channel in hundreds; else lane-wise in integers.
function depthwiseChunk(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, fH: i32, fW: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, c0: i32, n: i32, pairs: i32,
): void {
  const taps = fH * fW;
  const packed = PATCH;
  const n4 = <usize>n << 2;
  const n8 = <usize>n << 3;
  const biasV = packed + <usize>pairs * n4;
  const accV = biasV + n4;
  const multV = accV + n4;
  const leftV = multV + n4;
  const absV = leftV + n4;
  const scaleV = absV + n4;
  const rqF = scaleV + n8;
  const pad = rqF + n8 * 2;
  const tapAt = (pad + <usize>n + 3) & ~3;
  const tapOff = tapAt + (<usize>pairs << 3);
  const blockF64 = tapOff + (<usize>pairs << 3);
  for (let j = 0; j < n; j += 8) {
    const c = <usize>min(j, n - 8);
    const src = weights + <usize>c0 + c;
    let sumLo = i32x4.splat(0), sumHi = sumLo, absLo = sumLo, absHi = sumLo;
    for (let p = 0; p < pairs; p++) {
      const t = p << 1;
      const w0 = v128.load8x8_s(src + <usize>t * inC);
      const w1 = t + 1 < taps ? v128.load8x8_s(src + <usize>(t + 1) * inC) : i16x8.splat(0);
      const at = packed + ((<usize>p * n + c) << 2);
      v128.store(at, i16x8.shuffle(w0, w1, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(at, i16x8.shuffle(w0, w1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      const sum = i16x8.add(w0, w1); // |w0 + w1| <= 256
      const abs = i16x8.add(i16x8.abs(w0), i16x8.abs(w1));
      sumLo = i32x4.add(sumLo, i32x4.extend_low_i16x8_s(sum));
      sumHi = i32x4.add(sumHi, i32x4.extend_high_i16x8_s(sum));
      absLo = i32x4.add(absLo, i32x4.extend_low_i16x8_s(abs));
      absHi = i32x4.add(absHi, i32x4.extend_high_i16x8_s(abs));
    }
    // The folded bias: bias + inputOffset * sum_t w_t.
    const off = i32x4.splat(inputOffset);
    const b0 = bias != 0 ? v128.load(bias + ((<usize>c0 + c) << 2)) : i32x4.splat(0);
    const b1 = bias != 0 ? v128.load(bias + ((<usize>c0 + c) << 2), 16) : i32x4.splat(0);
    v128.store(biasV + (c << 2), i32x4.add(b0, i32x4.mul(off, sumLo)));
    v128.store(biasV + (c << 2), i32x4.add(b1, i32x4.mul(off, sumHi)), 16);
    v128.store(absV + (c << 2), absLo);
    v128.store(absV + (c << 2), absHi, 16);
  }
  let maybeMin = false;
  for (let c = 0; c < n; c++) {
    const q = <usize>(c0 + c) << 2;
    const m = load<i32>(mults + q);
    const s = load<i32>(shifts + q);
    maybeMin = maybeMin || m == i32.MIN_VALUE;
    const cq = <usize>c << 2;
    const cd = <usize>c << 3;
    store<i32>(multV + cq, m);
    store<i32>(leftV + cq, leftFactor(s));
    store<f64>(scaleV + cd, rightScale(s));
    // |acc| <= |folded bias| + 128 sum |w| (|x| <= 128): a bound on the reference's accumulator too.
    // absV's entry becomes whether this channel can take requantizeLanesF64.
    store<i32>(absV + cq, <i32>requantF64Exact(abs(<f64>load<i32>(biasV + cq)) + 128.0 * <f64>load<i32>(absV + cq), m, s));
    requantF64Constants(m, s, rqF + cd, n8);
    store<i8>(pad + <usize>c, <i8>-inputOffset);
  }
  // Per requantization block (channels min(j, n - 8) + 0..7): whether all eight take f64.
  for (let j = 0; j < n; j += 8) {
    const c = <usize>min(j, n - 8);
    const ok = i32x4.all_true(v128.load(absV + (c << 2))) && i32x4.all_true(v128.load(absV + (c << 2), 16));
    store<i32>(blockF64 + (<usize>j >> 1), <i32>ok);
  }
  for (let t = 0; t < pairs << 1; t++) {
    const ky = t / fW;
    // The odd last tap's partner (weight 0) reads the first tap's bytes, or the pad row.
    store<i32>(tapOff + (<usize>t << 2), t < taps ? (dilationH * ky * inW + dilationW * (t - ky * fW)) * inC : 0);
    store<usize>(tapAt + (<usize>t << 2), pad);
  }
  const zp = i32x4.splat(outputZeroPoint);
  const magicZp = f64x2.splat(6755399441055744.0 + <f64>outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  const yLast = dilationH * (fH - 1);
  const xLast = dilationW * (fW - 1);
  let o = out + <usize>c0;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC + <usize>c0;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const rowInside = y0 >= 0 && y0 + yLast < inH;
      for (let ox = 0; ox < outW; ox++, o += <usize>inC) {
        const x0 = ox * strideW - padLeft;
        // Interior: tap t at first + tapOff[t]; else absolute addresses in tapAt (base 0).
        let taps0 = tapOff;
        let base = image + <usize>(y0 * inW + x0) * inC;
        if (!(rowInside && x0 >= 0 && x0 + xLast < inW)) {
          taps0 = tapAt;
          base = 0;
          let at = tapAt;
          for (let ky = 0, y = y0; ky < fH; ky++, y += dilationH) {
            for (let kx = 0, x = x0; kx < fW; kx++, x += dilationW, at += 4) {
              const inside = <u32>y < <u32>inH && <u32>x < <u32>inW;
              store<usize>(at, inside ? image + <usize>(y * inW + x) * inC : pad);
            }
          }
        }
        if (n >= 16) {
          for (let j = 0; j < n; j += 16) {
            const c = <usize>min(j, n - 16);
            channelSums(accV + (c << 2), biasV + (c << 2), taps0, base + c, packed + (c << 2), n4, pairs, true);
          }
        } else {
          for (let j = 0; j < n; j += 8) {
            const c = <usize>min(j, n - 8);
            channelSums(accV + (c << 2), biasV + (c << 2), taps0, base + c, packed + (c << 2), n4, pairs, false);
          }
        }
        for (let j = 0; j < n; j += 8) {
          const c = <usize>min(j, n - 8);
          const a = accV + (c << 2);
          let r: v128;
          if (load<i32>(blockF64 + (<usize>j >> 1))) {
            // Unclamped y + zp, narrowed with saturation, then clamped as i8 (actMin/actMax are i8).
            const f = rqF + (c << 3);
            const y = i16x8.narrow_i32x4_s(
              requantizeLanesF64(v128.load(a), f, n8, magicZp),
              requantizeLanesF64(v128.load(a, 16), f + 32, n8, magicZp),
            );
            r = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(y, y), lo8), hi8);
          } else {
            const y = i16x8.narrow_i32x4_s(
              requantizeLanes(
                v128.load(a), v128.load(leftV + (c << 2)), v128.load(multV + (c << 2)), maybeMin,
                v128.load(scaleV + (c << 3)), v128.load(scaleV + (c << 3), 16), zp, lo, hi,
              ),
              requantizeLanes(
                v128.load(a, 16), v128.load(leftV + (c << 2), 16), v128.load(multV + (c << 2), 16), maybeMin,
                v128.load(scaleV + (c << 3), 32), v128.load(scaleV + (c << 3), 48), zp, lo, hi,
              ),
            );
            r = i8x16.narrow_i16x8_s(y, y);
          }
          v128.store64_lane(o + c, r, 0);
        }
      }
    }
  }
}

// The sums of channels [c, c + 16) (wide) or [c, c + 8) of one pixel into acc, from the bias at
// bias, the taps at base + taps[t] (base: the pixel's first tap or 0, plus c) and the packed
// weights at w (a tap pair's channels are wStep bytes apart). Inlined at both call sites, so `wide`
// is a constant and each copy keeps only its own loads and accumulators.
// @ts-ignore: decorator
@inline function channelSums(acc: usize, bias: usize, taps: usize, base: usize, w: usize, wStep: usize, pairs: i32, wide: bool): void {
  const zero = i32x4.splat(0);
  let acc0 = v128.load(bias);
  let acc1 = v128.load(bias, 16);
  let acc2 = wide ? v128.load(bias, 32) : zero;
  let acc3 = wide ? v128.load(bias, 48) : zero;
  let at = taps;
  for (let p = 0; p < pairs; p++, at += 8, w += wStep) {
    const ta = base + load<usize>(at);
    const tb = base + load<usize>(at, 4);
    let xa = v128.load8x8_s(ta);
    let xb = v128.load8x8_s(tb);
    acc0 = i32x4.add(acc0, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(w)));
    acc1 = i32x4.add(acc1, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(w, 16)));
    if (wide) {
      xa = v128.load8x8_s(ta + 8);
      xb = v128.load8x8_s(tb + 8);
      acc2 = i32x4.add(acc2, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(w, 32)));
      acc3 = i32x4.add(acc3, i32x4.dot_i16x8_s(i16x8.shuffle(xa, xb, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(w, 48)));
    }
  }
  v128.store(acc, acc0);
  v128.store(acc, acc1, 16);
  if (wide) {
    v128.store(acc, acc2, 32);
    v128.store(acc, acc3, 48);
  }
}
