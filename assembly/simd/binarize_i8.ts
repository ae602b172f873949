// Binarize int8 -> packed bits with wasm SIMD: binarize_i8_ref's output bit for bit. Sixteen values
// a step: i8x16.lt_s against the zero point, then i8x16.bitmask gives their sixteen sign bits at
// once. A row's last values short of sixteen take the scalar path; padding bits stay 0.
// Layout: as assembly/ref/binarize_i8.ts.

import { packedWords } from '../ref/binarize_i8';

export function binarize_i8_simd(out: usize, inp: usize, rows: i32, depth: i32, zeroPoint: i32): void {
  const words = packedWords(depth);
  const zp = i8x16.splat(<i8>zeroPoint);
  const zero = i32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const x = inp + <usize>r * depth;
    const y = out + (<usize>(r * words) << 2);
    for (let k = 0; k < words; k += 4) v128.store(y + (<usize>k << 2), zero);
    let d = 0;
    for (; d + 16 <= depth; d += 16) store<u16>(y + (<usize>d >> 3), <u16>i8x16.bitmask(i8x16.lt_s(v128.load(x + <usize>d), zp)));
    for (; d < depth; d++) {
      if (<i32>load<i8>(x + <usize>d) < zeroPoint) {
        const at = y + (<usize>(d >> 5) << 2);
        store<u32>(at, load<u32>(at) | (<u32>1 << (d & 31)));
      }
    }
  }
}
