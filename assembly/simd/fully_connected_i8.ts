// FULLY_CONNECTED int8 -> int8 with wasm SIMD: fully_connected_i8_ref's output byte for byte.
// Input rows are widened to i16 (x + inputOffset) into the GEMM core's patch buffer, as many as it
// holds, then multiplied by the weights as packed at load (`packed`, assembly/simd/gemm_i8.ts's
// gemmPacked: four units and two rows at a time, or units in lanes); without packed weights (0), or
// rows too long for the buffer, the reference kernel runs.
// A 1x1 stride-1 unpadded CONV_2D is this kernel over the image's pixels.
// Layout and accumulator bound: as assembly/ref/fully_connected_i8.ts. Preconditions (the load
// check): inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127].

import { fully_connected_i8_ref } from '../ref/fully_connected_i8';
import { patchStride, widen, gemmPacked } from './gemm_i8';
import { PATCH, PATCH_LANES } from './scratch';

export function fully_connected_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, packed: usize,
): void {
  const ldp = patchStride(depth);
  if (ldp > PATCH_LANES || packed == 0) {
    fully_connected_i8_ref(out, inp, weights, bias, mults, shifts, batches, depth, units, inputOffset, outputZeroPoint, actMin, actMax);
    return;
  }
  const chunk = PATCH_LANES / ldp;
  const end = inp + <usize>batches * depth;
  for (let b = 0; b < batches; b += chunk) {
    const rows = min(chunk, batches - b);
    for (let r = 0; r < rows; r++) {
      widen(PATCH + (<usize>(r * ldp) << 1), inp + <usize>(b + r) * depth, depth, inputOffset, end);
    }
    gemmPacked(
      out + <usize>b * units, <usize>units, rows, ldp, packed, depth, 0, units, units,
      bias, mults, shifts, outputZeroPoint, actMin, actMax,
    );
  }
}
