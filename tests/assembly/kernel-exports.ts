// Test-only wasm entry (built with SIMD): exposes every kernel variant side by side, plus a bump
// allocator, so tests/kernels-*.test.ts can run the reference and the optimized kernel on the same
// inputs and compare every output byte. Built by `npm run build:test-wasm`.

import { reserveScratch } from '../../assembly/simd/scratch';

export { alloc } from '../../assembly/alloc';

reserveScratch(); // at _initialize: the kernels' scratch, as the runtime reserves it at load
export { conv2d_i8_ref } from '../../assembly/ref/conv2d_i8';
export { depthwise_conv2d_i8_ref } from '../../assembly/ref/depthwise_conv2d_i8';
export { fully_connected_i8_ref } from '../../assembly/ref/fully_connected_i8';
export { depthwise_conv2d_i8_simd } from '../../assembly/simd/depthwise_conv2d_i8';
export { average_pool_i8_ref, max_pool_i8_ref } from '../../assembly/ref/pool_i8';
export { average_pool_i8_simd, max_pool_i8_simd } from '../../assembly/simd/pool_i8';
export { add_i8_ref, sub_i8_ref, mul_i8_ref } from '../../assembly/ref/elementwise_i8';
export { lookup_i8, lookupGrid as lookup_grid } from '../../assembly/simd/lookup_i8';
export { conv2d_i8_simd } from '../../assembly/simd/conv2d_i8';
export { fully_connected_i8_simd } from '../../assembly/simd/fully_connected_i8';

import { depthwisePackedBytes, depthwisePack } from '../../assembly/simd/depthwise_conv2d_i8';
import { packedForm, packedBytes, packGemm, PACKED_LANES, PACKED_PATCHES } from '../../assembly/simd/gemm_i8';
import { lanesFit } from '../../assembly/simd/gemm_lanes_i8';

/** Bytes depthwise_pack writes for this layer; 0 when the SIMD kernel leaves it to the reference. */
export function depthwise_packed_bytes(inC: i32, fH: i32, fW: i32, depthMultiplier: i32): i32 {
  return <i32>depthwisePackedBytes(inC, fH, fW, depthMultiplier);
}

export { depthwisePack as depthwise_pack };

/**
 * The GEMM form for the conv / fully connected kernels' `packed`: `want` 1 for i16 rows, 2 for
 * units in lanes (0 when that form cannot serve the layer), 0 for the runtime's own choice.
 */
export function gemm_form(want: i32, w: usize, K: i32, units: i32, rows: i32, groups: i32, bias: usize, mults: usize, shifts: usize, inputOffset: i32): i32 {
  if (want == PACKED_PATCHES) return units / groups >= 4 ? want : 0;
  if (want == PACKED_LANES) return groups == 1 && lanesFit(w, K, units, bias, mults, shifts, inputOffset) ? want : 0;
  return packedForm(w, K, units, rows, groups, bias, mults, shifts, inputOffset);
}

/** Bytes pack_gemm writes. */
export function gemm_packed_bytes(form: i32, K: i32, units: i32): i32 {
  return <i32>packedBytes(form, K, units);
}

export { packGemm as pack_gemm };

import { requantizeLanesF64, requantF64Constants, requantF64Exact } from '../../assembly/simd/quant_simd';

const F64_CONSTANTS = memory.data(64, 16); // S, e: four f64 lanes each

/** requantizeLanesF64 on four equal lanes (zero point 0): lane 0, for tests/quant.test.ts. */
export function requantize_f64(acc: i32, mult: i32, shift: i32): i32 {
  for (let lane: usize = 0; lane < 32; lane += 8) requantF64Constants(mult, shift, F64_CONSTANTS + lane, 32);
  const y = requantizeLanesF64(i32x4.splat(acc), F64_CONSTANTS, 32, f64x2.splat(6755399441055744.0));
  return i32x4.extract_lane(y, 0);
}

/** requantF64Exact, for tests/quant.test.ts. */
export function requant_f64_exact(accBound: f64, mult: i32, shift: i32): bool {
  return requantF64Exact(accBound, mult, shift);
}

export { fully_connected_sparse_i8_ref } from '../../assembly/ref/fully_connected_sparse_i8';
export {
  fully_connected_sparse_i8_simd, sparsePackedBytes as sparse_packed_bytes, sparsePack as sparse_pack,
  sparseBlockRows as sparse_block_rows,
} from '../../assembly/simd/fully_connected_sparse_i8';

export { binarize_i8_ref } from '../../assembly/ref/binarize_i8';
export { binarize_i8_simd } from '../../assembly/simd/binarize_i8';
export { fully_connected_b1_ref } from '../../assembly/ref/fully_connected_b1';
export { fully_connected_b1_simd } from '../../assembly/simd/fully_connected_b1';
export { conv2d_b1_ref } from '../../assembly/ref/conv2d_b1';
export { conv2d_b1_simd } from '../../assembly/simd/conv2d_b1';
