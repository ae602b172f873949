// TensorFlow Lite's int8 quantization scheme, the parameters a post-training quantizer chooses:
//   - weights: symmetric int8 per output channel, scale = max|w| / 127 (1 for an all-zero channel),
//     zero point 0, values round(w / scale) in [-127, 127];
//   - biases: int32, scale = input_scale * weight_scale[c], zero point 0;
//   - activations: asymmetric int8 from an observed [min, max] widened to include 0 (so real 0 is
//     exact), scale = (max - min) / 255.
// Scales are float32, as a .tflite stores them.

import { f32, roundHalfAway } from '../quantize-multiplier.js';

export interface ChannelQuant {
  q: Int8Array;
  scales: number[]; // float32 values, one per channel
}

/**
 * Symmetric per-channel int8 weights of a row-major tensor of `shape`, channels along `axis`
 * (0 for OHWI conv and (O, I) fully connected weights, 3 for 1HWO depthwise weights).
 */
export function quantizePerChannel(w: ArrayLike<number>, shape: number[], axis: number): ChannelQuant {
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(w[i]!));
  const scales = Array.from(maxAbs, (m) => (m > 0 ? f32(m / 127) : 1));
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, roundHalfAway(w[i]! / scales[channelOf(i)]!)));
  return { q, scales };
}

/** Asymmetric int8 parameters for a real range, widened to include 0 as TFLite's calibrator does. */
export function activationQuant(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = f32((hi - lo) / 255);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, roundHalfAway(-128 - lo / scale))) };
}

/** int32 biases for per-channel scales. */
export function quantizeBias(b: ArrayLike<number>, scales: number[]): Int32Array {
  return Int32Array.from({ length: b.length }, (_, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, roundHalfAway(b[c]! / scales[c]!))));
}
