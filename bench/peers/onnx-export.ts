// Writes the converter's int8 Graph (models/tflite/import.ts) as an ONNX QDQ model, so that
// onnxruntime-web can run the same MLPerf Tiny networks as the other runtimes. Benchmark use only:
// ONNX Runtime requantizes in float, so outputs are close to TFLite Micro's, not equal.
// Form: every activation is a float edge wrapped in QuantizeLinear -> DequantizeLinear with UINT8
// (the int8 scale, zero point + 128: the same real values), because ORT's fast kernels pair uint8
// activations with int8 weights; int8 activations send it to 3-8x slower paths (../shared/PEERS.md).
// Weights stay int8 (per-channel along ONNX axis 0), biases int32 with scale s_in * s_w.
// Layout: TFLite is NHWC, ONNX convolutions are NCHW: the input is transposed once, weights are
// permuted here (OHWI -> OIHW, depthwise 1HWO -> O1HW), and a tensor goes back to NHWC only where a
// RESHAPE or FULLY_CONNECTED flattens it. Graph input and output stay int8 NHWC like the .tflite.
// Ops: CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX, ADD with
// fused NONE/RELU/RELU6 (what the four models use); anything else throws naming the op.

import onnxProto from 'onnx-proto';
import type { Graph, Op, Tensor } from '../../models/graph.js';

const { onnx } = onnxProto;
const T = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const f32 = (xs: number[]) => bytes(new Float32Array(xs));

/** A value in the ONNX graph standing for one TFLite tensor: its float edge and its layout. */
interface Value { name: string; nchw: boolean }

class OnnxGraph {
  nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  inits: InstanceType<typeof onnx.TensorProto>[] = [];
  private count = 0;

  fresh(base: string): string {
    return `${base}_${this.count++}`;
  }

  init(base: string, dataType: number, dims: number[], raw: Uint8Array): string {
    const name = this.fresh(base);
    this.inits.push(onnx.TensorProto.create({ name, dataType, dims, rawData: raw }));
    return name;
  }

  node(opType: string, input: string[], attrs: Record<string, number | number[]> = {}): string {
    const output = this.fresh(opType.toLowerCase());
    const attribute = Object.entries(attrs).map(([name, v]) => Array.isArray(v)
      ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
      : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v }));
    this.nodes.push(onnx.NodeProto.create({ opType, input, output: [output], attribute }));
    return output;
  }
}

/** Scale and zero point initializers for a per-tensor quantized tensor, in uint8 or int8 form. */
function qparams(g: OnnxGraph, t: Tensor, asUint8: boolean): [string, string] {
  if (!t.quant || t.quant.scale.length !== 1) throw new Error(`onnx export: ${t.name} is not per-tensor quantized`);
  const zp = t.quant.zeroPoint[0]!;
  const scale = g.init('scale', T.FLOAT, [], f32([t.quant.scale[0]!]));
  const zero = asUint8 ? g.init('zp', T.UINT8, [], new Uint8Array([zp + 128])) : g.init('zp', T.INT8, [], bytes(new Int8Array([zp])));
  return [scale, zero];
}

/** Rounds a float edge to the tensor's quantization and back, so ORT sees a QDQ pair. */
function qdq(g: OnnxGraph, float: string, t: Tensor): string {
  const [scale, zero] = qparams(g, t, true);
  return g.node('DequantizeLinear', [g.node('QuantizeLinear', [float, scale, zero]), scale, zero]);
}

/** Reorders a constant's elements: out[i] = in[source(i)], for int8 or int32 elements. */
function permute(data: Uint8Array, elementBytes: number, count: number, source: (i: number) => number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < count; i++) out.set(data.subarray(source(i) * elementBytes, (source(i) + 1) * elementBytes), i * elementBytes);
  return out;
}

/** Dequantized weights: int8 data (already in ONNX order, output channel first), per-channel scales on axis 0. */
function weights(g: OnnxGraph, t: Tensor, dims: number[], data: Uint8Array): string {
  const s = t.quant!.scale;
  const perChannel = s.length > 1;
  const scale = g.init('w_scale', T.FLOAT, perChannel ? [s.length] : [], f32(s));
  const zero = g.init('w_zp', T.INT8, perChannel ? [s.length] : [], new Uint8Array(s.length));
  const w = g.init('w', T.INT8, dims, data);
  return g.node('DequantizeLinear', [w, scale, zero], perChannel ? { axis: 0 } : {});
}

/** Dequantized int32 bias with scale s_in * s_w (per channel when the weights are). */
function bias(g: OnnxGraph, t: Tensor, input: Tensor, w: Tensor): string {
  const sIn = input.quant!.scale[0]!;
  const s = w.quant!.scale.map((sw) => Math.fround(sIn * sw));
  const perChannel = s.length > 1;
  const scale = g.init('b_scale', T.FLOAT, perChannel ? [s.length] : [], f32(s));
  const zero = g.init('b_zp', T.INT32, perChannel ? [s.length] : [], new Uint8Array(4 * s.length));
  const b = g.init('b', T.INT32, [t.shape[0]!], t.data!);
  return g.node('DequantizeLinear', [b, scale, zero], perChannel ? { axis: 0 } : {});
}

function activation(g: OnnxGraph, op: Op, x: string): string {
  const act = op.options.fusedActivationFunction ?? 'NONE';
  if (act === 'NONE') return x;
  if (act === 'RELU') return g.node('Relu', [x]);
  if (act === 'RELU6') return g.node('Clip', [x, g.init('lo', T.FLOAT, [], f32([0])), g.init('hi', T.FLOAT, [], f32([6]))]);
  throw new Error(`onnx export: op ${op.index} ${op.type}: activation ${act} not supported`);
}

/** TFLite's explicit padding for SAME/VALID: [top, left, bottom, right], the odd pixel at the end. */
function pads(op: Op, inH: number, inW: number, kH: number, kW: number): number[] {
  if (op.options.padding !== 'SAME') return [0, 0, 0, 0];
  const one = (size: number, k: number, stride: number, dilation: number) => {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(inH, kH, Number(op.options.strideH), Number(op.options.dilationHFactor ?? 1));
  const [l, r] = one(inW, kW, Number(op.options.strideW), Number(op.options.dilationWFactor ?? 1));
  return [t!, l!, b!, r!];
}

/** A float edge in NHWC (or the flat layout it already has), for ops that read elements in TFLite order. */
function nhwc(g: OnnxGraph, v: Value): string {
  return v.nchw ? g.node('Transpose', [v.name], { perm: TO_NHWC }) : v.name;
}

function convLike(g: OnnxGraph, graph: Graph, op: Op, x: Value, depthwise: boolean): Value {
  const [input, w, b] = op.inputs.map((i) => (i < 0 ? undefined : graph.tensors[i]));
  const [, inH, inW, inC] = input!.shape as [number, number, number, number];
  const [wO, kH, kW, wI] = w!.shape as [number, number, number, number];
  if (!x.nchw) throw new Error(`onnx export: op ${op.index} ${op.type}: input is not an image`);
  // OHWI -> OIHW; depthwise 1HWO -> O1HW (group = inC: channel o reads input o / multiplier).
  const outC = depthwise ? wI : wO;
  const perOut = depthwise ? kH * kW : kH * kW * wI;
  const inPer = depthwise ? 1 : wI;
  const data = permute(w!.data!, 1, outC * perOut, (i) => {
    const o = Math.floor(i / perOut), r = i % perOut;
    const c = Math.floor(r / (kH * kW)), y = Math.floor((r % (kH * kW)) / kW), xx = r % kW;
    return depthwise ? (y * kW + xx) * outC + o : ((o * kH + y) * kW + xx) * wI + c;
  });
  const inputs = [x.name, weights(g, w!, [outC, inPer, kH, kW], data)];
  if (b) inputs.push(bias(g, b, input!, w!));
  const y = g.node('Conv', inputs, {
    kernel_shape: [kH, kW], strides: [Number(op.options.strideH), Number(op.options.strideW)],
    dilations: [Number(op.options.dilationHFactor ?? 1), Number(op.options.dilationWFactor ?? 1)],
    pads: pads(op, inH, inW, kH, kW), group: depthwise ? inC : inC / wI,
  });
  return { name: activation(g, op, y), nchw: true };
}

function lowerOp(g: OnnxGraph, graph: Graph, op: Op, values: Map<number, Value>): Value {
  const x = values.get(op.inputs[0]!);
  if (!x) throw new Error(`onnx export: op ${op.index} ${op.type}: input ${op.inputs[0]} not computed`);
  const out = graph.tensors[op.outputs[0]!]!;
  switch (op.type) {
    case 'CONV_2D': return convLike(g, graph, op, x, false);
    case 'DEPTHWISE_CONV_2D': return convLike(g, graph, op, x, true);
    case 'AVERAGE_POOL_2D': {
      const [, inH, inW] = graph.tensors[op.inputs[0]!]!.shape as [number, number, number];
      const kH = Number(op.options.filterHeight), kW = Number(op.options.filterWidth);
      const y = g.node('AveragePool', [x.name], {
        kernel_shape: [kH, kW], strides: [Number(op.options.strideH), Number(op.options.strideW)], pads: pads(op, inH, inW, kH, kW),
      });
      return { name: activation(g, op, y), nchw: true };
    }
    case 'RESHAPE': {
      const shape = g.init('shape', T.INT64, [out.shape.length], bytes(new BigInt64Array(out.shape.map(BigInt))));
      const y = g.node('Reshape', [nhwc(g, x), shape]);
      return out.shape.length === 4 ? { name: g.node('Transpose', [y], { perm: TO_NCHW }), nchw: true } : { name: y, nchw: false };
    }
    case 'FULLY_CONNECTED': {
      const [input, w, b] = op.inputs.map((i) => (i < 0 ? undefined : graph.tensors[i]));
      const depth = w!.shape[1]!;
      let a = nhwc(g, x);
      if (input!.shape.length !== 2) a = g.node('Reshape', [a, g.init('shape', T.INT64, [2], bytes(new BigInt64Array([-1n, BigInt(depth)])))]);
      const inputs = [a, weights(g, w!, w!.shape, w!.data!)];
      if (b) inputs.push(bias(g, b, input!, w!));
      const y = g.node('Gemm', inputs, { transB: 1 });
      if (out.shape.length !== 2) throw new Error(`onnx export: op ${op.index} FULLY_CONNECTED: keepNumDims not supported`);
      return { name: activation(g, op, y), nchw: false };
    }
    case 'SOFTMAX': {
      if (x.nchw || Number(op.options.beta) !== 1) throw new Error(`onnx export: op ${op.index} SOFTMAX: only beta 1 on a flat tensor`);
      return { name: g.node('Softmax', [x.name], { axis: -1 }), nchw: false };
    }
    case 'ADD': {
      const y = values.get(op.inputs[1]!);
      if (!y || y.nchw !== x.nchw) throw new Error(`onnx export: op ${op.index} ADD: operands differ in layout`);
      return { name: activation(g, op, g.node('Add', [x.name, y.name])), nchw: x.nchw };
    }
    default:
      throw new Error(`onnx export: op ${op.index} ${op.type} not supported`);
  }
}

const valueInfo = (name: string, elemType: number, shape: number[]) => onnx.ValueInfoProto.create({
  name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
});

/** The ONNX model bytes for a single-input, single-output int8 graph. */
export function exportOnnx(graph: Graph): Uint8Array {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new Error('onnx export: one input and one output only');
  const g = new OnnxGraph();
  const values = new Map<number, Value>();
  const inT = graph.tensors[graph.inputs[0]!]!;
  const outT = graph.tensors[graph.outputs[0]!]!;
  let x = g.node('DequantizeLinear', ['input', ...qparams(g, inT, false)]);
  const image = inT.shape.length === 4;
  if (image) x = g.node('Transpose', [x], { perm: TO_NCHW });
  values.set(graph.inputs[0]!, { name: qdq(g, x, inT), nchw: image });
  for (const op of graph.ops) {
    const y = lowerOp(g, graph, op, values);
    values.set(op.outputs[0]!, { name: qdq(g, y.name, graph.tensors[op.outputs[0]!]!), nchw: y.nchw });
  }
  const last = values.get(graph.outputs[0]!)!;
  const [scale, zero] = qparams(g, outT, false);
  g.nodes.push(onnx.NodeProto.create({ opType: 'QuantizeLinear', input: [nhwc(g, last), scale, zero], output: ['output'] }));
  const model = onnx.ModelProto.create({
    irVersion: 7, producerName: 'edgewasm bench', opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: graph.source ?? 'model', node: g.nodes, initializer: g.inits,
      input: [valueInfo('input', T.INT8, inT.shape)], output: [valueInfo('output', T.INT8, outT.shape)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
