// ONNX importer: a float ONNX model (opset 13 or later, decoded with onnx-proto) → the converter's
// Graph in TFLite's conventions, so the float executor, post-training quantization and the lowering
// serve it as they serve a float .tflite. The layout change happens here, once, not at run time:
//   - 4-D activations NCHW → NHWC; the graph's 4-D inputs become NHWC too (the converted model
//     takes NHWC samples);
//   - Conv weights OIHW → OHWI, a depthwise Conv (group = input channels = output channels) →
//     DEPTHWISE_CONV_2D with 1HWO weights; explicit pads must be TFLite's SAME or VALID;
//   - Flatten of an NCHW tensor flattens NHWC (H, W, C order): the Gemm / MatMul reading it gets
//     its weight columns permuted from (C, H, W) to (H, W, C) order instead of a transpose at run
//     time; any other consumer of such a tensor is refused.
// Graph passes on the way: constant folding (fold.ts: Constant, Shape, Gather, Unsqueeze,
// Squeeze, Concat, Cast and Slice of known values); Identity and Dropout vanish; a
// BatchNormalization after a Conv folds into its weights and bias; a Relu or Clip(0, 6) that is
// the only consumer of a Conv / Gemm output (or of its folded BatchNormalization) fuses into it as
// RELU / RELU6; QuantizeLinear / DequantizeLinear (QDQ models) become activation parameters and
// folded weights; a Transpose between NCHW and NHWC vanishes (the data is NHWC either way).
// Ops: Conv, BatchNormalization (folded after a Conv, else MUL + ADD), HardSigmoid (MUL, ADD +
// RELU6, MUL), Gemm, MatMul (constant B), Add, Mul, Relu, Clip(0, 6) and Clip(0, none), Sigmoid,
// HardSwish, LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape (constant shape),
// Softmax (last axis), Concat, Pad (zeros), ReduceMean, Squeeze / Unsqueeze (of 1x1 spatial axes or
// of flat tensors), Transpose (NCHW <-> NHWC), Identity, Dropout, QuantizeLinear, DequantizeLinear.
// Anything else is refused with its node's name, op type and the model's opset.

import onnxProto from 'onnx-proto';
import { ConvertError, elementCount, type Graph, type Op } from '../graph.js';
import { fold } from './fold.js';
import { concat, pad, reduceMean, squeeze, flatten } from './layout.js';
import { qdq, transpose, batchNorm, hardSigmoid } from './passes.js';
import { f32Bytes, FLOAT, attr, ints, int, float, tensorValues, type GraphProto, type ModelProto, type Node } from './proto.js';

const { onnx } = onnxProto;

export interface Value { tensor: number; nchw: boolean; flatCHW?: [number, number, number] }

/** Reads an .onnx file; every refusal is a ConvertError whose message starts with `source`. */
export function readOnnx(bytes: Uint8Array, source: string): Graph {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: true, arrays: true }) as ModelProto;
  } catch (e) {
    throw new ConvertError(`${source}: unreadable ONNX protobuf (${(e as Error).message})`);
  }
  const opset = Number(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
  if (opset < 13) throw new ConvertError(`${source}: opset ${opset}; edgewasm imports ONNX opset 13 and later`);
  if (!model.graph) throw new ConvertError(`${source}: the model has no graph`);
  try {
    return new Importer(model.graph, opset, source).graph;
  } catch (e) {
    if (e instanceof ConvertError) throw new ConvertError(`${source}: ${e.message}`);
    throw e;
  }
}

export class Importer {
  graph: Graph = { tensors: [], ops: [], inputs: [], outputs: [] };
  values = new Map<string, Value>();
  consts = new Map<string, { dims: number[]; values: Float64Array }>();
  uses = new Map<string, number>();
  zeroTypes = new Map<string, number>(); // an initializer's ONNX data type, for zero points

  constructor(g: GraphProto, private opset: number, source: string) {
    this.graph.source = source;
    for (const t of g.initializer) {
      this.consts.set(t.name, { dims: t.dims.map(Number), values: tensorValues(t) });
      this.zeroTypes.set(t.name, t.dataType);
    }
    for (const n of g.node) for (const i of n.input) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const i of g.input) {
      if (this.consts.has(i.name)) continue;
      const dims = i.type?.tensorType?.shape?.dim.map((d) => Number(d.dimValue)) ?? [];
      if (i.type?.tensorType?.elemType !== FLOAT || dims.some((d) => !(d > 0))) {
        throw new ConvertError(`input '${i.name}': edgewasm imports float32 inputs of fixed shape, got type ${i.type?.tensorType?.elemType} [${dims}]`);
      }
      const nchw = dims.length === 4;
      const t = this.add(i.name, nchw ? [dims[0]!, dims[2]!, dims[3]!, dims[1]!] : dims);
      this.values.set(i.name, { tensor: t, nchw });
      this.graph.inputs.push(t);
    }
    g.node.forEach((n, k) => this.node(n, k));
    for (const o of g.output) {
      const v = this.value(o.name, `graph output '${o.name}'`);
      this.graph.outputs.push(v.tensor);
    }
  }

  add(name: string, shape: number[], data?: Uint8Array): number {
    this.graph.tensors.push({ name, dtype: 'float32', shape, data });
    return this.graph.tensors.length - 1;
  }

  // An int32 constant (shapes, paddings, axes).
  ints(name: string, values: number[], shape = [values.length]): number {
    this.graph.tensors.push({ name, dtype: 'int32', shape, data: new Uint8Array(Int32Array.from(values).buffer) });
    return this.graph.tensors.length - 1;
  }

  value(name: string, what: string): Value {
    const v = this.values.get(name);
    if (!v) throw new ConvertError(`${what} is not computed by an earlier node (or is a constant where an activation is needed)`);
    return v;
  }

  shape(v: Value): number[] {
    return this.graph.tensors[v.tensor]!.shape;
  }

  // An activation's shape as ONNX sees it (NCHW for an image), for a folded Shape node.
  private onnxShape(name: string): number[] | undefined {
    const v = this.values.get(name);
    if (!v) return undefined;
    const s = this.shape(v);
    return v.nchw ? [s[0]!, s[3]!, s[1]!, s[2]!] : s;
  }

  constant(name: string, what: string) {
    const c = this.consts.get(name);
    if (!c) throw new ConvertError(`${what} '${name}' must be a constant initializer`);
    return c;
  }

  op(type: string, index: number, inputs: number[], outName: string, shape: number[], options: Op['options'], nchw: boolean, flatCHW?: [number, number, number]): void {
    const out = this.add(outName, shape);
    this.graph.ops.push({ type, index, inputs, outputs: [out], options });
    this.values.set(outName, { tensor: out, nchw, flatCHW });
  }

  private node(n: Node, index: number): void {
    const where = `node ${index} '${n.name || n.output[0]}' (${n.opType}, opset ${this.opset})`;
    const x = () => this.value(n.input[0]!, `${where}: input '${n.input[0]}'`);
    const folded = fold(n, where, (name) => this.consts.get(name), (name) => this.onnxShape(name), tensorValues);
    if (folded) {
      this.consts.set(n.output[0]!, folded);
      return;
    }
    const plain = (v: Value) => {
      if (v.flatCHW) throw new ConvertError(`${where}: reads a flattened NCHW tensor; only Gemm / MatMul may (its weights are permuted)`);
      return v;
    };
    switch (n.opType) {
      case 'Identity': case 'Dropout': this.values.set(n.output[0]!, x()); return;
      case 'Transpose': return transpose(this, n, plain(x()), where);
      case 'QuantizeLinear': case 'DequantizeLinear': return qdq(this, n, where);
      case 'Conv': return this.conv(n, index, plain(x()), where);
      case 'Gemm': case 'MatMul': return this.gemm(n, index, x(), where);
      case 'Relu': case 'Clip': return this.activation(n, index, plain(x()), where);
      case 'BatchNormalization': return batchNorm(this, n, index, plain(x()), where);
      case 'HardSigmoid': return hardSigmoid(this, n, index, plain(x()));
      case 'Sigmoid': case 'HardSwish': case 'LeakyRelu': {
        const v = plain(x());
        const type = n.opType === 'Sigmoid' ? 'LOGISTIC' : n.opType === 'HardSwish' ? 'HARD_SWISH' : 'LEAKY_RELU';
        return this.op(type, index, [v.tensor], n.output[0]!, this.shape(v), type === 'LEAKY_RELU' ? { alpha: Math.fround(float(n, 'alpha', 0.01)) } : {}, v.nchw);
      }
      case 'Add': case 'Mul': return this.binary(n, index, where);
      case 'MaxPool': case 'AveragePool': case 'GlobalAveragePool': return this.pool(n, index, plain(x()), where);
      case 'Flatten': case 'Reshape': return flatten(this, n, index, x(), where);
      case 'Concat': return concat(this, n, index, where);
      case 'Pad': return pad(this, n, index, plain(x()), where);
      case 'ReduceMean': return reduceMean(this, n, index, plain(x()), where);
      case 'Squeeze': case 'Unsqueeze': return squeeze(this, n, index, plain(x()), where);
      case 'Softmax': {
        const v = plain(x());
        const s = this.shape(v);
        const axis = int(n, 'axis', -1);
        if (v.nchw || (axis !== -1 && axis !== s.length - 1)) throw new ConvertError(`${where}: softmax over axis ${axis} of [${s}]; edgewasm takes the last axis`);
        return this.op('SOFTMAX', index, [v.tensor], n.output[0]!, s, { beta: 1 }, false);
      }
      default: throw new ConvertError(`${where}: operator not supported by edgewasm`);
    }
  }

  // TFLite padding from ONNX pads (begin..., end...) or auto_pad: SAME as TFLite computes it, or VALID.
  private padding(n: Node, where: string, size: number[], k: number[], s: number[], d: number[]): 'SAME' | 'VALID' {
    const auto = attr(n, 'auto_pad')?.s?.length ? new TextDecoder().decode(attr(n, 'auto_pad')!.s) : 'NOTSET';
    if (auto === 'VALID') return 'VALID';
    const pads = ints(n, 'pads', [0, 0, 0, 0]);
    if (auto === 'NOTSET' && pads.every((p) => p === 0)) return 'VALID';
    const same = size.map((len, i) => {
      const out = Math.ceil(len / s[i]!);
      const total = Math.max(0, (out - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - len);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
    if (auto === 'SAME_UPPER' || (auto === 'NOTSET' && same.every(([b, e], i) => pads[i] === b && pads[i + 2] === e))) return 'SAME';
    throw new ConvertError(`${where}: pads [${pads}] (auto_pad ${auto}) are neither TFLite's SAME nor VALID`);
  }

  private conv(n: Node, index: number, v: Value, where: string): void {
    const [N, H, W, C] = this.shape(v) as [number, number, number, number];
    if (!v.nchw) throw new ConvertError(`${where}: input is not a 4-D NCHW activation`);
    const w = this.constant(n.input[1]!, `${where}: weights`);
    const [O, I, kh, kw] = w.dims as [number, number, number, number];
    const group = int(n, 'group', 1);
    const s = ints(n, 'strides', [1, 1]), d = ints(n, 'dilations', [1, 1]);
    const depthwise = group > 1 && group === C && O === C && I === 1;
    if (w.dims.length !== 4 || (group !== 1 && !depthwise) || (!depthwise && I !== C)) {
      throw new ConvertError(`${where}: weights [${w.dims}] with group ${group} over ${C} channels; edgewasm takes group 1 or depthwise`);
    }
    const padding = this.padding(n, where, [H, W], [kh, kw], s, d);
    const packed = new Float64Array(w.values.length);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      const from = ((o * I + i) * kh + y) * kw + x;
      packed[depthwise ? (y * kw + x) * O + o : ((o * kh + y) * kw + x) * I + i] = w.values[from]!;
    }
    const wt = this.add(n.input[1]!, depthwise ? [1, kh, kw, O] : [O, kh, kw, I], f32Bytes(packed));
    const bias = n.input[2] ? [this.add(n.input[2], [O], f32Bytes(this.constant(n.input[2], `${where}: bias`).values))] : [];
    const out = (len: number, k: number, st: number, dl: number) => (padding === 'SAME' ? Math.ceil(len / st) : Math.floor((len - (k - 1) * dl - 1) / st) + 1);
    const options = {
      padding, strideH: s[0]!, strideW: s[1]!, dilationHFactor: d[0]!, dilationWFactor: d[1]!,
      fusedActivationFunction: 'NONE', ...(depthwise ? { depthMultiplier: 1 } : {}),
    };
    this.op(depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D', index, [v.tensor, wt, ...bias], n.output[0]!,
      [N, out(H, kh, s[0]!, d[0]!), out(W, kw, s[1]!, d[1]!), O], options, true);
  }

  private gemm(n: Node, index: number, v: Value, where: string): void {
    const s = this.shape(v);
    if (s.length !== 2 || v.nchw) throw new ConvertError(`${where}: input [${s}] is not 2-D`);
    const b = this.constant(n.input[1]!, `${where}: B`);
    const gemm = n.opType === 'Gemm';
    if (gemm && (int(n, 'transA', 0) !== 0 || float(n, 'alpha', 1) !== 1 || float(n, 'beta', 1) !== 1)) {
      throw new ConvertError(`${where}: transA, alpha or beta other than 0, 1, 1`);
    }
    const transB = gemm && int(n, 'transB', 0) === 1;
    const [K, O] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
    if (b.dims.length !== 2 || K !== s[1]) throw new ConvertError(`${where}: B [${b.dims}] does not take ${s[1]} inputs`);
    // Weights (O, K); K in the order of the input as edgewasm holds it: (H, W, C) after a flattened NCHW.
    const [C, H, W] = v.flatCHW ?? [K, 1, 1];
    const w = new Float64Array(O * K);
    for (let o = 0; o < O; o++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
      const k = (c * H + h) * W + x; // ONNX's (C, H, W) index
      w[o * K + (h * W + x) * C + c] = transB ? b.values[o * K + k]! : b.values[k * O + o]!;
    }
    const wt = this.add(n.input[1]!, [O, K], f32Bytes(w));
    const inputs = [v.tensor, wt];
    if (gemm && n.input[2]) {
      const c = this.constant(n.input[2], `${where}: C`);
      if (c.values.length !== O) throw new ConvertError(`${where}: C [${c.dims}] is not one bias per output`);
      inputs.push(this.add(n.input[2], [O], f32Bytes(c.values)));
    }
    this.op('FULLY_CONNECTED', index, inputs, n.output[0]!, [s[0]!, O], { fusedActivationFunction: 'NONE', keepNumDims: false }, false);
  }

  private activation(n: Node, index: number, v: Value, where: string): void {
    let act = 'RELU';
    if (n.opType === 'Clip') {
      const bound = (i: number) => (n.input[i] ? this.constant(n.input[i]!, `${where}: bound`).values[0] : undefined);
      if (bound(1) !== 0 || (bound(2) !== 6 && bound(2) !== undefined)) {
        throw new ConvertError(`${where}: Clip(${bound(1)}, ${bound(2)}); edgewasm takes Clip(0, 6) and Clip(0, none)`);
      }
      act = bound(2) === 6 ? 'RELU6' : 'RELU';
    }
    const producer = this.graph.ops.find((o) => o.outputs[0] === v.tensor);
    const fusable = producer && ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(producer.type)
      && producer.options.fusedActivationFunction === 'NONE' && this.uses.get(n.input[0]!) === 1;
    if (fusable) {
      producer.options.fusedActivationFunction = act;
      this.values.set(n.output[0]!, v);
      return;
    }
    this.op(act, index, [v.tensor], n.output[0]!, this.shape(v), {}, v.nchw);
  }

  private binary(n: Node, index: number, where: string): void {
    const operand = (name: string): Value => {
      if (!this.consts.has(name)) return this.value(name, `${where}: input '${name}'`);
      const c = this.consts.get(name)!;
      if (c.values.length !== 1) throw new ConvertError(`${where}: constant '${name}' [${c.dims}]; edgewasm takes scalar constants here`);
      return { tensor: this.add(name, [1], f32Bytes(c.values)), nchw: false };
    };
    const [a, b] = [operand(n.input[0]!), operand(n.input[1]!)];
    if (a.flatCHW || b.flatCHW) throw new ConvertError(`${where}: reads a flattened NCHW tensor`);
    const [sa, sb] = [this.shape(a), this.shape(b)];
    if (elementCount(sa) !== 1 && elementCount(sb) !== 1 && (sa.join() !== sb.join() || a.nchw !== b.nchw)) throw new ConvertError(`${where}: shapes [${sa}] and [${sb}]; edgewasm takes equal shapes (in one layout) or a scalar`);
    const big = elementCount(sa) >= elementCount(sb) ? a : b;
    this.op(n.opType === 'Add' ? 'ADD' : 'MUL', index, [a.tensor, b.tensor], n.output[0]!, this.shape(big), { fusedActivationFunction: 'NONE' }, big.nchw);
  }

  private pool(n: Node, index: number, v: Value, where: string): void {
    const [N, H, W, C] = this.shape(v) as [number, number, number, number];
    if (!v.nchw) throw new ConvertError(`${where}: input is not a 4-D NCHW activation`);
    const global = n.opType === 'GlobalAveragePool';
    const k = global ? [H, W] : ints(n, 'kernel_shape', []);
    const s = global ? [1, 1] : ints(n, 'strides', [1, 1]);
    if (k.length !== 2) throw new ConvertError(`${where}: kernel_shape [${k}] is not 2-D`);
    if (!global && (int(n, 'ceil_mode', 0) !== 0 || int(n, 'count_include_pad', 0) !== 0)) throw new ConvertError(`${where}: ceil_mode or count_include_pad set`);
    const padding = global ? 'VALID' : this.padding(n, where, [H, W], k, s, [1, 1]);
    const out = (len: number, kk: number, st: number) => (padding === 'SAME' ? Math.ceil(len / st) : Math.floor((len - kk) / st) + 1);
    this.op(n.opType === 'MaxPool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', index, [v.tensor], n.output[0]!,
      [N, out(H, k[0]!, s[0]!), out(W, k[1]!, s[1]!), C],
      { padding, strideH: s[0]!, strideW: s[1]!, filterHeight: k[0]!, filterWidth: k[1]!, fusedActivationFunction: 'NONE' }, true);
  }

}
