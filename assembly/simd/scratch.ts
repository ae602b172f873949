// Scratch memory of the SIMD kernels: the im2col patch rows (PATCH, also the depthwise kernel's
// packing area) and the lanes GEMM's packed weights (PACK). Taken from the heap once, at model load,
// by the SIMD build's executor (reserveScratch), never as static data: static data would be
// reserved in every build, the MVP build included, whose interpreters run on devices where 44 KiB
// of unused RAM matters. Kernels run only after a load, so both are set when they read them.

import { alloc } from '../alloc';

// 32 KiB of patches: 1024 rows of K <= 8, 28 of K = 576, one of K <= 16376 (larger K takes the
// reference kernel).
export const PATCH_LANES: i32 = 16384;
export const PACK_BYTES: i32 = 12288;
export let PATCH: usize = 0;
export let PACK: usize = 0;

/** Reserves both buffers on first use; false if memory cannot grow. */
export function reserveScratch(): bool {
  if (PATCH == 0) PATCH = alloc(<usize>PATCH_LANES << 1);
  if (PACK == 0) PACK = alloc(<usize>PACK_BYTES);
  return PATCH != 0 && PACK != 0;
}
