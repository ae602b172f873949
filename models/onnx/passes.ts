// The ONNX importer's rewriting passes (import.ts): QuantizeLinear / DequantizeLinear of QDQ models,
// the NCHW <-> NHWC Transposes that vanish, BatchNormalization folded into a Conv (or a MUL and an
// ADD), and HardSigmoid as a MUL, an ADD with a fused RELU6 and a MUL.

import { ConvertError } from '../graph.js';
import { f32Bytes, UINT8, INT8, ints, int, float, type Node } from './proto.js';
import type { Importer, Value } from './import.js';

// QDQ models (QuantizeLinear / DequantizeLinear around float ops, as ONNX Runtime's quantizer
// writes them): a DequantizeLinear of an initializer folds into a float constant (the ops' own
// quantization re-derives int8 weights from it: per-channel max|w| / 127, what symmetric QDQ
// weights hold); a QuantizeLinear of an activation fixes that activation's int8 parameters (uint8
// ones shifted by 128: the same real values), and the DequantizeLinear after it is the activation
// itself again. Post-training quantization then takes those parameters instead of calibrating.
export function qdq(im: Importer, n: Node, where: string): void {
  const input = n.input[0]!;
  const param = (k: number, fallback: number) => (n.input[k] ? im.constant(n.input[k]!, `${where}: input ${k}`) : undefined)?.values ?? Float64Array.of(fallback);
  const [scale, zero] = [param(1, 1), param(2, 0)];
  const zeroType = im.zeroTypes.get(n.input[2] ?? '') ?? INT8;
  if (n.opType === 'DequantizeLinear' && im.consts.has(input)) {
    const c = im.consts.get(input)!;
    const axis = int(n, 'axis', 1);
    const inner = scale.length > 1 ? c.dims.slice(axis + 1).reduce((a, d) => a * d, 1) : c.values.length;
    const values = c.values.map((q, i) => {
      const ch = scale.length > 1 ? Math.floor(i / inner) % scale.length : 0;
      return (q - zero[Math.min(ch, zero.length - 1)]!) * scale[ch]!;
    });
    im.consts.set(n.output[0]!, { dims: c.dims, values });
    return;
  }
  const v = im.value(input, `${where}: input '${input}'`);
  if (n.opType === 'QuantizeLinear') {
    if (scale.length !== 1) throw new ConvertError(`${where}: a per-axis QuantizeLinear of an activation; edgewasm quantizes activations per tensor`);
    const zp = zero[0]! - (zeroType === UINT8 ? 128 : 0); // uint8 → int8
    const t = im.graph.tensors[v.tensor]!;
    if (zp < -128 || zp > 127 || !(scale[0]! > 0)) throw new ConvertError(`${where}: scale ${scale[0]}, zero point ${zero[0]}`);
    if (!t.quant) t.quant = { scale: [Math.fround(scale[0]!)], zeroPoint: [zp], axis: 0 };
  }
  im.values.set(n.output[0]!, v);
}

// Transposes between NCHW and NHWC cost nothing: the data is NHWC either way, only how ONNX
// numbers its axes changes. Other permutations are refused.
export function transpose(im: Importer, n: Node, v: Value, where: string): void {
  const perm = ints(n, 'perm', []).join();
  const s = im.shape(v);
  if (s.length === 4 && v.nchw && perm === '0,2,3,1') im.values.set(n.output[0]!, { tensor: v.tensor, nchw: false });
  else if (s.length === 4 && !v.nchw && perm === '0,3,1,2') im.values.set(n.output[0]!, { tensor: v.tensor, nchw: true });
  else throw new ConvertError(`${where}: perm [${perm}] of [${s}]; edgewasm takes the NCHW <-> NHWC transposes of an image`);
}

// BatchNormalization: y = x * scale + shift per channel, scale = gamma / sqrt(var + eps), shift =
// beta - mean * scale. After a Conv (its only consumer, no activation yet) it folds into the
// Conv's weights and bias; elsewhere it becomes a MUL and an ADD by per-channel constants.
export function batchNorm(im: Importer, n: Node, index: number, v: Value, where: string): void {
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => im.constant(n.input[k]!, `${where}: input ${k}`).values);
  const eps = float(n, 'epsilon', 1e-5);
  const s = im.shape(v);
  const channels = v.nchw ? s[3]! : s[1]!;
  if (s.length !== (v.nchw ? 4 : 2) || [gamma, beta, mean, variance].some((a) => a!.length !== channels)) {
    throw new ConvertError(`${where}: parameters of ${gamma!.length} channels for [${s}]`);
  }
  const scale = gamma!.map((g, c) => g / Math.sqrt(variance![c]! + eps));
  const shift = scale.map((sc, c) => beta![c]! - mean![c]! * sc);
  const producer = im.graph.ops.find((o) => o.outputs[0] === v.tensor);
  if (producer && ['CONV_2D', 'DEPTHWISE_CONV_2D'].includes(producer.type) && producer.options.fusedActivationFunction === 'NONE'
    && im.uses.get(n.input[0]!) === 1) {
    const w = im.graph.tensors[producer.inputs[1]!]!;
    const weights = new Float32Array(w.data!.slice().buffer);
    const inner = producer.type === 'CONV_2D' ? weights.length / channels : 1;
    weights.forEach((x, i) => { weights[i] = x * scale[Math.floor(i / inner) % channels]!; });
    w.data = new Uint8Array(weights.buffer);
    const old = producer.inputs[2] !== undefined ? new Float32Array(im.graph.tensors[producer.inputs[2]]!.data!.slice().buffer) : new Float32Array(channels);
    producer.inputs[2] = im.add(`${n.output[0]}#bias`, [channels], f32Bytes(scale.map((sc, c) => old[c]! * sc + shift[c]!)));
    im.values.set(n.output[0]!, v);
    return;
  }
  const perChannel = v.nchw ? [1, 1, 1, channels] : [1, channels];
  const scaled = `${n.output[0]}#scaled`;
  im.op('MUL', index, [v.tensor, im.add(`${n.output[0]}#scale`, perChannel, f32Bytes(scale))], scaled, s, { fusedActivationFunction: 'NONE' }, v.nchw);
  im.op('ADD', index, [im.values.get(scaled)!.tensor, im.add(`${n.output[0]}#shift`, perChannel, f32Bytes(shift))], n.output[0]!, s, { fusedActivationFunction: 'NONE' }, v.nchw);
}

// HardSigmoid(x) = clamp(alpha x + beta, 0, 1) = RELU6(6 alpha x + 6 beta) / 6: a MUL, an ADD with
// a fused RELU6, a MUL, by scalar constants.
export function hardSigmoid(im: Importer, n: Node, index: number, v: Value): void {
  const [alpha, beta] = [float(n, 'alpha', 0.2), float(n, 'beta', 0.5)];
  const s = im.shape(v);
  const scalar = (suffix: string, x: number) => im.add(`${n.output[0]}#${suffix}`, [1], f32Bytes([x]));
  const [a, b] = [`${n.output[0]}#a`, `${n.output[0]}#b`];
  im.op('MUL', index, [v.tensor, scalar('6alpha', 6 * alpha)], a, s, { fusedActivationFunction: 'NONE' }, v.nchw);
  im.op('ADD', index, [im.values.get(a)!.tensor, scalar('6beta', 6 * beta)], b, s, { fusedActivationFunction: 'RELU6' }, v.nchw);
  im.op('MUL', index, [im.values.get(b)!.tensor, scalar('sixth', 1 / 6)], n.output[0]!, s, { fusedActivationFunction: 'NONE' }, v.nchw);
}
