// FULLY_CONNECTED int8 -> int8, as TensorFlow Lite Micro's reference kernels (FullyConnected and
// FullyConnectedPerChannel) compute it: for each row of the input and each output unit, sum
// weight * (input + inputOffset), add the bias, requantize with that unit's multiplier and shift
// (a per-tensor model has them repeated by the converter), add the output zero point, clamp.
// Layout:
//   in:      (batches, depth) i8, row-major (any leading dims flattened into batches)
//   weights: (units, depth) i8, row-major
//   bias:    units i32, or 0 when the model has none
//   mults, shifts: units i32 each
//   out:     (batches, units) i8
// Accumulator: each term |w * (x + inputOffset)| <= 128 * 255 < 2^15, so depths up to 2^16 stay
// inside i32 before the bias; beyond that it wraps, as TFLM's does.

import { requantize } from '../quant';

export function fully_connected_i8_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  for (let b = 0; b < batches; b++) {
    const row = inp + <usize>b * depth;
    const y = out + <usize>b * units;
    for (let u = 0; u < units; u++) {
      const w = weights + <usize>u * depth;
      let acc: i32 = 0;
      for (let d = 0; d < depth; d++) {
        acc += <i32>load<i8>(w + d) * (<i32>load<i8>(row + d) + inputOffset);
      }
      if (bias != 0) acc += load<i32>(bias + (<usize>u << 2));
      const m = load<i32>(mults + (<usize>u << 2));
      const s = load<i32>(shifts + (<usize>u << 2));
      store<i8>(y + u, <i8>requantize(acc, m, s, outputZeroPoint, actMin, actMax));
    }
  }
}
