// The ONNX import path (models/onnx/import.ts) on the project's own model: the trained digit
// network's float ONNX export (models/digits/digits.onnx, written by `npm run digits`).
//   - The imported graph in the float executor equals onnxruntime-node (float, CPU) on the same
//     ONNX bytes, and a seeded network's export equals its float64 forward pass (net.ts): the NCHW →
//     NHWC change, the weight permutations and the fused ReLUs are right.
//   - Quantized through the ONNX path (calibrated on 256 training digits), int8 accuracy on the test
//     split is within half a point of float, as through the trainer's direct export (digits.ewm).
//   - Refusals name the node, its op type and the opset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { createRequire } from 'node:module';
import { readOnnx } from '../models/onnx/import.js';
import { convertOnnx } from '../models/convert.js';
import { calibrate, quantizeGraph } from '../models/quantize/ptq.js';
import { quantizePerChannel, quantizeBias } from '../models/quantize/scheme.js';
import { runFloat } from '../models/float/executor.js';
import { loadDigits, image, ONNX_PATH, EWM_PATH, type Digits } from '../models/digits/data.js';
import { exportOnnx } from '../models/digits/onnx.js';
import { activations, forward, params, PARAM_COUNT, DIGITS } from '../models/digits/net.js';
import { mulberry32 } from '../models/prng.js';
import { ConvertError, type Graph } from '../models/graph.js';
import { loadModel } from '../host/index.js';

// onnxruntime-node ships no type declarations; its API is onnxruntime-common's.
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-common');

const digitsOnnx = new Uint8Array(readFileSync(ONNX_PATH));
const { train, test: testSet } = loadDigits();
const argmax = (v: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

/** The largest difference between the float executor on `graph` and onnxruntime-node on `bytes`, over `count` test digits. */
async function largestDifference(graph: Graph, bytes: Uint8Array, count: number): Promise<number> {
  const session = await ort.InferenceSession.create(bytes);
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const x = image(testSet, Math.floor((i * testSet.count) / count));
    const [ours] = runFloat(graph, [x]);
    const theirs = (await session.run({ input: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).probabilities!.data as Float32Array;
    for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(ours![k]! - theirs[k]!));
  }
  return worst;
}

/** On `count` test digits, how often the model quantized (64 training digits) agrees with float on top-1. */
async function int8Agreement(bytes: Uint8Array, graph: Graph, count: number): Promise<number> {
  const samples = Array.from({ length: 64 }, (_, i) => [image(train, (i * 7919) % train.count)]);
  const int8 = await loadModel(convertOnnx(bytes, 'model.onnx', { samples }).bytes, { name: 'model.onnx' });
  let agree = 0;
  for (let i = 0; i < count; i++) {
    const x = image(testSet, Math.floor((i * testSet.count) / count));
    agree += Number(argmax(int8.runFloat(x)[0]!) === argmax(runFloat(graph, [x])[0]!));
  }
  return agree;
}

test('onnx: digits.onnx imported, fused and run in the float executor equals onnxruntime-node', async () => {
  const graph = readOnnx(digitsOnnx, 'digits.onnx');
  assert.deepEqual(graph.ops.map((o) => `${o.type}:${o.options.fusedActivationFunction ?? '-'}`),
    ['CONV_2D:RELU', 'CONV_2D:RELU', 'RESHAPE:-', 'FULLY_CONNECTED:NONE', 'SOFTMAX:-']);
  assert.deepEqual(graph.tensors[graph.inputs[0]!]!.shape, [1, 28, 28, 1], 'the NCHW input became NHWC');
  const worst = await largestDifference(graph, digitsOnnx, 40);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test('onnx: BatchNormalization folds into the Conv before it (its ReLU still fuses), else is MUL + ADD; HardSigmoid; equal onnxruntime-node', async () => {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(digitsOnnx);
  const g = model.graph!;
  const rand = mulberry32(11);
  const per = (name: string, f: () => number) => onnx.TensorProto.create({ name, dataType: 1, dims: [8], floatData: Array.from({ length: 8 }, f) });
  g.initializer!.push(per('bn.gamma', () => 0.5 + rand()), per('bn.beta', () => rand() - 0.5), per('bn.mean', () => rand() - 0.5), per('bn.var', () => 0.1 + rand()));
  g.node![0]!.output = ['conv1.raw'];
  g.node!.splice(1, 0, onnx.NodeProto.create({ name: 'bn1', opType: 'BatchNormalization', input: ['conv1.raw', 'bn.gamma', 'bn.beta', 'bn.mean', 'bn.var'], output: ['conv1.out'] }));
  const bytes = onnx.ModelProto.encode(model).finish();
  const graph = readOnnx(bytes, 'bn.onnx');
  assert.deepEqual(graph.ops.map((o) => `${o.type}:${o.options.fusedActivationFunction ?? '-'}`).slice(0, 2), ['CONV_2D:RELU', 'CONV_2D:RELU']);
  const worst = await largestDifference(graph, bytes, 20);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  // Where it cannot fold (after the fused ReLU), BatchNormalization is a per-channel MUL and ADD; a
  // HardSigmoid is a MUL, an ADD with a fused RELU6 and a MUL. Both as onnxruntime-node computes them.
  const plainModel = onnx.ModelProto.decode(digitsOnnx);
  const p = plainModel.graph!;
  p.initializer!.push(...g.initializer!.filter((t) => t.name!.startsWith('bn.')));
  p.node!.find((n) => n.name === 'conv2')!.input![0] = 'bn.out';
  p.node!.splice(2, 0, onnx.NodeProto.create({ name: 'bn', opType: 'BatchNormalization', input: ['relu1', 'bn.gamma', 'bn.beta', 'bn.mean', 'bn.var'], output: ['bn.out'] }));
  p.node!.find((n) => n.name === 'relu2')!.opType = 'HardSigmoid';
  const plainBytes = onnx.ModelProto.encode(plainModel).finish();
  const plainGraph = readOnnx(plainBytes, 'bn-hs.onnx');
  assert.deepEqual(plainGraph.ops.map((o) => o.type), ['CONV_2D', 'MUL', 'ADD', 'CONV_2D', 'MUL', 'ADD', 'MUL', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  const plainWorst = await largestDifference(plainGraph, plainBytes, 20);
  assert.ok(plainWorst < 1e-5, `largest difference ${plainWorst}`);
  const agree = await int8Agreement(plainBytes, plainGraph, 100);
  assert.ok(agree >= 90, `int8 top-1 agrees with float on ${agree} of 100`);
});

test("onnx: PyTorch's x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat, Constant, Reshape) folds away; equals onnxruntime-node", async () => {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(digitsOnnx);
  const g = model.graph!;
  const at = g.node!.findIndex((n) => n.opType === 'Flatten');
  const int64 = (name: string, dims: number[], values: number[]) =>
    onnx.TensorProto.create({ name, dataType: 7, dims, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ name: output, opType, input, output: [output], attribute });
  const AT = onnx.AttributeProto.AttributeType;
  g.initializer!.push(int64('zero', [], [0]), int64('axes0', [1], [0]));
  g.node!.splice(at, 1,
    node('Shape', ['relu2'], 'shape'),
    node('Gather', ['shape', 'zero'], 'batch'),
    node('Unsqueeze', ['batch', 'axes0'], 'batch1'),
    node('Constant', [], 'minus1', [onnx.AttributeProto.create({ name: 'value', type: AT.TENSOR, t: int64('', [1], [-1]) })]),
    node('Concat', ['batch1', 'minus1'], 'viewShape', [onnx.AttributeProto.create({ name: 'axis', type: AT.INT, i: 0 })]),
    node('Reshape', ['relu2', 'viewShape'], 'flatten'));
  const bytes = onnx.ModelProto.encode(model).finish();
  const graph = readOnnx(bytes, 'view.onnx');
  assert.deepEqual(graph.ops.map((o) => o.type), ['CONV_2D', 'CONV_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  const worst = await largestDifference(graph, bytes, 20);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test('onnx: Sigmoid, HardSwish and LeakyRelu import, run as onnxruntime-node does, and quantize', async () => {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(digitsOnnx);
  const g = model.graph!;
  const named = (name: string) => g.node!.find((n) => n.name === name)!;
  named('relu1').opType = 'Sigmoid';
  named('relu2').opType = 'HardSwish';
  model.opsetImport![0]!.version = 14; // HardSwish arrived in opset 14
  named('probabilities').input = ['squashed'];
  g.node!.splice(g.node!.length - 1, 0, onnx.NodeProto.create({
    name: 'leaky', opType: 'LeakyRelu', input: ['logits'], output: ['squashed'],
    attribute: [onnx.AttributeProto.create({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 0.1 })],
  }));
  const bytes = onnx.ModelProto.encode(model).finish();
  const graph = readOnnx(bytes, 'acts.onnx');
  assert.deepEqual(graph.ops.map((o) => o.type), ['CONV_2D', 'LOGISTIC', 'CONV_2D', 'HARD_SWISH', 'RESHAPE', 'FULLY_CONNECTED', 'LEAKY_RELU', 'SOFTMAX']);
  const worst = await largestDifference(graph, bytes, 20);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  const agree = await int8Agreement(bytes, graph, 200);
  assert.ok(agree >= 190, `int8 top-1 agrees with float on ${agree} of 200`);
});

// A small image model with Concat, Pad, ReduceMean, Squeeze, a no-op Reshape and a Gemm, seeded
// random weights.
function layoutModel(): Uint8Array {
  const { onnx } = onnxProto;
  const rand = mulberry32(5);
  const floats = (name: string, dims: number[]) => onnx.TensorProto.create({
    name, dataType: 1, dims, rawData: new Uint8Array(Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() - 0.5).buffer),
  });
  const int64 = (name: string, values: number[]) => onnx.TensorProto.create({ name, dataType: 7, dims: [values.length], rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
  const AT = onnx.AttributeProto.AttributeType;
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ name: output, opType, input, output: [output], attribute });
  const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: AT.INTS, ints: v });
  const int = (name: string, v: number) => onnx.AttributeProto.create({ name, type: AT.INT, i: v });
  const info = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'layout',
    node: [
      node('Conv', ['x', 'wa', 'ba'], 'a', [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]),
      node('Conv', ['x', 'wb'], 'b', [ints('kernel_shape', [1, 1])]),
      node('Concat', ['a', 'b'], 'c', [int('axis', 1)]),
      node('Relu', ['c'], 'r'),
      node('Pad', ['r', 'pads'], 'p'),
      node('ReduceMean', ['p'], 'm', [ints('axes', [2, 3]), int('keepdims', 1)]),
      node('Squeeze', ['m', 'sq'], 's'),
      node('Reshape', ['s', 'same'], 's2'), // a no-op: it vanishes
      node('Gemm', ['s2', 'wg', 'bg'], 'g', [int('transB', 1)]),
      node('Softmax', ['g'], 'y', [int('axis', -1)]),
    ],
    initializer: [floats('wa', [4, 3, 3, 3]), floats('ba', [4]), floats('wb', [2, 3, 1, 1]), int64('pads', [0, 0, 1, 2, 0, 0, 1, 0]),
      int64('sq', [2, 3]), int64('same', [1, 6]), floats('wg', [3, 6]), floats('bg', [3])],
    input: [info('x', [1, 3, 8, 8])],
    output: [info('y', [1, 3])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph })).finish();
}

test('onnx: Concat, Pad, ReduceMean and Squeeze on an image, in NHWC, equal onnxruntime-node; the model quantizes', async () => {
  const bytes = layoutModel();
  const graph = readOnnx(bytes, 'layout.onnx');
  assert.deepEqual(graph.ops.map((o) => o.type), ['CONV_2D', 'CONV_2D', 'CONCATENATION', 'RELU', 'PAD', 'MEAN', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  const session = await ort.InferenceSession.create(bytes);
  const rand = mulberry32(9);
  const images = Array.from({ length: 24 }, () => Float32Array.from({ length: 3 * 64 }, () => rand() * 2 - 1));
  const nhwc = (x: Float32Array) => Float32Array.from({ length: x.length }, (_, i) => x[(i % 3) * 64 + Math.floor(i / 3)]!);
  let worst = 0;
  for (const x of images) {
    const [ours] = runFloat(graph, [nhwc(x)]);
    const theirs = (await session.run({ x: new ort.Tensor('float32', x, [1, 3, 8, 8]) })).y!.data as Float32Array;
    for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(ours![k]! - theirs[k]!));
  }
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  const int8 = await loadModel(convertOnnx(bytes, 'layout.onnx', { samples: images.slice(0, 16).map((x) => [nhwc(x)]) }).bytes, { name: 'layout.onnx' });
  for (const x of images) {
    const [q] = int8.runFloat(nhwc(x)), [f] = runFloat(graph, [nhwc(x)]);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(q![k]! - f![k]!) < 0.05, `int8 ${q![k]} against float ${f![k]}`);
  }
});

test('onnx: a Transpose to NHWC before Flatten vanishes (the Gemm then reads HWC order as written); equals onnxruntime-node', async () => {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(digitsOnnx);
  const g = model.graph!;
  const fc = g.initializer!.find((t) => t.name === 'fc.weight')!;
  const chw = new Float32Array(Uint8Array.from(fc.rawData!).buffer);
  const [C, H, W] = [32, 7, 7];
  const hwc = new Float32Array(chw.length);
  for (let o = 0; o < 10; o++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    hwc[o * C * H * W + (h * W + w) * C + c] = chw[o * C * H * W + (c * H + h) * W + w]!;
  }
  fc.rawData = new Uint8Array(hwc.buffer);
  const at = g.node!.findIndex((n) => n.opType === 'Flatten');
  g.node![at]!.input = ['nhwc'];
  g.node!.splice(at, 0, onnx.NodeProto.create({
    name: 'to_nhwc', opType: 'Transpose', input: ['relu2'], output: ['nhwc'],
    attribute: [onnx.AttributeProto.create({ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 3, 1] })],
  }));
  const bytes = onnx.ModelProto.encode(model).finish();
  const graph = readOnnx(bytes, 'transposed.onnx');
  assert.deepEqual(graph.ops.map((o) => o.type), ['CONV_2D', 'CONV_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  const worst = await largestDifference(graph, bytes, 20);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  // Any other permutation is refused by name.
  g.node![at]!.attribute![0]!.ints = [0, 1, 3, 2];
  assert.throws(() => readOnnx(onnx.ModelProto.encode(model).finish(), 't.onnx'), /node \d+ 'to_nhwc' \(Transpose, opset 13\): perm \[0,1,3,2\]/);
});

test('onnx: a seeded network exported and imported equals its float64 forward pass', () => {
  const rand = mulberry32(7);
  const p = params(DIGITS, Float64Array.from({ length: PARAM_COUNT }, () => (rand() - 0.5) * 0.3));
  const graph = readOnnx(exportOnnx(p), 'seeded.onnx');
  const act = activations();
  for (let i = 0; i < 5; i++) {
    const x = image(testSet, i);
    forward(p, x, act);
    const [y] = runFloat(graph, [x]);
    act.probs.forEach((want, k) => assert.ok(Math.abs(y![k]! - want) < 1e-5, `image ${i} class ${k}: ${y![k]} against ${want}`));
  }
});

async function accuracy(run: (x: Float32Array) => ArrayLike<number>, set: Digits): Promise<number> {
  let right = 0;
  for (let i = 0; i < set.count; i++) right += Number(argmax(run(image(set, i))) === set.labels[i]);
  return right / set.count;
}

test('onnx: quantized through the ONNX path, int8 accuracy stays within half a point of float', async () => {
  const samples = Array.from({ length: 256 }, (_, i) => [image(train, (i * 7919) % train.count)]);
  const model = await loadModel(convertOnnx(digitsOnnx, 'digits.onnx', { samples }).bytes, { name: 'digits.onnx' });
  const graph = readOnnx(digitsOnnx, 'digits.onnx');
  const float = await accuracy((x) => runFloat(graph, [x])[0]!, testSet);
  const int8 = await accuracy((x) => model.runFloat(x)[0]!, testSet);
  const direct = await loadModel(new Uint8Array(readFileSync(EWM_PATH)), { name: 'digits.ewm' });
  const int8Direct = await accuracy((x) => direct.runFloat(x)[0]!, testSet);
  console.log(`digits test split (${testSet.count}): float ${(100 * float).toFixed(2)} %, int8 via ONNX ${(100 * int8).toFixed(2)} %, int8 via the trainer's export ${(100 * int8Direct).toFixed(2)} %`);
  assert.ok(float - int8 <= 0.005, `int8 ${int8} against float ${float}`);
  assert.ok(float - int8Direct <= 0.005, `direct int8 ${int8Direct} against float ${float}`);
});

test('onnx: an unsupported node and an old opset are refused, naming node, op type and opset', () => {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(digitsOnnx);
  model.graph!.node![1]!.opType = 'Tanh';
  const tanh = onnx.ModelProto.encode(model).finish();
  assert.throws(() => readOnnx(tanh, 'tanh.onnx'), (e: unknown) => e instanceof ConvertError
    && e.message === "tanh.onnx: node 1 'relu1' (Tanh, opset 13): operator not supported by edgewasm");
  // Clip(0, none) is a ReLU and fuses; Clip(-1, 1) is refused by name.
  const clip = onnx.ModelProto.decode(digitsOnnx);
  const relu1 = clip.graph!.node!.find((n) => n.name === 'relu1')!;
  relu1.opType = 'Clip';
  relu1.input = ['conv1.out', 'zero'];
  clip.graph!.initializer!.push(onnx.TensorProto.create({ name: 'zero', dataType: 1, dims: [], floatData: [0] }));
  assert.equal(readOnnx(onnx.ModelProto.encode(clip).finish(), 'clip.onnx').ops[0]!.options.fusedActivationFunction, 'RELU');
  relu1.input = ['conv1.out', 'minus1', 'one'];
  clip.graph!.initializer!.push(onnx.TensorProto.create({ name: 'minus1', dataType: 1, dims: [], floatData: [-1] }), onnx.TensorProto.create({ name: 'one', dataType: 1, dims: [], floatData: [1] }));
  assert.throws(() => readOnnx(onnx.ModelProto.encode(clip).finish(), 'clip.onnx'), /node 1 'relu1' \(Clip, opset 13\): Clip\(-1, 1\); edgewasm takes Clip\(0, 6\) and Clip\(0, none\)/);
  model.opsetImport![0]!.version = 11;
  assert.throws(() => readOnnx(onnx.ModelProto.encode(model).finish(), 'old.onnx'), /^ConvertError: old\.onnx: opset 11; edgewasm imports ONNX opset 13 and later$/);
  assert.throws(() => readOnnx(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx'), /^ConvertError: junk\.onnx: unreadable ONNX protobuf/);
});

// The digit network in ONNX Runtime's QDQ form, made here from digits.onnx and edgewasm's own
// quantization of it (so both paths should give the same int8 model): int8 per-channel weights and
// int32 biases behind DequantizeLinear, and a QuantizeLinear -> DequantizeLinear pair (uint8, as
// ORT's quantizer writes activations) after the input and each activation that has its own scale.
function qdqDigits(samples: Float32Array[][]): { bytes: Uint8Array; ptq: Uint8Array } {
  const { onnx } = onnxProto;
  const float = readOnnx(digitsOnnx, 'digits.onnx');
  const ptq = quantizeGraph(float, calibrate(float, samples));
  const quantOf = (name: string) => ptq.tensors.find((t) => t.name === name || t.name === `${name}/int8`)!.quant!;
  const model = onnx.ModelProto.decode(digitsOnnx);
  const g = model.graph!;
  const init = (name: string, dataType: number, dims: number[], raw: ArrayBufferView) =>
    onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) });
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const dq = (input: string, scale: string, zero: string, output: string, axis?: number) => nodes.push(onnx.NodeProto.create({
    opType: 'DequantizeLinear', input: [input, scale, zero], output: [output],
    attribute: axis === undefined ? [] : [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis })],
  }));
  // Weights and biases: [weights, bias, input activation of the layer] by name.
  const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
  const floats = (name: string) => new Float32Array(Uint8Array.from(inits.get(name)!.rawData!).buffer);
  const layers = [['conv1', 'input'], ['conv2', 'conv1.out'], ['fc', 'flatten']] as const;
  const keep = g.initializer!.filter((t) => !layers.some(([l]) => t.name!.startsWith(`${l}.`)));
  for (const [layer, input] of layers) {
    const w = inits.get(`${layer}.weight`)!;
    const dims = w.dims!.map(Number);
    const { q, scales } = quantizePerChannel(floats(`${layer}.weight`), dims, 0);
    const biasScales = scales.map((s) => Math.fround(quantOf(input).scale[0]! * s));
    keep.push(init(`${layer}.wq`, 3, dims, q), init(`${layer}.ws`, 1, [scales.length], Float32Array.from(scales)), init(`${layer}.wz`, 3, [scales.length], new Int8Array(scales.length)));
    keep.push(init(`${layer}.bq`, 6, [scales.length], quantizeBias(floats(`${layer}.bias`), biasScales)), init(`${layer}.bs`, 1, [scales.length], Float32Array.from(biasScales)), init(`${layer}.bz`, 6, [scales.length], new Int32Array(scales.length)));
    dq(`${layer}.wq`, `${layer}.ws`, `${layer}.wz`, `${layer}.weight`, 0);
    dq(`${layer}.bq`, `${layer}.bs`, `${layer}.bz`, `${layer}.bias`, 0);
  }
  // Activations: rename each consumer's input to the DQ output.
  const activations = [['input', 'input'], ['relu1', 'conv1.out'], ['relu2', 'conv2.out'], ['logits', 'logits']] as const;
  for (const [edge, tensor] of activations) {
    const q = quantOf(tensor);
    keep.push(init(`${edge}.s`, 1, [], Float32Array.of(q.scale[0]!)), init(`${edge}.z`, 2, [], Uint8Array.of(q.zeroPoint[0]! + 128)));
    nodes.push(onnx.NodeProto.create({ opType: 'QuantizeLinear', input: [edge, `${edge}.s`, `${edge}.z`], output: [`${edge}.q`] }));
    dq(`${edge}.q`, `${edge}.s`, `${edge}.z`, `${edge}.dq`);
    for (const n of g.node!) n.input = n.input!.map((i) => (i === edge ? `${edge}.dq` : i));
  }
  // Nodes in order: each original node after the Q/DQ nodes its inputs need.
  const ordered: InstanceType<typeof onnx.NodeProto>[] = [];
  const ready = new Set([...keep.map((t) => t.name!), 'input']);
  const pending = [...nodes, ...g.node!.map((n) => onnx.NodeProto.create(n))];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => n.input!.every((x) => ready.has(x)));
    const [n] = pending.splice(i, 1);
    ordered.push(n!);
    n!.output!.forEach((o) => ready.add(o));
  }
  g.node = ordered;
  g.initializer = keep;
  return { bytes: onnx.ModelProto.encode(model).finish(), ptq: convertOnnx(digitsOnnx, 'digits.onnx', { samples }).bytes };
}

test('onnx: a QDQ model converts with its own parameters, no calibration, to what quantizing its float twin gives; onnxruntime-node agrees', async () => {
  const samples = Array.from({ length: 64 }, (_, i) => [image(train, (i * 7919) % train.count)]);
  const { bytes, ptq } = qdqDigits(samples);
  const ours = await loadModel(convertOnnx(bytes, 'digits-qdq.onnx').bytes, { name: 'digits-qdq.onnx' });
  const twin = await loadModel(ptq, { name: 'digits.onnx' });
  const session = await ort.InferenceSession.create(bytes);
  let same = 0, agree = 0;
  const count = 200;
  for (let i = 0; i < count; i++) {
    const x = image(testSet, Math.floor((i * testSet.count) / count));
    const [a] = ours.runFloat(x), [b] = twin.runFloat(x);
    same += Number(a!.every((v, k) => v === b![k]));
    const theirs = (await session.run({ input: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).probabilities!.data as Float32Array;
    agree += Number(argmax(a!) === argmax(theirs));
  }
  assert.equal(same, count, 'identical outputs from the QDQ model and from quantizing the float model');
  assert.ok(agree >= 0.98 * count, `top-1 agrees with onnxruntime-node on ${agree} of ${count}`);
});
