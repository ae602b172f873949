// RELU and RELU6 int8 -> int8 (TFLite's ReluX): rescale from the input's quantization to the
// output's, then clamp to the quantized image of [0, inf) or [0, 6]. Standalone RELU ops change
// scale between input and output, so this is not a plain clamp.
// in, out: n int8 values. |input - zp| <= 255: the rescale (quant.ts) stays in int32 for any
// shift up to 23, i.e. any scale ratio below 2^22.

import { requantize } from '../quant';

export function relu_i8_ref(
  out: usize, inp: usize, n: i32,
  inputZeroPoint: i32, outputZeroPoint: i32, multiplier: i32, shift: i32, actMin: i32, actMax: i32,
): void {
  for (let i = 0; i < n; i++) {
    const x = <i32>load<i8>(inp + i) - inputZeroPoint;
    store<i8>(out + i, <i8>requantize(x, multiplier, shift, outputZeroPoint, actMin, actMax));
  }
}
