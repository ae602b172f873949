// Scratch memory of the SIMD kernels: the im2col patch rows (PATCH), also the depthwise kernel's
// per-pixel accumulators and tap addresses. Taken from the heap once, at model load, by the SIMD
// build's executor (reserveScratch), never as static data: static data would be reserved in every
// build, the MVP build included, whose interpreters run on devices where 32 KiB of unused RAM
// matters. Kernels run only after a load, so it is set when they read it.

import { alloc } from '../alloc';

export const PATCH_LANES = 16384; // i16 lanes of im2col patches: 1024 rows of K <= 8, 28 of K = 576
export let PATCH: usize = 0;

/** Reserves the buffer on first use; false if memory cannot grow. */
export function reserveScratch(): bool {
  if (PATCH == 0) PATCH = alloc(<usize>PATCH_LANES << 1);
  return PATCH != 0;
}
