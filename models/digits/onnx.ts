// The float digit network (net.ts) as an ONNX model (opset 13), as a PyTorch user would hand it
// over: NCHW input [1, 1, 28, 28], Conv weights OIHW, explicit pads, Flatten in (C, H, W) order,
// Gemm with transB, Softmax. net.ts holds TFLite's layouts (OHWI, FC columns in (H, W, C) order),
// so the weights are permuted on the way out; models/onnx/import.ts permutes them back.

import onnxProto from 'onnx-proto';
import { CONV1, CONV2, FC_IN, FC_OUT, type Conv, type Params } from './net.js';

const { onnx } = onnxProto;
const FLOAT = 1;

function init(name: string, dims: number[], values: ArrayLike<number>) {
  return onnx.TensorProto.create({ name, dataType: FLOAT, dims, rawData: new Uint8Array(Float32Array.from(values).buffer) });
}

const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });

// OHWI → OIHW.
function oihw(c: Conv, w: Float64Array): Float64Array {
  const out = new Float64Array(w.length);
  for (let o = 0; o < c.cout; o++) for (let y = 0; y < c.k; y++) for (let x = 0; x < c.k; x++) for (let i = 0; i < c.cin; i++) {
    out[((o * c.cin + i) * c.k + y) * c.k + x] = w[((o * c.k + y) * c.k + x) * c.cin + i]!;
  }
  return out;
}

function convNode(c: Conv, input: string, name: string) {
  const after = Math.max((c.oh - 1) * c.stride + c.k - c.h, 0) - c.pad;
  return onnx.NodeProto.create({
    name, opType: 'Conv', input: [input, `${name}.weight`, `${name}.bias`], output: [`${name}.out`],
    attribute: [ints('kernel_shape', [c.k, c.k]), ints('strides', [c.stride, c.stride]), ints('pads', [c.pad, c.pad, after, after])],
  });
}

/** The network as ONNX bytes. */
export function exportOnnx(p: Params): Uint8Array {
  // FC columns (H, W, C) → (C, H, W), the order ONNX's Flatten of NCHW gives.
  const fc = new Float64Array(p.w3.length);
  const [H, W, C] = [CONV2.oh, CONV2.ow, CONV2.cout];
  for (let o = 0; o < FC_OUT; o++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) {
    fc[o * FC_IN + (c * H + h) * W + x] = p.w3[o * FC_IN + (h * W + x) * C + c]!;
  }
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ name: output, opType, input, output: [output], attribute });
  const graph = onnx.GraphProto.create({
    name: 'digits',
    node: [
      convNode(CONV1, 'input', 'conv1'), node('Relu', ['conv1.out'], 'relu1'),
      convNode(CONV2, 'relu1', 'conv2'), node('Relu', ['conv2.out'], 'relu2'),
      node('Flatten', ['relu2'], 'flatten', [int('axis', 1)]),
      node('Gemm', ['flatten', 'fc.weight', 'fc.bias'], 'logits', [int('transB', 1)]),
      node('Softmax', ['logits'], 'probabilities', [int('axis', -1)]),
    ],
    initializer: [
      init('conv1.weight', [CONV1.cout, CONV1.cin, CONV1.k, CONV1.k], oihw(CONV1, p.w1)), init('conv1.bias', [CONV1.cout], p.b1),
      init('conv2.weight', [CONV2.cout, CONV2.cin, CONV2.k, CONV2.k], oihw(CONV2, p.w2)), init('conv2.bias', [CONV2.cout], p.b2),
      init('fc.weight', [FC_OUT, FC_IN], fc), init('fc.bias', [FC_OUT], p.b3),
    ],
    input: [valueInfo('input', [1, CONV1.cin, CONV1.h, CONV1.w])],
    output: [valueInfo('probabilities', [1, FC_OUT])],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'edgewasm models/digits', opsetImport: [{ domain: '', version: 13 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(name: string, dims: number[]) {
  return onnx.ValueInfoProto.create({
    name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
}
