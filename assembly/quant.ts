// The one fixed-point requantization every int8 kernel uses: TensorFlow Lite Micro's
// MultiplyByQuantizedMultiplier in its default build (gemmlowp double rounding, not
// TFLITE_SINGLE_ROUNDING). multiplier is a Q0.31 value in [2^30, 2^31) (or 0), shift in [-31, 30].

// round(a * b / 2^31), ties away from zero, saturating the one overflow case (MIN * MIN).
// @ts-ignore: decorator
@inline export function saturatingRoundingDoublingHighMul(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
  return <i32>((ab + nudge) / (<i64>1 << 31)); // i64 division truncates toward zero, as C++ does
}

// x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
// @ts-ignore: decorator
@inline export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask = <i32>((<i64>1 << exponent) - 1);
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

export function multiplyByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << left), multiplier), right);
}

// Requantize an accumulator to int8: scale, add the output zero point, clamp to [actMin, actMax].
// @ts-ignore: decorator
@inline export function requantize(acc: i32, multiplier: i32, shift: i32, zeroPoint: i32, actMin: i32, actMax: i32): i32 {
  let v = multiplyByQuantizedMultiplier(acc, multiplier, shift) + zeroPoint;
  if (v < actMin) v = actMin;
  if (v > actMax) v = actMax;
  return v;
}
