// Running the int8 digit model on a set of digits through the edgewasm runtime, shared by the
// training script (int8 vs float), the `npm start` demo and tests/digits.test.ts. Pixels in [0, 1]
// are quantized with the model's own input scale and zero point (round(p / scale) + zp, clamped),
// as TFLite's AffineQuantize does; a digit's class is the argmax of the int8 softmax output, the
// first one on a tie.

import { quantize, type Model } from '../../host/index.js';
import { image, type Digits } from './data.js';

export function quantizeImage(model: Model, pixels: Float32Array): Int8Array {
  const input = model.inputs[0]!;
  return quantize(pixels, input.scale, input.zeroPoint);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The int8 model's output for sample i of the set. */
export function int8Output(model: Model, set: Digits, i: number): Int8Array {
  return model.run(quantizeImage(model, image(set, i)))[0] as Int8Array;
}

export function int8Predictions(model: Model, set: Digits): Uint8Array {
  return Uint8Array.from({ length: set.count }, (_, i) => argmax(int8Output(model, set, i)));
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predictions: Uint8Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}
