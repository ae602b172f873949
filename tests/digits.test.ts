// The bundled digit classifier: the committed models/digits/digits.ewm loads, declares the
// quantization quantize.ts gives it, and reaches at least 96 % on the `mnist` package's test split
// (a real accuracy check: a broken kernel, lowering or file makes it fail). Plus unit checks of the
// quantizer's TFLite scheme: symmetric per-channel weights and activation ranges that include 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../host/index.js';
import { loadDigits, EWM_PATH } from '../models/digits/data.js';
import { accuracy, int8Predictions } from '../models/digits/evaluate.js';
import { INPUT_QUANT, SOFTMAX_QUANT } from '../models/digits/quantize.js';
import { quantizePerChannel, activationQuant } from '../models/quantize/scheme.js';

const MIN_ACCURACY = 0.96;

for (const build of ['simd', 'mvp'] as const) {
  test(`digits.ewm (${build} runtime): int8 accuracy on the test split is at least 96 %`, async () => {
    const model = await loadModel(new Uint8Array(readFileSync(EWM_PATH)), { name: 'digits.ewm', build });
    const { test: digits } = loadDigits();
    assert.equal(digits.count, 2004);
    const acc = accuracy(int8Predictions(model, digits), digits.labels);
    assert.ok(acc >= MIN_ACCURACY, `int8 accuracy ${(100 * acc).toFixed(2)} % on ${digits.count} test digits, below ${100 * MIN_ACCURACY} %`);
  });
}

test('digits.ewm: int8 input for pixels [0, 1], softmax output, labels 0..9', async () => {
  const model = await loadModel(new Uint8Array(readFileSync(EWM_PATH)), { name: 'digits.ewm' });
  const [input, output] = [model.inputs[0]!, model.outputs[0]!];
  assert.deepEqual([input.dtype, input.shape, input.scale, input.zeroPoint], ['int8', [1, 28, 28, 1], INPUT_QUANT.scale, -128]);
  assert.deepEqual([output.dtype, output.shape, output.scale, output.zeroPoint], ['int8', [1, 10], SOFTMAX_QUANT.scale, -128]);
  assert.deepEqual(model.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('quantizePerChannel: symmetric int8, scale = max|w| / 127 per channel, zero point 0', () => {
  const w = [0.5, -1.27, 0.1, 2.54, -0.3, 1, 0, 0, 0];
  const { q, scales } = quantizePerChannel(w, [3, 3], 0);
  assert.deepEqual(scales, [Math.fround(1.27 / 127), Math.fround(2.54 / 127), 1]);
  assert.deepEqual(Array.from(q), [50, -127, 10, 127, -15, 50, 0, 0, 0]);
  // Symmetric: negating the weights negates every value and keeps every scale.
  const neg = quantizePerChannel(w.map((v) => -v), [3, 3], 0);
  assert.deepEqual(neg.scales, scales);
  assert.deepEqual(Array.from(neg.q), Array.from(q, (v) => -v || 0));
  assert.ok(Array.from(q).every((v) => v >= -127 && v <= 127), 'int8 weights stay in [-127, 127]');
  // Channels along the last axis (1HWO depthwise weights): the transposed weights, the same scales.
  const t = [0.5, 2.54, 0, -1.27, -0.3, 0, 0.1, 1, 0];
  const last = quantizePerChannel(t, [1, 3, 3], 2);
  assert.deepEqual(last.scales, scales);
  assert.deepEqual(Array.from(last.q), [50, 127, 0, -127, -15, 0, 10, 50, 0]);
});

test('activationQuant: asymmetric int8 whose range includes 0', () => {
  // A ReLU output [0, 2.55]: zero point -128, scale 0.01.
  assert.deepEqual(activationQuant(0, 2.55), { scale: Math.fround(0.01), zeroPoint: -128 });
  // A range above 0 is widened down to 0, so real 0 is exactly the zero point.
  assert.deepEqual(activationQuant(1, 2.55), { scale: Math.fround(0.01), zeroPoint: -128 });
  // Logits [-2.55, 7.65]: scale 10.2 / 255 = 0.04, zero point round(-128 + 2.55 / 0.04) = -64.
  assert.deepEqual(activationQuant(-2.55, 7.65), { scale: Math.fround(0.04), zeroPoint: -64 });
});
