// Test-only wasm entry: exposes the runtime's one requantization function so tests/quant.test.ts can
// check it against an independent BigInt formulation. Built by `npm run build:test-wasm`.

import { multiplyByQuantizedMultiplier } from '../../assembly/quant';

export function mbqm(x: i32, multiplier: i32, shift: i32): i32 {
  return multiplyByQuantizedMultiplier(x, multiplier, shift);
}
