// Convert-time requantization parameters: QuantizeMultiplier as TFLite computes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantizeMultiplier, frexp, roundHalfAway } from '../models/quantize-multiplier.js';

test('frexp: mantissa in [0.5, 1), exact reconstruction', () => {
  for (const x of [1, 0.5, 0.75, 3, 1e-9, 2 ** -40, 123456.789, 0.0039215686, -2.5]) {
    const [m, e] = frexp(x);
    assert.ok(Math.abs(m) >= 0.5 && Math.abs(m) < 1, `frexp(${x}) mantissa ${m}`);
    assert.equal(m * 2 ** e, x, `frexp(${x}) = ${m} * 2^${e}`);
  }
});

test('roundHalfAway rounds halves away from zero, as C round()', () => {
  assert.deepEqual([2.5, -2.5, 0.5, -0.5, 1.4999, -1.5].map(roundHalfAway), [3, -3, 1, -1, 1, -2]);
});

test('quantizeMultiplier: known values', () => {
  assert.deepEqual(quantizeMultiplier(0), [0, 0]);
  assert.deepEqual(quantizeMultiplier(0.5), [2 ** 30, 0]);
  assert.deepEqual(quantizeMultiplier(1), [2 ** 30, 1]);
  assert.deepEqual(quantizeMultiplier(0.25), [2 ** 30, -1]);
  // 0.75 = 0.75 * 2^0: round(0.75 * 2^31) = 1610612736
  assert.deepEqual(quantizeMultiplier(0.75), [1610612736, 0]);
  // A mantissa that rounds up to 2^31 is halved and the shift grows.
  assert.deepEqual(quantizeMultiplier(1 - 2 ** -40), [2 ** 30, 1]);
  // Below 2^-32 the multiplier flushes to zero.
  assert.deepEqual(quantizeMultiplier(2 ** -33), [0, 0]);
});

test('quantizeMultiplier: multiplier * 2^(shift-31) approximates the real value to 2^-31 relative', () => {
  for (const real of [0.000123, 0.0042, 0.31, 0.999, 1.7, 23.5]) {
    const [m, s] = quantizeMultiplier(real);
    assert.ok(m >= 2 ** 30 && m < 2 ** 31, `multiplier ${m} of ${real} not in [2^30, 2^31)`);
    assert.ok(Math.abs(m * 2 ** (s - 31) - real) / real < 2 ** -30, `${real} -> ${m}, ${s}`);
  }
});
