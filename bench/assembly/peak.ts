// The machine's int8 multiply-accumulate peak as WebAssembly SIMD can reach it: a tight loop of
// the MAC step an int8 kernel is built from, i32x4.dot_i16x8_s (8 products of i8 values widened
// to i16) added into an i32x4 accumulator, on 8 independent accumulators so the loop is bound by
// throughput, not by the latency of one chain. bench/kernels.ts divides each kernel's GMAC/s by
// this figure, so efficiency is a measured ratio. Built by `npm run build:bench-wasm` into
// build/bench-peak.wasm (SIMD enabled); not part of the library.

const OPERANDS = memory.data<i16>([
  1, -2, 3, -4, 5, -6, 7, -8, -1, 2, -3, 4, -5, 6, -7, 8,
  9, 10, 11, 12, 13, 14, 15, 16, -9, -10, -11, -12, -13, -14, -15, -16,
  3, 3, 3, 3, 3, 3, 3, 3, -5, -5, -5, -5, -5, -5, -5, -5,
  4, 4, 4, 4, 4, 4, 4, 4, -6, -6, -6, -6, -6, -6, -6, -6,
]);

/** Runs `iters` iterations of 8 dot+add steps (64 MACs each iteration); returns a lane sum so the work is kept. */
export function peak_dot_i16x8(iters: i32): i32 {
  // Operands come from memory, not constants, so the optimizer cannot fold them; two of them are
  // loaded each iteration from one of two places (by the iteration's parity), so no engine can
  // hoist the dot products out of the loop, and no vector op but the MAC step's dot and add runs
  // (a kernel's loads are memory operands too).
  const x0 = v128.load(OPERANDS), x1 = v128.load(OPERANDS, 16), x2 = v128.load(OPERANDS, 32), x3 = v128.load(OPERANDS, 48);
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    const p = OPERANDS + 64 + (<usize>(i & 1) << 5);
    const w = v128.load(p);
    const u = v128.load(p, 16);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x0, w));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x1, w));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x2, w));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x3, w));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x0, u));
    a5 = i32x4.add(a5, i32x4.dot_i16x8_s(x1, u));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x2, u));
    a7 = i32x4.add(a7, i32x4.dot_i16x8_s(x3, u));
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}
