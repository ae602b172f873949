// Convert-time half of requantization: TensorFlow Lite's QuantizeMultiplier, which turns a real
// multiplier into the Q0.31 multiplier and power-of-two shift that assembly/quant.ts applies.

/** frexp: x = mantissa * 2^exponent with |mantissa| in [0.5, 1). Exact for finite doubles. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let exponent = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
  let mantissa = x * 2 ** -exponent;
  // log2 can be off by one near powers of two; powers of two scale exactly, so correct it.
  while (Math.abs(mantissa) < 0.5) { mantissa *= 2; exponent -= 1; }
  while (Math.abs(mantissa) >= 1) { mantissa /= 2; exponent += 1; }
  return [mantissa, exponent];
}

/** C's round(): halves away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** QuantizeMultiplier(double) → [Q0.31 multiplier, shift] exactly as TFLite computes it. */
export function quantizeMultiplier(real: number): [number, number] {
  if (real === 0) return [0, 0];
  let [q, shift] = frexp(real);
  let fixed = roundHalfAway(q * 2 ** 31);
  if (fixed === 2 ** 31) { fixed /= 2; shift += 1; }
  if (shift < -31) { shift = 0; fixed = 0; }
  return [fixed, shift];
}

/** float32 arithmetic, as C++ does on `float` operands. */
export const f32 = Math.fround;
