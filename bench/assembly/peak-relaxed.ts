// The relaxed-SIMD counterpart of peak.ts: a tight loop of i32x4.relaxed_dot_i8x16_i7x16_add_s (16
// products of i8 by 7-bit values, summed four to a lane) on 8 independent accumulators. It decides
// whether a third, relaxed-SIMD build of the runtime would pay: an exact int8 kernel needs two such
// dots per 16 MACs (an int8 input is 8 bits, the instruction's second operand only 7), so the
// build pays only where this loop runs at more than twice peak.ts's GMAC/s. Built by
// `npm run build:bench-wasm` into build/bench-peak-relaxed.wasm; engines without relaxed SIMD
// (Node 20 without --experimental-wasm-relaxed-simd) cannot compile it, and bench/kernels.ts says so.

const OPERANDS = memory.data<i8>([
  1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
  33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
]);

/** Runs `iters` iterations of 8 relaxed dots (128 MACs each iteration); returns a lane sum so the work is kept. */
export function peak_relaxed_dot_i8x16(iters: i32): i32 {
  let w = v128.load(OPERANDS);
  let u = i8x16.neg(w);
  const x0 = v128.load(OPERANDS, 16), x1 = v128.load(OPERANDS, 32);
  const x2 = i8x16.add(x0, x1), x3 = i8x16.sub(x1, x0);
  const step = v128.load(OPERANDS, 48);
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x0, a0);
    a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x1, a1);
    a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x2, a2);
    a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x3, a3);
    a4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u, x0, a4);
    a5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u, x1, a5);
    a6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u, x2, a6);
    a7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u, x3, a7);
    w = i8x16.add(w, step);
    u = i8x16.sub(u, step);
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}
