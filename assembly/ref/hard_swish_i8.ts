// HARD_SWISH int8 -> int8, x * relu6(x + 3) / 6, as TensorFlow Lite's reference_ops::HardSwish
// computes it in 16-bit fixed point: the input moves to a "high-res" scale (input_scale / 128), is
// multiplied once onto the output scale and once onto a "relu-ish" scale where 3.0 is 32768, the
// latter is mapped from [-1, 1] to [0, 1], and the two are multiplied.
// in, out: n int8 values. Multipliers are Q0.15 int16s with exponents; every intermediate is an
// int16 held in an i32 (sign-extended), rewrapped where the C++ converts to int16_t.

import {
  wrap16, saturatingRoundingDoublingHighMul16, roundingDivideByPOT16,
} from '../fixedpoint';

// value * 2^amount clamped to int16; amount in [0, 30].
function saturatingLeftShift16(value: i32, amount: i32): i32 {
  const shifted = <i64>value << amount;
  if (shifted > 32767) return 32767;
  if (shifted < -32768) return -32768;
  return <i32>shifted;
}

// int16 a * b / 2^15 truncated toward zero (ARM SQDMULH): it cancels the rounding bias of the
// rounding multiplies before it.
function saturatingDoublingHighMul16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  return wrap16((a * b) / (1 << 15));
}

export function hard_swish_i8_ref(
  out: usize, inp: usize, n: i32,
  inputZeroPoint: i32, outputZeroPoint: i32,
  reluishMultiplier: i32, reluishExponent: i32,
  outputMultiplier: i32, outputExponent: i32,
): void {
  for (let i = 0; i < n; i++) {
    const inputValue = wrap16(<i32>load<i8>(inp + i) - inputZeroPoint);
    const hiresInput = wrap16(inputValue * (1 << 7)); // |value| <= 255, so this keeps all bits
    const preshiftOutputScale = saturatingRoundingDoublingHighMul16(hiresInput, outputMultiplier);

    // Rescale to [-1, 1] ~ [-3, 3], saturating. In the left-shift case all but the last bit of the
    // shift is applied first, so saturation, if any, happens in the last step.
    let reluish = hiresInput;
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, reluishExponent - 1);
    reluish = saturatingRoundingDoublingHighMul16(reluish, reluishMultiplier);
    if (reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (reluishExponent < 0) reluish = roundingDivideByPOT16(reluish, -reluishExponent);
    reluish = (reluish + (1 << 15)) >> 1; // [-1, 1] -> [0, 1]

    const preshiftOutput = saturatingDoublingHighMul16(reluish, preshiftOutputScale);
    let v = wrap16(roundingDivideByPOT16(preshiftOutput, -outputExponent) + outputZeroPoint);
    if (v > 127) v = 127;
    if (v < -128) v = -128;
    store<i8>(out + i, <i8>v);
  }
}
