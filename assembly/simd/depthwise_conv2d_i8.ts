// DEPTHWISE_CONV_2D int8 -> int8 with wasm SIMD: depthwise_conv2d_i8_ref's output byte for byte.
// Vectorized over channels, eight per block, with two filter taps per multiply: the inputs of taps
// t and t + 1 are interleaved lane by lane, so one i32x4.dot_i16x8_s adds both products of four
// channels. At load time (depthwisePack) the weights are packed as i16 tap pairs and each
// channel's bias, multiplier, 2^left and 2^-right are laid out for lane loads, so a run does only
// math. The input offset is folded into the bias: sum_t w_t (x_t + off) = (bias + off sum_t w_t) +
// sum_t w_t x_t, so the taps multiply raw inputs. Taps in the padding read a row of bytes equal to
// -inputOffset: their w (x + off) is exactly 0, as the reference, which skips them, adds nothing —
// so border pixels take the same loop as interior ones; only their tap addresses differ. A pixel's
// tap addresses are computed once and serve every channel block; a last block short of eight
// channels is shifted back to overlap the one before it (identical outputs rewritten). Depth
// multipliers other than 1, fewer than 8 channels, and channel rows too long for the scratch take
// the reference kernel.
// Exact: |x| <= 128 and |w| <= 128, so a lane's two products fit i32, and i32 addition (the folded
// bias included) wraps modulo 2^32 in any order, as the reference's accumulator does.
// Layout: as assembly/ref/depthwise_conv2d_i8.ts. Preconditions (the load check): inputOffset in
// [-127, 128] (so -inputOffset is an int8), shifts in [-31, 30], actMin/actMax in [-128, 127].

import { depthwise_conv2d_i8_ref } from '../ref/depthwise_conv2d_i8';
import { PATCH, PATCH_LANES } from './scratch';
import { leftFactor, rightScale, requantizeLanes, requantizeLanesF64, requantF64Constants, requantF64Exact } from './quant_simd';

const SCRATCH_BYTES: i32 = PATCH_LANES << 1;

// Packed layout (depthwisePack), n channels, P tap pairs, B = ceil(n / 8) requantization blocks:
//   whether any multiplier is i32.MIN_VALUE, i32, and 12 bytes of padding |
//   weights: P * n * 2 i16 | folded bias, multiplier, 2^left: n i32 each |
//   2^-right, and requantizeLanesF64's S and e: n f64 each | per block of 8 channels (channels
//   min(8 j, n - 8) + 0..7): whether requantizeLanesF64 serves it, i32 | tap offsets from a pixel's
//   first tap: 2 * P i32 | the pad row: n bytes of -inputOffset.
// Per pixel, in PATCH: the accumulator row, n i32, and the tap addresses, 2 * P i32.

const BIAS = 0, MULT = 1, LEFT = 2, SCALE = 3, RQF = 4, BLOCK_F64 = 5, TAP_OFF = 6, PAD = 7, END = 8;

// Where a part of the packed layout starts, for n channels and `pairs` tap pairs.
function partAt(part: i32, n: i32, pairs: i32): usize {
  const n4 = <usize>n << 2;
  let at = 16 + <usize>pairs * n4; // the bias follows the header and the weights
  if (part > BIAS) at += n4;
  if (part > MULT) at += n4;
  if (part > LEFT) at += n4;
  if (part > SCALE) at += n4 << 1;
  if (part > RQF) at += n4 << 2;
  if (part > BLOCK_F64) at += <usize>((n + 7) >> 3) << 2;
  if (part > TAP_OFF) at += <usize>pairs << 3;
  if (part > PAD) at += <usize>n;
  return at;
}

/** Bytes depthwisePack writes, or 0 when the kernel leaves the layer to the reference kernel. */
export function depthwisePackedBytes(inC: i32, fH: i32, fW: i32, depthMultiplier: i32): u64 {
  const pairs = (<i64>fH * fW + 1) >> 1;
  if (depthMultiplier != 1 || inC < 8 || <i64>inC * 4 + pairs * 8 > SCRATCH_BYTES) return 0;
  return <u64>partAt(END, inC, <i32>pairs); // below 2^27: the check bounds inC and pairs
}

/**
 * Packs a layer for depthwise_conv2d_i8_simd at dst (depthwisePackedBytes): weights as i16 tap
 * pairs [pair][channel][2] (an odd last tap pairs with a zero weight), the bias folded with the
 * input offset, the requantization constants laid out for lane loads, the tap offsets, the pad row.
 */
export function depthwisePack(
  dst: usize, weights: usize, bias: usize, mults: usize, shifts: usize, inC: i32, inW: i32,
  fH: i32, fW: i32, dilationH: i32, dilationW: i32, inputOffset: i32,
): void {
  const n = inC;
  const taps = fH * fW;
  const pairs = (taps + 1) >> 1;
  let maybeMin = false;
  for (let j = 0; j < n; j += 8) {
    const c = <usize>min(j, n - 8);
    const src = weights + c;
    let sumLo = i32x4.splat(0), sumHi = sumLo, absLo = sumLo, absHi = sumLo;
    for (let p = 0; p < pairs; p++) {
      const t = p << 1;
      const w0 = v128.load8x8_s(src + <usize>t * inC);
      const w1 = t + 1 < taps ? v128.load8x8_s(src + <usize>(t + 1) * inC) : i16x8.splat(0);
      const at = dst + 16 + ((<usize>p * n + c) << 2);
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
    const b0 = bias != 0 ? v128.load(bias + (c << 2)) : i32x4.splat(0);
    const b1 = bias != 0 ? v128.load(bias + (c << 2), 16) : i32x4.splat(0);
    const folded = dst + partAt(BIAS, n, pairs) + (c << 2);
    v128.store(folded, i32x4.add(b0, i32x4.mul(off, sumLo)));
    v128.store(folded, i32x4.add(b1, i32x4.mul(off, sumHi)), 16);
    // sum |w| per channel, read back below before 2^left replaces it.
    const left = dst + partAt(LEFT, n, pairs);
    v128.store(left + (c << 2), absLo);
    v128.store(left + (c << 2), absHi, 16);
    // |acc| <= |folded bias| + 128 sum |w| (|x| <= 128): a bound on the reference's accumulator too.
    let f64ok = true;
    for (let k = 0; k < 8; k++) {
      const q = (c + <usize>k) << 2;
      const d = (c + <usize>k) << 3;
      const m = load<i32>(mults + q);
      const s = load<i32>(shifts + q);
      const absW = load<i32>(left + q);
      maybeMin = maybeMin || m == i32.MIN_VALUE;
      store<i32>(dst + partAt(MULT, n, pairs) + q, m);
      store<i32>(left + q, leftFactor(s));
      store<f64>(dst + partAt(SCALE, n, pairs) + d, rightScale(s));
      requantF64Constants(m, s, dst + partAt(RQF, n, pairs) + d, <usize>n << 3);
      f64ok = f64ok && requantF64Exact(abs(<f64>load<i32>(folded + (<usize>k << 2))) + 128.0 * <f64>absW, m, s);
    }
    store<i32>(dst + partAt(BLOCK_F64, n, pairs) + (<usize>j >> 1), <i32>f64ok);
  }
  store<i32>(dst, <i32>maybeMin);
  for (let t = 0; t < pairs << 1; t++) {
    const ky = t / fW;
    // The odd last tap's partner (weight 0) reads the first tap's bytes.
    store<i32>(dst + partAt(TAP_OFF, n, pairs) + (<usize>t << 2), t < taps ? (dilationH * ky * inW + dilationW * (t - ky * fW)) * inC : 0);
  }
  memory.fill(dst + partAt(PAD, n, pairs), <u8>-inputOffset, <usize>n);
}

/** depthwise_conv2d_i8_ref's result; `packed` from depthwisePack, or 0 to run the reference kernel. */
export function depthwise_conv2d_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32,
  fH: i32, fW: i32, depthMultiplier: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, packed: usize,
): void {
  if (packed == 0) {
    depthwise_conv2d_i8_ref(
      out, inp, weights, bias, mults, shifts, batches, inH, inW, inC, outH, outW, fH, fW, depthMultiplier,
      strideH, strideW, dilationH, dilationW, padTop, padLeft, inputOffset, outputZeroPoint, actMin, actMax,
    );
    return;
  }
  const n = inC;
  const pairs = (fH * fW + 1) >> 1;
  const n4 = <usize>n << 2;
  const n8 = <usize>n << 3;
  const maybeMin = load<i32>(packed) != 0;
  const wV = packed + 16;
  const biasV = packed + partAt(BIAS, n, pairs);
  const multV = packed + partAt(MULT, n, pairs);
  const leftV = packed + partAt(LEFT, n, pairs);
  const scaleV = packed + partAt(SCALE, n, pairs);
  const rqF = packed + partAt(RQF, n, pairs);
  const blockF64 = packed + partAt(BLOCK_F64, n, pairs);
  const tapOff = packed + partAt(TAP_OFF, n, pairs);
  const pad = packed + partAt(PAD, n, pairs);
  const accV = PATCH;
  const tapAt = PATCH + n4;
  // The odd last tap's partner (weight 0) reads the pad row at border pixels.
  for (let t = 0; t < pairs << 1; t++) store<usize>(tapAt + (<usize>t << 2), pad);
  const zp = i32x4.splat(outputZeroPoint);
  const magicZp = f64x2.splat(6755399441055744.0 + <f64>outputZeroPoint);
  const lo = i32x4.splat(actMin);
  const hi = i32x4.splat(actMax);
  const lo8 = i8x16.splat(<i8>actMin);
  const hi8 = i8x16.splat(<i8>actMax);
  const yLast = dilationH * (fH - 1);
  const xLast = dilationW * (fW - 1);
  let o = out;
  for (let b = 0; b < batches; b++) {
    const image = inp + <usize>b * inH * inW * inC;
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
            channelSums(accV + (c << 2), biasV + (c << 2), taps0, base + c, wV + (c << 2), n4, pairs, true);
          }
        } else {
          for (let j = 0; j < n; j += 8) {
            const c = <usize>min(j, n - 8);
            channelSums(accV + (c << 2), biasV + (c << 2), taps0, base + c, wV + (c << 2), n4, pairs, false);
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
