// SOFTMAX int8 -> int8 over the innermost dimension, as TensorFlow Lite Micro's reference kernel
// computes it (reference_ops::Softmax): exp of the beta-scaled difference to the row maximum in
// gemmlowp fixed point, sum in Q12, one fixed-point reciprocal per row, output scale 1/256 with zero
// point -128.
// in, out: (outer, depth) int8, row-major. inputMultiplier / inputLeftShift scale an input difference
// to Q5 (beta * input_scale * 2^26); differences below diffMin contribute exp = 0.

import { saturatingRoundingDoublingHighMul, roundingDivideByPOT } from '../quant';
import { expOnNegativeValues, rescale, oneOverOnePlusX } from '../fixedpoint';

const DIFF_INTEGER_BITS = 5; // scaled differences are Q5: down to -32
const SUM_INTEGER_BITS = 12; // the sum of exps is Q12: up to 4096 terms of at most 1

// The difference to the row maximum as a Q5 raw; |diff| << inputLeftShift stays below 2^31 because
// diff >= diffMin = -floor(31 * 2^26 / 2^inputLeftShift).
// @ts-ignore: decorator
@inline function scaledDiff(diff: i32, inputMultiplier: i32, inputLeftShift: i32): i32 {
  return saturatingRoundingDoublingHighMul(diff * (1 << inputLeftShift), inputMultiplier);
}

export function softmax_i8_ref(
  out: usize, inp: usize, outer: i32, depth: i32,
  inputMultiplier: i32, inputLeftShift: i32, diffMin: i32,
): void {
  for (let row = 0; row < outer; row++) {
    const x = inp + <usize>row * depth;
    const y = out + <usize>row * depth;
    let maxInRow: i32 = -128;
    for (let c = 0; c < depth; c++) {
      const v = <i32>load<i8>(x + c);
      if (v > maxInRow) maxInRow = v;
    }

    // Each term is at most 2^19 (1.0 in Q12); the sum wraps like TFLM's int32 add past 4095 terms.
    let sumOfExps: i32 = 0;
    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(x + c) - maxInRow;
      if (diff >= diffMin) {
        const e = expOnNegativeValues(scaledDiff(diff, inputMultiplier, inputLeftShift), DIFF_INTEGER_BITS);
        sumOfExps += rescale(e, 0, SUM_INTEGER_BITS);
      }
    }

    // 1 / sum: normalise the sum to [1, 2) as 1 + x with x in Q0, take 1 / (1 + x), and keep the
    // power of two aside as the final right shift.
    const headroomPlusOne = <i32>clz<u32>(<u32>sumOfExps);
    const numBitsOverUnit = SUM_INTEGER_BITS - headroomPlusOne;
    const shiftedSumMinusOne = (sumOfExps << headroomPlusOne) - (1 << 31);
    const shiftedScale = oneOverOnePlusX(shiftedSumMinusOne);
    const exponent = numBitsOverUnit + 31 - 8;

    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(x + c) - maxInRow;
      let v: i32 = -128;
      // exponent > 31 only when the sum is at least 2^28 (TFLM stops on a check there); every
      // probability is then below 1/512 and its limit value, 0, is what is written.
      if (diff >= diffMin && exponent <= 31) {
        const e = expOnNegativeValues(scaledDiff(diff, inputMultiplier, inputLeftShift), DIFF_INTEGER_BITS);
        v = roundingDivideByPOT(saturatingRoundingDoublingHighMul(shiftedScale, e), exponent) - 128;
        if (v > 127) v = 127;
      }
      store<i8>(y + c, <i8>v);
    }
  }
}
