// FULLY_CONNECTED over binary (+1 / -1) inputs and weights, both packed as binarize_i8.ts packs
// them (bit 1: -1), to int8: for each row and unit the dot product of the two sign vectors,
// depth - 2 * popcount(x xor w) (padding bits are 0 in both, so they never count), plus the bias,
// requantized with the unit's multiplier and shift (assembly/quant.ts, as every int8 kernel), plus
// the output zero point, clamped. The per-channel multiply-add of a binary layer (LCE's
// post_activation_multiplier and bias) is that multiplier and the bias, folded by the converter.
// Layout:
//   in:      (batches, packedWords(depth)) u32, row-major
//   weights: (units, packedWords(depth)) u32, row-major
//   bias:    units i32, or 0; mults, shifts: units i32 each
//   out:     (batches, units) i8
// Accumulator: |dot| <= depth, so any bias below 2^31 - depth in magnitude stays inside i32.

import { requantize } from '../quant';
import { packedWords } from './binarize_i8';

export function fully_connected_b1_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const words = packedWords(depth);
  for (let b = 0; b < batches; b++) {
    const x = inp + (<usize>(b * words) << 2);
    const y = out + <usize>b * units;
    for (let u = 0; u < units; u++) {
      const w = weights + (<usize>(u * words) << 2);
      let differ = 0;
      for (let k = 0; k < words; k++) differ += <i32>popcnt<u32>(load<u32>(x + (<usize>k << 2)) ^ load<u32>(w + (<usize>k << 2)));
      let acc = depth - 2 * differ;
      if (bias != 0) acc += load<i32>(bias + (<usize>u << 2));
      const q = <usize>u << 2;
      store<i8>(y + u, <i8>requantize(acc, load<i32>(mults + q), load<i32>(shifts + q), outputZeroPoint, actMin, actMax));
    }
  }
}
