// Post-training int8 quantization of the float digit network, in TensorFlow Lite's scheme, into
// the same Graph the TFLite importer would produce for the equivalent int8 .tflite file:
//   - weights: per-channel symmetric int8 along axis 0 (output channel), scale = max|w| / 127,
//     zero point 0, values round(w / scale) in [−127, 127];
//   - biases: int32, scale input_scale · weight_scale[c], zero point 0;
//   - activations: asymmetric int8 from the min/max observed on training samples, the range
//     widened to include 0 (so real 0 is exact), scale = (max − min) / 255;
//   - input: pixels [0, 1] → scale 1/255, zero point −128; softmax output: scale 1/256, zp −128;
//   - ReLU fused into the convolutions; RESHAPE (NHWC → (1, 7·7·C)) keeps its input's quantization.
// Scales are float32, as a .tflite stores them. Options have the form models/tflite/options.ts
// reads (every schema field; enums other than padding and activation stay numbers). Tensors are TFLite-shaped: activations NHWC,
// CONV_2D weights OHWI, FULLY_CONNECTED weights (O, I); constants are little-endian bytes.

import type { Graph, Op, Quantization, Tensor } from '../graph.js';
import { convertGraph } from '../convert.js';
import { f32 } from '../quantize-multiplier.js';
import { quantizePerChannel, activationQuant, quantizeBias } from '../quantize/scheme.js';
import { image, CLASSES, type Digits } from './data.js';
import { activations, forward, FC_OUT, type Conv, type Params } from './net.js';

export const INPUT_QUANT = { scale: f32(1 / 255), zeroPoint: -128 };
export const SOFTMAX_QUANT = { scale: f32(1 / 256), zeroPoint: -128 };

type Range = [number, number];

/** Min/max of each activation (after the fused ReLUs) over the training samples. */
export function calibrate(p: Params, train: Digits): { conv1: Range; conv2: Range; logits: Range } {
  const act = activations(p.arch);
  const ranges = { conv1: [Infinity, -Infinity] as Range, conv2: [Infinity, -Infinity] as Range, logits: [Infinity, -Infinity] as Range };
  const widen = (r: Range, values: Float64Array) => {
    for (const v of values) { if (v < r[0]) r[0] = v; if (v > r[1]) r[1] = v; }
  };
  for (let i = 0; i < train.count; i++) {
    forward(p, image(train, i), act);
    widen(ranges.conv1, act.a1);
    widen(ranges.conv2, act.a2);
    widen(ranges.logits, act.logits);
  }
  return ranges;
}

function int32LE(values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return out;
}

const perTensor = (q: { scale: number; zeroPoint: number }): Quantization => ({ scale: [q.scale], zeroPoint: [q.zeroPoint], axis: 0 });
const perChannel = (scales: number[]): Quantization => ({ scale: scales, zeroPoint: scales.map(() => 0), axis: 0 });

/** The int8 graph of the trained network, calibrated on the training set. */
export function quantizeNet(p: Params, train: Digits): Graph {
  const ranges = calibrate(p, train);
  const tensors: Tensor[] = [];
  const ops: Op[] = [];
  const add = (t: Tensor) => tensors.push(t) - 1;
  const act = (name: string, shape: number[], q: Quantization) => add({ name, dtype: 'int8', shape, quant: q });

  // A weight tensor and its bias; the bias scale is input scale × each channel's weight scale.
  const weighted = (name: string, w: Float64Array, b: Float64Array, shape: number[], inScale: number) => {
    const { q, scales } = quantizePerChannel(w, shape, 0);
    const biasScales = scales.map((s) => f32(inScale * s));
    const bias = Array.from(quantizeBias(b, biasScales));
    const wt = add({ name: `${name}/weights`, dtype: 'int8', shape, quant: perChannel(scales), data: new Uint8Array(q.buffer) });
    const bt = add({ name: `${name}/bias`, dtype: 'int32', shape: [shape[0]!], quant: perChannel(biasScales), data: int32LE(bias) });
    return [wt, bt];
  };
  const conv = (name: string, c: Conv, input: number, w: Float64Array, b: Float64Array, range: Range) => {
    const inScale = tensors[input]!.quant!.scale[0]!;
    const [wt, bt] = weighted(name, w, b, [c.cout, c.k, c.k, c.cin], inScale);
    const out = act(name, [1, c.oh, c.ow, c.cout], perTensor(activationQuant(...range)));
    ops.push({
      type: 'CONV_2D', index: ops.length, inputs: [input, wt!, bt!], outputs: [out],
      options: {
        padding: 'SAME', strideW: c.stride, strideH: c.stride, fusedActivationFunction: 'RELU',
        dilationWFactor: 1, dilationHFactor: 1, quantizedBiasType: 0,
      },
    });
    return out;
  };

  const { conv1, conv2, fcIn } = p.arch;
  const input = act('input', [1, conv1.h, conv1.w, conv1.cin], perTensor(INPUT_QUANT));
  const c1 = conv('conv1', conv1, input, p.w1, p.b1, ranges.conv1);
  const c2 = conv('conv2', conv2, c1, p.w2, p.b2, ranges.conv2);

  const newShape = [1, fcIn];
  const shape = add({ name: 'flatten/shape', dtype: 'int32', shape: [2], data: int32LE(newShape) });
  const flat = act('flatten', newShape, { ...tensors[c2]!.quant! });
  ops.push({ type: 'RESHAPE', index: ops.length, inputs: [c2, shape], outputs: [flat], options: { newShape } });

  const [fw, fb] = weighted('fc', p.w3, p.b3, [FC_OUT, fcIn], tensors[flat]!.quant!.scale[0]!);
  const logits = act('logits', [1, FC_OUT], perTensor(activationQuant(...ranges.logits)));
  ops.push({
    type: 'FULLY_CONNECTED', index: ops.length, inputs: [flat, fw!, fb!], outputs: [logits],
    options: { fusedActivationFunction: 'NONE', weightsFormat: 0, keepNumDims: false, asymmetricQuantizeInputs: false, quantizedBiasType: 0 },
  });

  const probs = act('probabilities', [1, FC_OUT], perTensor(SOFTMAX_QUANT));
  ops.push({ type: 'SOFTMAX', index: ops.length, inputs: [logits], outputs: [probs], options: { beta: 1 } });

  const labels = Array.from({ length: CLASSES }, (_, d) => String(d));
  return { tensors, ops, inputs: [input], outputs: [probs], labels, source: 'models/digits/train.ts' };
}

/** The .ewm bytes of the quantized network. */
export function buildEwm(p: Params, train: Digits): Uint8Array {
  return convertGraph(quantizeNet(p, train)).bytes;
}
