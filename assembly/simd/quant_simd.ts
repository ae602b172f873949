// assembly/quant.ts's requantization, four i32 lanes at a time, equal to it lane for lane on every
// input (gemmlowp double rounding). wasm SIMD has no per-lane shift, so two forms exist:
//   - one multiplier and one shift for all lanes (ADD/SUB's per-tensor parameters);
//   - per-lane multipliers and shifts (per-channel conv), the shifts baked once per channel group
//     into a LaneQuant-like set of vectors by laneLeftFactor / laneRightScale.
// Preconditions as in quant.ts: shift in [-31, 30].

// saturatingRoundingDoublingHighMul lane-wise. gemmlowp's nudge-then-truncate equals
// floor((a * b + 2^30) / 2^31) in both signs, so one i64 add and one shift do it (a logical shift:
// only the low 32 bits are kept, where it equals the arithmetic one, and wasm engines without a
// 64-bit arithmetic vector shift emulate i64x2.shr_s with several instructions). The
// only overflow, MIN * MIN, gives 2^31, whose low word is MIN; xor with the all-ones lane mask turns
// it into MAX, the saturated value. `maybeMin` false skips that fix when no b lane can be MIN.
// @ts-ignore: decorator
@inline export function srdhmLanes(a: v128, b: v128, maybeMin: bool): v128 {
  const nudge = i64x2.splat(1 << 30);
  const lo = i64x2.shr_u(i64x2.add(i64x2.extmul_low_i32x4_s(a, b), nudge), 31);
  const hi = i64x2.shr_u(i64x2.add(i64x2.extmul_high_i32x4_s(a, b), nudge), 31);
  const r = i32x4.shuffle(lo, hi, 0, 2, 4, 6);
  if (!maybeMin) return r;
  const min = i32x4.splat(i32.MIN_VALUE);
  return v128.xor(r, v128.and(i32x4.eq(a, min), i32x4.eq(b, min)));
}

// roundingDivideByPOT lane-wise with one exponent in [0, 31] for all lanes: the same mask,
// remainder and threshold as quant.ts (x >> 31 is -1 for negative x, and a true compare is -1).
// @ts-ignore: decorator
@inline export function rdbpotLanes(x: v128, exponent: i32): v128 {
  const mask = (1 << exponent) - 1; // exponent 31: MIN - 1 wraps to MAX, as quant.ts's i64 form
  const remainder = v128.and(x, i32x4.splat(mask));
  const threshold = i32x4.sub(i32x4.splat(mask >> 1), i32x4.shr_s(x, 31));
  return i32x4.sub(i32x4.shr_s(x, exponent), i32x4.gt_s(remainder, threshold));
}

// multiplyByQuantizedMultiplier lane-wise, one multiplier and shift for all lanes.
// @ts-ignore: decorator
@inline export function mbqmLanes(x: v128, multiplier: i32, shift: i32): v128 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const high = srdhmLanes(i32x4.shl(x, left), i32x4.splat(multiplier), multiplier == i32.MIN_VALUE);
  return rdbpotLanes(high, right);
}

// The per-lane factor 2^left (quant.ts multiplies by 1 << left) for the shift at p[0..3].
// @ts-ignore: decorator
@inline export function leftFactor(shift: i32): i32 {
  return 1 << (shift > 0 ? shift : 0);
}

export function laneLeftFactor(shifts: usize): v128 {
  return i32x4(
    leftFactor(load<i32>(shifts)), leftFactor(load<i32>(shifts, 4)),
    leftFactor(load<i32>(shifts, 8)), leftFactor(load<i32>(shifts, 12)),
  );
}

// 2^-right as f64 for the two shifts at p[0..1]: scaling by it is exact.
// @ts-ignore: decorator
@inline export function rightScale(shift: i32): f64 {
  return shift > 0 ? 1.0 : reinterpret<f64>(<i64>(1023 + shift) << 52);
}

export function laneRightScale(shifts: usize): v128 {
  return f64x2(rightScale(load<i32>(shifts)), rightScale(load<i32>(shifts, 4)));
}

// roundingDivideByPOT with a per-lane exponent e, given 2^-e as f64 for lanes 0,1 (scaleLo) and
// 2,3 (scaleHi). Exact: t = x * 2^-e is exact, and t + copysign(0.5, t) spans at most 33
// significant bits, so it is exact too; truncating it rounds half away from zero, which is what
// quant.ts's mask-and-threshold form computes. The result r is in [MIN, MAX] (x = MIN, e = 0 gives
// MIN); adding 1.5 * 2^52 puts it in the low 32 bits of the f64 exactly (the sum lies in
// [2^52, 2^53), where the unit is 1), cheaper than i32x4.trunc_sat_f64x2_s_zero, which engines
// emulate with several instructions.
// @ts-ignore: decorator
@inline function rdbpotScaled(x: v128, scaleLo: v128, scaleHi: v128): v128 {
  const sign = f64x2.splat(-0.0);
  const half = f64x2.splat(0.5);
  const magic = f64x2.splat(6755399441055744.0); // 1.5 * 2^52
  const tLo = f64x2.mul(f64x2.convert_low_i32x4_s(x), scaleLo);
  const tHi = f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(x, x, 2, 3, 2, 3)), scaleHi);
  const rLo = f64x2.add(f64x2.trunc(f64x2.add(tLo, v128.or(v128.and(tLo, sign), half))), magic);
  const rHi = f64x2.add(f64x2.trunc(f64x2.add(tHi, v128.or(v128.and(tHi, sign), half))), magic);
  return i32x4.shuffle(rLo, rHi, 0, 2, 4, 6);
}

// requantize lane-wise with per-lane multiplier (mult), 2^left (leftMul, laneLeftFactor) and
// 2^-right (scaleLo/scaleHi, laneRightScale); zp, actMin, actMax splatted.
// @ts-ignore: decorator
@inline export function requantizeLanes(
  acc: v128, leftMul: v128, mult: v128, maybeMin: bool, scaleLo: v128, scaleHi: v128,
  zp: v128, actMin: v128, actMax: v128,
): v128 {
  const high = srdhmLanes(i32x4.mul(acc, leftMul), mult, maybeMin);
  const v = i32x4.add(rdbpotScaled(high, scaleLo, scaleHi), zp);
  return i32x4.min_s(i32x4.max_s(v, actMin), actMax);
}

// Whether any of the four multipliers at p is i32.MIN_VALUE (then srdhmLanes must saturate).
export function anyMinMultiplier(mults: usize): bool {
  return load<i32>(mults) == i32.MIN_VALUE || load<i32>(mults, 4) == i32.MIN_VALUE
    || load<i32>(mults, 8) == i32.MIN_VALUE || load<i32>(mults, 12) == i32.MIN_VALUE;
}

// requantize in f64, for accumulators the caller has bounded: |acc * 2^left| < 2^22 - 1 (from the
// weights, the input range and the bias), and multipliers M with fewer than 9 trailing zero bits, or
// 0 (requantF64Single; real scales give such M but for one channel in hundreds, whose layer - in
// depthwise, whose block of eight channels - then takes the integer form). Per lane the caller bakes (requantF64Constants) S = M * 2^(left - 31 -
// right) and e = 2^(-right - 1), or 0 when right = 0. Y = acc * S is exact (Y * 2^(31 + right -
// left) = acc * M, an integer below 2^53), and the result is round-to-nearest(Y + copysign(e, Y)),
// made by adding magicZp = 1.5 * 2^52 + zero point, which leaves it plus the zero point in the low
// word. Why this is quant.ts's double rounding: with y = Y * 2^right and h = floor(y + 1/2),
// roundingDivideByPOT(h, right) is floor((h + 2^(right-1)) / 2^right) for h >= 0 and floor((h +
// 2^(right-1) - 1) / 2^right) for h < 0; the added terms are integers when right >= 1, so these
// equal floor(Y + 1/2 + e) and floor(Y + 1/2 - e); Y's sign gives h's (h = 0 may take either); and
// right = 0 leaves h = floor(Y + 1/2). Round-to-nearest equals floor(v + 1/2) unless v = Y +- e is
// exactly half an odd integer, which needs acc * M * 2^left = 0 mod 2^30: impossible for such M
// under the bound. Y +- e is exact (an integer multiple of 2^(left - 31 - right) below 2^53).
// @ts-ignore: decorator
@inline function requantizeHalfF64(x: v128, s: v128, e: v128, magicZp: v128): v128 {
  const y = f64x2.mul(x, s);
  return f64x2.add(f64x2.add(y, v128.or(v128.and(y, f64x2.splat(-0.0)), e)), magicZp);
}

/**
 * requantize(acc) + zero point for four lanes, unclamped, from per-lane f64 constants: the four
 * lanes' S at p, their e at p + step. Valid only under requantizeHalfF64's conditions.
 */
// @ts-ignore: decorator
@inline export function requantizeLanesF64(acc: v128, p: usize, step: usize, magicZp: v128): v128 {
  const q = p + step;
  const lo = requantizeHalfF64(f64x2.convert_low_i32x4_s(acc), v128.load(p), v128.load(q), magicZp);
  const hi = requantizeHalfF64(f64x2.convert_low_i32x4_s(i32x4.shuffle(acc, acc, 2, 3, 2, 3)), v128.load(p, 16), v128.load(q, 16), magicZp);
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

/** Whether requantizeLanesF64 is exact for this multiplier: fewer than 9 trailing zero bits, or 0. */
function requantF64Single(multiplier: i32): bool {
  return (multiplier & 511) != 0 || multiplier == 0;
}

/** Stores requantizeLanesF64's S and e for one lane at p and p + step. */
export function requantF64Constants(multiplier: i32, shift: i32, p: usize, step: usize): void {
  const left = shift > 0 ? shift : 0;
  const scale = reinterpret<f64>(<i64>(1023 + shift - left) << 52); // 2^-right
  store<f64>(p, <f64>multiplier * reinterpret<f64>(<i64>(1023 - 31 + left) << 52) * scale);
  store<f64>(p + step, shift < 0 ? scale * 0.5 : 0.0);
}

/** The requantizeLanesF64 conditions: |acc| <= accBound with this multiplier and shift keeps it exact. */
export function requantF64Exact(accBound: f64, multiplier: i32, shift: i32): bool {
  return requantF64Single(multiplier) && accBound * <f64>(1 << (shift > 0 ? shift : 0)) < 4194303.0;
}
