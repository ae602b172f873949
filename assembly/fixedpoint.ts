// gemmlowp's fixed-point transcendental functions (fixedpoint/fixedpoint.h at the commit TensorFlow
// Lite Micro builds against), on raw integers, for the SOFTMAX, LOGISTIC, TANH and HARD_SWISH kernels.
// Bit-exactness with TFLM depends on reproducing every rounding and saturation step, so each
// function follows gemmlowp's order of operations exactly.
//
// Representation: a Qm value ("m integer bits") is an i32 raw holding value * 2^(31 - m). Q0 covers
// [-1, 1) and gemmlowp's Q0 "one" is i32.MAX_VALUE. The int16 helpers at the end work on i32s that
// hold sign-extended int16 values, rewrapping to 16 bits wherever C++ would convert back to int16_t.
// Plain adds and subtracts wrap as gemmlowp's do (it never saturates int32 Add/Sub).

import { saturatingRoundingDoublingHighMul as mulQ, roundingDivideByPOT } from './quant';

const ONE_Q0: i32 = i32.MAX_VALUE;

/** x * 2^exponent for exponent in [1, 31], saturating to the int32 range (gemmlowp's positive SaturatingRoundingMultiplyByPOT). */
export function saturatingShiftLeft(x: i32, exponent: i32): i32 {
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return i32.MAX_VALUE;
  if (x < -threshold) return i32.MIN_VALUE;
  return x << exponent;
}

/** Change a raw value from Q(srcBits) to Q(dstBits): gemmlowp's Rescale<dst>(FixedPoint<src>). */
export function rescale(x: i32, srcBits: i32, dstBits: i32): i32 {
  const exponent = srcBits - dstBits;
  if (exponent > 0) return saturatingShiftLeft(x, exponent);
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  return x;
}

/** (a + b) / 2 rounded half away from zero, without overflow. */
// @ts-ignore: decorator
@inline function roundingHalfSum(a: i32, b: i32): i32 {
  const sum = <i64>a + <i64>b;
  return <i32>((sum + (sum >= 0 ? 1 : -1)) / 2); // i64 division truncates, as C++'s does
}

/** exp(a) for a in [-1/4, 0), Q0 in and out: a Taylor polynomial around -1/8. */
function expOnQuarterInterval(a: i32): i32 {
  const expMinusOneEighth = 1895147668; // exp(-1/8) in Q0
  const oneThird = 715827883; // 1/3 in Q0
  const x = a + (1 << 28); // a + 1/8
  const x2 = mulQ(x, x);
  const x3 = mulQ(x2, x);
  const x4 = mulQ(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(mulQ(x4Over4 + x3, oneThird) + x2, 1); // x^4/24 + x^3/6 + x^2/2
  return expMinusOneEighth + mulQ(expMinusOneEighth, x + poly);
}

// One stage of the barrel shifter: multiply by exp(-2^k) when bit k of the remainder is set.
// @ts-ignore: decorator
@inline function expStage(result: i32, remainder: i32, bit: i32, multiplier: i32): i32 {
  return (remainder & (1 << bit)) != 0 ? mulQ(result, multiplier) : result;
}

/**
 * exp(a) for a <= 0, a in Q(integerBits), result in Q0. Splits a into a multiple of 1/4 and a rest in
 * [-1/4, 0): the rest goes through the polynomial, each set bit of the multiple multiplies by a
 * constant exp(-2^k).
 */
export function expOnNegativeValues(a: i32, integerBits: i32): i32 {
  const fractionalBits = 31 - integerBits;
  const quarter = 1 << (fractionalBits - 2);
  const restMinusQuarter = (a & (quarter - 1)) - quarter;
  let result = expOnQuarterInterval(rescale(restMinusQuarter, integerBits, 0));
  const remainder = restMinusQuarter - a;
  result = expStage(result, remainder, fractionalBits - 2, 1672461947); // exp(-1/4)
  result = expStage(result, remainder, fractionalBits - 1, 1302514674); // exp(-1/2)
  if (integerBits > 0) result = expStage(result, remainder, fractionalBits, 790015084); // exp(-1)
  if (integerBits > 1) result = expStage(result, remainder, fractionalBits + 1, 290630308); // exp(-2)
  if (integerBits > 2) result = expStage(result, remainder, fractionalBits + 2, 39332535); // exp(-4)
  if (integerBits > 3) result = expStage(result, remainder, fractionalBits + 3, 720401); // exp(-8)
  if (integerBits > 4) result = expStage(result, remainder, fractionalBits + 4, 242); // exp(-16)
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0; // below -32: exp underflows
  return a == 0 ? ONE_Q0 : result;
}

/**
 * Newton-Raphson for 1 / d with d = halfDenominator in [1/2, 1] (Q0); result in Q2. Three
 * iterations from the initial guess 48/17 - 32/17 * d, as gemmlowp does.
 */
function reciprocalOfHalfDenominator(halfDenominator: i32): i32 {
  const oneQ2 = 1 << 29;
  let x = 1515870810 + mulQ(halfDenominator, -1010580540); // 48/17 + d * (-32/17), Q2
  for (let i = 0; i < 3; i++) {
    const oneMinusDx = oneQ2 - mulQ(halfDenominator, x);
    x = x + saturatingShiftLeft(mulQ(x, oneMinusDx), 2); // Q4 product back to Q2
  }
  return x;
}

/** 1 / (1 + a) for a in [0, 1], Q0 in and out. */
export function oneOverOnePlusX(a: i32): i32 {
  const x = reciprocalOfHalfDenominator(roundingHalfSum(a, ONE_Q0)); // 2 / (1 + a) in Q2
  return saturatingShiftLeft(x, 1); // halve (Q2 -> Q1 exactly), then Q1 -> Q0
}

/** (1 - a) / (1 + a) for a in [0, 1], Q0 in and out. */
export function oneMinusXOverOnePlusX(a: i32): i32 {
  const x = reciprocalOfHalfDenominator(roundingHalfSum(a, ONE_Q0));
  return saturatingShiftLeft(x - (1 << 29), 2); // 2 / (1 + a) - 1, Q2 -> Q0
}

/** logistic(a) = 1 / (1 + exp(-a)); a in Q(integerBits), result in Q0. */
export function logistic(a: i32, integerBits: i32): i32 {
  if (a == 0) return 1 << 30; // exactly 1/2
  const positive = a > 0;
  const ofAbs = oneOverOnePlusX(expOnNegativeValues(positive ? -a : a, integerBits));
  return positive ? ofAbs : ONE_Q0 - ofAbs;
}

/** tanh(a) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)) with a's sign; a in Q(integerBits), result in Q0. */
export function tanh(a: i32, integerBits: i32): i32 {
  if (a == 0) return 0;
  const negative = a < 0;
  // -|a| read with one more integer bit is -2|a|: a free doubling.
  const t = oneMinusXOverOnePlusX(expOnNegativeValues(negative ? a : -a, integerBits + 1));
  return negative ? -t : t;
}

// ---- int16 (HARD_SWISH computes in gemmlowp's 16-bit fixed point)

/** Truncate to int16 and sign-extend, as a C++ conversion to int16_t does. */
// @ts-ignore: decorator
@inline export function wrap16(x: i32): i32 {
  return (x << 16) >> 16;
}

/** int16 round(a * b / 2^15), ties away from zero; MIN * MIN saturates. */
export function saturatingRoundingDoublingHighMul16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return wrap16((ab + nudge) / (1 << 15)); // i32 division truncates toward zero
}

/**
 * gemmlowp's RoundingDivideByPOT instantiated for int16_t, exponent in [0, 31]. For exponents of
 * 16 and above its mask no longer fits in int16 and wraps; that is reproduced, not fixed.
 */
export function roundingDivideByPOT16(x: i32, exponent: i32): i32 {
  const mask = wrap16(<i32>((<i64>1 << exponent) - 1));
  const remainder = wrap16(x & mask);
  const threshold = wrap16(wrap16(mask >> 1) + (x < 0 ? 1 : 0));
  return wrap16(wrap16(x >> exponent) + (remainder > threshold ? 1 : 0));
}
