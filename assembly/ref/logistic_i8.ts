// LOGISTIC int8 -> int8, as TensorFlow Lite Micro's reference_integer_ops::Logistic computes it:
// the input, relative to its zero point, is rescaled to Q4 and gemmlowp's fixed-point logistic is
// applied; the output has scale 1/256 and zero point -128.
// in, out: n int8 values. Inputs at or beyond +-radius saturate without computing (the Q4 value
// would not fit); inside it |input| << shift stays below 2^31.

import { multiplyByQuantizedMultiplier, roundingDivideByPOT } from '../quant';
import { logistic } from '../fixedpoint';

const INPUT_INTEGER_BITS = 4;

export function logistic_i8_ref(
  out: usize, inp: usize, n: i32,
  inputZeroPoint: i32, inputRangeRadius: i32, inputMultiplier: i32, inputShift: i32,
): void {
  for (let i = 0; i < n; i++) {
    const input = <i32>load<i8>(inp + i) - inputZeroPoint;
    let v: i32;
    if (input <= -inputRangeRadius) {
      v = -128;
    } else if (input >= inputRangeRadius) {
      v = 127;
    } else {
      const inputQ4 = multiplyByQuantizedMultiplier(input, inputMultiplier, inputShift);
      // Q0 probability in [0, 1) to 8 fractional bits, then the -128 zero point.
      v = roundingDivideByPOT(logistic(inputQ4, INPUT_INTEGER_BITS), 31 - 8) - 128;
      if (v > 127) v = 127;
    }
    store<i8>(out + i, <i8>v);
  }
}
