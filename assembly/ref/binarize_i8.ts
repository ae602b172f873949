// Binarize int8 -> packed bits (the sign op between binary layers, LceQuantize's job): each value's
// bit is 1 where its real value is negative (x < zeroPoint: -1) and 0 where it is zero or positive
// (+1), as Larq Compute Engine packs signs. Bits go 32 to a little-endian u32 word, value d at bit
// d % 32 of word d / 32; each row is padded with 0 bits to a whole number of 128-bit blocks, so
// the binary kernels read whole vectors and a padding bit of an input meets a padding bit of a
// weight (xor 0: no disagreement counted).
// Layout:
//   in:  (rows, depth) i8, row-major
//   out: (rows, packedWords(depth)) u32, row-major

/** u32 words of one packed row of depth values: whole 128-bit blocks. */
// @ts-ignore: decorator
@inline export function packedWords(depth: i32): i32 {
  return ((depth + 127) >> 7) << 2;
}

export function binarize_i8_ref(out: usize, inp: usize, rows: i32, depth: i32, zeroPoint: i32): void {
  const words = packedWords(depth);
  for (let r = 0; r < rows; r++) {
    const x = inp + <usize>r * depth;
    const y = out + (<usize>(r * words) << 2);
    for (let k = 0; k < words; k++) {
      let word: u32 = 0;
      for (let b = 0; b < 32; b++) {
        const d = (k << 5) + b;
        if (d < depth && <i32>load<i8>(x + d) < zeroPoint) word |= <u32>1 << b;
      }
      store<u32>(y + (<usize>k << 2), word);
    }
  }
}
