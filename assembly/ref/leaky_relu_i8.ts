// LEAKY_RELU int8 -> int8, as TensorFlow Lite's reference_ops::QuantizeLeakyRelu computes it:
// non-negative inputs (relative to the zero point) are rescaled by input_scale / output_scale,
// negative ones by alpha * input_scale / output_scale. A negative alpha is applied as a positive
// multiplier whose result is negated, as TFLite does.
// in, out: n int8 values.

import { multiplyByQuantizedMultiplier } from '../quant';

export function leaky_relu_i8_ref(
  out: usize, inp: usize, n: i32,
  inputZeroPoint: i32, outputZeroPoint: i32,
  identityMultiplier: i32, identityShift: i32,
  alphaMultiplier: i32, alphaShift: i32, alphaNegative: i32,
): void {
  for (let i = 0; i < n; i++) {
    const x = <i32>load<i8>(inp + i) - inputZeroPoint;
    let v = outputZeroPoint;
    if (x >= 0) {
      v += multiplyByQuantizedMultiplier(x, identityMultiplier, identityShift);
    } else {
      const scaled = multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift);
      v += alphaNegative != 0 ? -scaled : scaled;
    }
    if (v < -128) v = -128;
    if (v > 127) v = 127;
    store<i8>(out + i, <i8>v);
  }
}
