// FULLY_CONNECTED int8 -> int8 over pruned weights in the sparse encoding (docs/FORMAT.md): for each
// unit a bitmap of its depth weights (bit d % 8 of byte d / 8, set where the weight is not zero),
// then every unit's nonzero weights in row order. The result is fully_connected_i8_ref's on the
// same weights with the zeros written out, byte for byte: the zero terms add nothing and i32
// addition wraps modulo 2^32 in any order.
// Layout: weights = the bitmaps, units rows of ceil(depth / 8) bytes, then the values; the rest as
// assembly/ref/fully_connected_i8.ts, with the same accumulator bound.

import { requantize } from '../quant';

export function fully_connected_sparse_i8_ref(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const rowBytes = (depth + 7) >> 3;
  const values = weights + <usize>units * rowBytes;
  for (let b = 0; b < batches; b++) {
    const row = inp + <usize>b * depth;
    const y = out + <usize>b * units;
    let v = values;
    for (let u = 0; u < units; u++) {
      const bits = weights + <usize>u * rowBytes;
      let acc: i32 = 0;
      // The row's bitmap 32 bits at a time (its last bytes on their own: the next row's follow),
      // each word's set bits lowest first: one step per nonzero weight.
      for (let i = 0; i < rowBytes; i += 4) {
        let word: i32 = 0;
        if (i + 4 <= rowBytes) word = load<i32>(bits + i);
        else for (let k = i; k < rowBytes; k++) word |= <i32>load<u8>(bits + k) << ((k - i) << 3);
        const x = row + (i << 3);
        for (; word != 0; word &= word - 1) {
          acc += <i32>load<i8>(v++) * (<i32>load<i8>(x + ctz(word)) + inputOffset);
        }
      }
      if (bias != 0) acc += load<i32>(bias + (<usize>u << 2));
      const m = load<i32>(mults + (<usize>u << 2));
      const s = load<i32>(shifts + (<usize>u << 2));
      store<i8>(y + u, <i8>requantize(acc, m, s, outputZeroPoint, actMin, actMax));
    }
  }
}
