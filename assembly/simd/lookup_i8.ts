// ADD, SUB and MUL int8 x int8 -> int8 in the SIMD build, as one table lookup per element: each
// output depends only on its two int8 operands, so at load (prepareLookup) the reference kernel
// itself computes all 65,536 results into a table indexed by the operands' bytes, and a run reads
// table[(x & 255) << 8 | (y & 255)] — the reference's output by construction, byte for byte, at a
// few instructions per element (wasm SIMD has no gather; the lane-wise requantization of three
// 64-bit multiplies per element costs several times more).
// Layout and strides: as assembly/ref/elementwise_i8.ts.

/** Bytes of a table. */
export const LOOKUP_BYTES: i32 = 65536;

/**
 * The operand grids a table is built from, at grid (512 bytes): bytes 0..255 twice. The reference
 * kernel run over output shape (1, 1, 256, 256) with operand strides (0, 0, 1, 0) and (0, 0, 0, 1)
 * on them writes the table.
 */
export function lookupGrid(grid: usize): void {
  for (let i = 0; i < 256; i++) {
    store<u8>(grid + <usize>i, <u8>i);
    store<u8>(grid + 256 + <usize>i, <u8>i);
  }
}

// n outputs from p and q stepping pStep / qStep bytes.
// @ts-ignore: decorator
@inline function lookupRow(o: usize, p: usize, q: usize, n: i32, pStep: i32, qStep: i32, table: usize): void {
  for (let i = 0; i < n; i++) {
    const x = <usize>load<u8>(p + <usize>(i * pStep));
    const y = <usize>load<u8>(q + <usize>(i * qStep));
    store<i8>(o + <usize>i, load<i8>(table + (x << 8 | y)));
  }
}

// Whether strides (s0..s3) over dims (d0..d3) address the output order contiguously, ignoring
// axes of size 1.
function contiguous(d0: i32, d1: i32, d2: i32, d3: i32, s0: i32, s1: i32, s2: i32, s3: i32): bool {
  return (d3 == 1 || s3 == 1) && (d2 == 1 || s2 == d3) && (d1 == 1 || s1 == d2 * d3) && (d0 == 1 || s0 == d1 * d2 * d3);
}

export function lookup_i8(
  out: usize, in1: usize, in2: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, b0: i32, b1: i32, b2: i32, b3: i32, table: usize,
): void {
  if (contiguous(d0, d1, d2, d3, a0, a1, a2, a3) && contiguous(d0, d1, d2, d3, b0, b1, b2, b3)) {
    lookupRow(out, in1, in2, d0 * d1 * d2 * d3, 1, 1, table);
    return;
  }
  let o = out;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const p = in1 + <usize>(i0 * a0 + i1 * a1 + i2 * a2);
        const q = in2 + <usize>(i0 * b0 + i1 * b1 + i2 * b2);
        if (a3 == 1 && b3 == 1) lookupRow(o, p, q, d3, 1, 1, table);
        else lookupRow(o, p, q, d3, a3, b3, table);
        o += <usize>d3;
      }
    }
  }
}
