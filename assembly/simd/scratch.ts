// Scratch memory of the SIMD kernels: the im2col patch rows (PATCH, also the depthwise kernel's
// packing area) and the lanes GEMM's packed weights (PACK). Taken from the heap once, at model load,
// by the SIMD build's executor (reserveScratch), never as static data: static data would be
// reserved in every build, the MVP build included, whose interpreters run on devices where 44 KiB
// of unused RAM matters. Kernels run only after a load, so both are set when they read them.

import { alloc } from '../alloc';
import { PATCH_LANES, PACK_BYTES } from './scratch-size';

export { PATCH_LANES, PACK_BYTES };
export let PATCH: usize = 0;
export let PACK: usize = 0;

/** Reserves both buffers on first use; false if memory cannot grow. */
export function reserveScratch(): bool {
  if (PATCH == 0) PATCH = alloc(<usize>PATCH_LANES << 1);
  if (PACK == 0) PACK = alloc(<usize>PACK_BYTES);
  return PATCH != 0 && PACK != 0;
}
