// The ONNX import path (models/onnx/import.ts) on the project's own model: the trained digit
// network's float ONNX export (models/digits/digits.onnx, written by `npm run digits`).
//   - The imported graph in the float executor equals onnxruntime-web (float, wasm CPU) on the same
//     ONNX bytes, and a seeded network's export equals its float64 forward pass (net.ts): the NCHW →
//     NHWC change, the weight permutations and the fused ReLUs are right.
//   - Quantized through the ONNX path (calibrated on 256 training digits), int8 accuracy on the test
//     split is within half a point of float, as through the trainer's direct export (digits.ewm).
//   - Refusals name the node, its op type and the opset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { readOnnx } from '../models/onnx/import.js';
import { convertOnnx } from '../models/convert.js';
import { runFloat } from '../models/float/executor.js';
import { loadDigits, image, ONNX_PATH, EWM_PATH, type Digits } from '../models/digits/data.js';
import { exportOnnx } from '../models/digits/onnx.js';
import { activations, forward, params, PARAM_COUNT } from '../models/digits/net.js';
import { mulberry32 } from '../models/prng.js';
import { ConvertError, type Graph } from '../models/graph.js';
import { loadModel } from '../host/index.js';

ort.env.wasm.numThreads = 1;
const digitsOnnx = new Uint8Array(readFileSync(ONNX_PATH));
const { train, test: testSet } = loadDigits();
const argmax = (v: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

/** The largest difference between the float executor on `graph` and onnxruntime-web on `bytes`, over `count` test digits. */
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

test('onnx: digits.onnx imported, fused and run in the float executor equals onnxruntime-web', async () => {
  const graph = readOnnx(digitsOnnx, 'digits.onnx');
  assert.deepEqual(graph.ops.map((o) => `${o.type}:${o.options.fusedActivationFunction ?? '-'}`),
    ['CONV_2D:RELU', 'CONV_2D:RELU', 'RESHAPE:-', 'FULLY_CONNECTED:NONE', 'SOFTMAX:-']);
  assert.deepEqual(graph.tensors[graph.inputs[0]!]!.shape, [1, 28, 28, 1], 'the NCHW input became NHWC');
  const worst = await largestDifference(graph, digitsOnnx, 40);
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

test('onnx: a BatchNormalization after a Conv folds into it (and its ReLU still fuses); equals onnxruntime-web', async () => {
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
  // A BatchNormalization that follows no Conv is refused by name.
  g.node![1]!.input![0] = 'input';
  g.node![0]!.output = ['conv1.unused'];
  assert.throws(() => readOnnx(onnx.ModelProto.encode(model).finish(), 'bn2.onnx'), /bn2\.onnx: node 1 'bn1' \(BatchNormalization, opset 13\): edgewasm folds BatchNormalization into the Conv it follows/);
});

test('onnx: a seeded network exported and imported equals its float64 forward pass', () => {
  const rand = mulberry32(7);
  const p = params(Float64Array.from({ length: PARAM_COUNT }, () => (rand() - 0.5) * 0.3));
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
  model.opsetImport![0]!.version = 11;
  assert.throws(() => readOnnx(onnx.ModelProto.encode(model).finish(), 'old.onnx'), /^ConvertError: old\.onnx: opset 11; edgewasm imports ONNX opset 13 and later$/);
  assert.throws(() => readOnnx(new Uint8Array([0xff, 0xff, 0xff]), 'junk.onnx'), /^ConvertError: junk\.onnx: unreadable ONNX protobuf/);
});
