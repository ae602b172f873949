// Test-only wasm entry (built with SIMD): exposes every kernel variant side by side, plus a bump
// allocator, so tests/kernels-*.test.ts can run the reference and the optimized kernel on the same
// inputs and compare every output byte. Built by `npm run build:test-wasm`.

export { alloc } from '../../assembly/alloc';
export { conv2d_i8_ref } from '../../assembly/ref/conv2d_i8';
export { depthwise_conv2d_i8_ref } from '../../assembly/ref/depthwise_conv2d_i8';
export { fully_connected_i8_ref } from '../../assembly/ref/fully_connected_i8';
export { depthwise_conv2d_i8_simd } from '../../assembly/simd/depthwise_conv2d_i8';
export { average_pool_i8_ref, max_pool_i8_ref } from '../../assembly/ref/pool_i8';
export { average_pool_i8_simd, max_pool_i8_simd } from '../../assembly/simd/pool_i8';
export { add_i8_ref } from '../../assembly/ref/elementwise_i8';
export { add_i8_simd } from '../../assembly/simd/elementwise_i8';
export { conv2d_i8_simd } from '../../assembly/simd/conv2d_i8';
export { fully_connected_i8_simd } from '../../assembly/simd/fully_connected_i8';
