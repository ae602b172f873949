// QUANTIZE (float32 -> int8), its int8 -> int8 form (REQUANTIZE) and DEQUANTIZE (int8 -> float32),
// as TensorFlow Lite Micro's reference kernels compute them:
// - AffineQuantize: q = clamp(int32(round(x / scale)) + zeroPoint), the division in float32 and
//   round() halving away from zero, also in float32.
// - Requantize: q = clamp(multiplyByQuantizedMultiplier(x - inZeroPoint) + outZeroPoint).
// - Dequantize: x = float(double(scale) * (q - zeroPoint)); the double product is exact, so this
//   is the float32 rounding of the exact value.
// Layout: in and out hold n elements each, row-major, any shape.
// Requantize accumulator: |q - inZeroPoint| <= 255, scaled by quant.ts in i32.

import { requantize } from '../quant';

const INT8_MIN = -128;
const INT8_MAX = 127;

// round() of C for float32: halves away from zero. |x| - floor(|x|) is exact in float32.
// @ts-ignore: decorator
@inline function roundHalfAway(x: f32): f32 {
  const a = abs<f32>(x);
  let r = floor<f32>(a);
  if (a - r >= <f32>0.5) r += 1;
  return copysign<f32>(r, x);
}

// static_cast<int32_t>(float) as x86-64 executes it (cvttss2si): NaN and values outside the i32
// range become INT32_MIN. wasm's truncation would trap there instead.
// @ts-ignore: decorator
@inline function toInt32(x: f32): i32 {
  if (!(x >= <f32>-2147483648.0 && x < <f32>2147483648.0)) return i32.MIN_VALUE;
  return <i32>x;
}

export function quantize_f32_i8_ref(out: usize, inp: usize, n: i32, scale: f32, zeroPoint: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<f32>(inp + (<usize>i << 2));
    // i32 addition wraps as it does in the x86 build for out-of-range values.
    let q = toInt32(roundHalfAway(x / scale)) + zeroPoint;
    if (q < INT8_MIN) q = INT8_MIN;
    if (q > INT8_MAX) q = INT8_MAX;
    store<i8>(out + i, <i8>q);
  }
}

export function requantize_i8_ref(
  out: usize, inp: usize, n: i32, inZeroPoint: i32, outZeroPoint: i32, multiplier: i32, shift: i32,
): void {
  for (let i = 0; i < n; i++) {
    const x = <i32>load<i8>(inp + i) - inZeroPoint;
    store<i8>(out + i, <i8>requantize(x, multiplier, shift, outZeroPoint, INT8_MIN, INT8_MAX));
  }
}

export function dequantize_i8_f32_ref(out: usize, inp: usize, n: i32, scale: f32, zeroPoint: i32): void {
  const s = <f64>scale;
  for (let i = 0; i < n; i++) {
    const q = <i32>load<i8>(inp + i) - zeroPoint;
    store<f32>(out + (<usize>i << 2), <f32>(s * <f64>q));
  }
}
