// The SIMD kernels' scratch sizes, plain constants: assembly/simd/scratch.ts reserves them and the
// bundler (host/bundle.ts) counts them in a bundle's memory.

export const PATCH_LANES = 16384; // i16 lanes of im2col patches: 1024 rows of K <= 8, 28 of K = 576
export const PACK_BYTES = 12288; // the lanes GEMM's packed weights and constants
