// FULLY_CONNECTED int8 -> int8 with wasm SIMD: fully_connected_i8_ref's output byte for byte.
// Input rows are widened to i16 (x + inputOffset) into the GEMM core's patch buffer, as many as it
// holds, then multiplied by the weights four units and two rows at a time (assembly/simd/gemm_i8.ts),
// or, given weights packed at load time by packLanes (`packed`, 0 for none), by the units-in-lanes
// GEMM (gemmLanes).
// A 1x1 stride-1 unpadded CONV_2D is this kernel over the image's pixels.
// Layout and accumulator bound: as assembly/ref/fully_connected_i8.ts. Preconditions (the load
// check): inputOffset in [-127, 128], shifts in [-31, 30], actMin/actMax in [-128, 127].

import { fully_connected_i8_ref } from '../ref/fully_connected_i8';
import { patchStride, widen, gemmPatches } from './gemm_i8';
import { PATCH, PATCH_LANES } from './scratch';
import { gemmLanes } from './gemm_lanes_i8';

export function fully_connected_i8_simd(
  out: usize, inp: usize, weights: usize, bias: usize, mults: usize, shifts: usize,
  batches: i32, depth: i32, units: i32,
  inputOffset: i32, outputZeroPoint: i32, actMin: i32, actMax: i32, packed: usize,
): void {
  const ldp = patchStride(depth);
  if (ldp > PATCH_LANES) {
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
    if (packed != 0) gemmLanes(out + <usize>b * units, <usize>units, rows, ldp, packed, depth, units, outputZeroPoint, actMin, actMax);
    else gemmPatches(
      out + <usize>b * units, <usize>units, rows, ldp, weights, depth, units,
      bias, mults, shifts, outputZeroPoint, actMin, actMax,
    );
  }
}
