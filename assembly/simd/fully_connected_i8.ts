// FULLY_CONNECTED int8 -> int8 with wasm SIMD: fully_connected_i8_ref's output byte for byte.
// Input rows are widened to i16 (x + inputOffset) two at a time into the GEMM core's patch buffer,
// then every four units share one pass over both rows (assembly/simd/gemm_i8.ts). A 1x1 stride-1
// unpadded CONV_2D is this kernel over the image's pixels.
// Layout and accumulator bound: as assembly/ref/fully_connected_i8.ts. Preconditions (the load
// check): inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127].

import { fully_connected_i8_ref } from '../ref/fully_connected_i8';
import { PATCH, PATCH_LANES, patchStride, widen, gemmPatches } from './gemm_i8';

export function fully_connected_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32,
): void {
  const ldp = patchStride(depth);
  if (ldp > PATCH_LANES) {
    fully_connected_i8_ref(out, inp, weights, bias, mults, shifts, batches, depth, units, inputOffset, outputZeroPoint, actMin, actMax);
    return;
  }
  const pairs = 2 * ldp <= PATCH_LANES;
  const end = inp + <usize>batches * depth;
  for (let b = 0; b < batches;) {
    const rows = pairs && b + 1 < batches ? 2 : 1;
    const row = inp + <usize>b * depth;
    widen(PATCH, row, depth, inputOffset, end);
    if (rows == 2) widen(PATCH + (<usize>ldp << 1), row + <usize>depth, depth, inputOffset, end);
    gemmPatches(
      out + <usize>b * units, <usize>units, rows, ldp, weights, depth, units,
      bias, mults, shifts, outputZeroPoint, actMin, actMax,
    );
    b += rows;
  }
}
