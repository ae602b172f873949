// `npm run digits`: train the default digit classifier and rebuild models/digits/digits.ewm, and
// digits.onnx, the float network as ONNX (onnx.ts) for the ONNX import path.
// Float training (net.ts) on the training split (data.ts): Adam on cross-entropy, minibatches of
// 32, learning rate on a cosine schedule, each image shifted by up to 2 pixels each way (the
// training set is small; without the shifts the net memorizes it). Then quantize.ts builds the
// int8 graph, the converter writes the .ewm, and the runtime runs it on the test split: the file is
// written only if int8 reaches 96 % and stays within half a point of float, else exit 1.
// Reproducible: one seeded mulberry32 stream (the PRNG the golden data uses) draws the initial
// weights, the shuffles and the shifts, and every float operation runs in a fixed order on one
// thread, so two runs write byte-identical files (Math.exp/log/cos are V8's own, fdlibm-derived).

import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { loadModel } from '../../host/index.js';
import { loadDigits, image, EWM_PATH, ONNX_PATH, PIXELS, SIDE, type Digits } from './data.js';
import { exportOnnx } from './onnx.js';
import { activations, backward, forward, params, scratch, CONV1, CONV2, FC_IN, PARAM_COUNT, type Params } from './net.js';
import { buildEwm } from './quantize.js';
import { int8Predictions, accuracy } from './evaluate.js';
import { mulberry32 } from '../prng.js';

const SEED = 20240601;
const EPOCHS = 8; // about 45 s on one core
const BATCH = 32;
const LEARNING_RATE = 0.004;
const SHIFT = 2; // pixels, each way
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const MIN_INT8_ACCURACY = 0.96;
const MAX_INT8_LOSS = 0.005; // accuracy int8 may lose against float

const jitter = (rand: () => number) => Math.floor(rand() * (2 * SHIFT + 1)) - SHIFT;

/** He-uniform weights (limit sqrt(6 / fan_in)), zero biases. */
function initialParams(rand: () => number): Params {
  const p = params();
  const fill = (w: Float64Array, fanIn: number) => {
    const limit = Math.sqrt(6 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rand() - 1) * limit;
  };
  fill(p.w1, CONV1.k * CONV1.k * CONV1.cin);
  fill(p.w2, CONV2.k * CONV2.k * CONV2.cin);
  fill(p.w3, FC_IN);
  return p;
}

/** The image moved by (dx, dy) pixels, zeros shifted in. */
function shift(x: Float32Array, dx: number, dy: number, out: Float64Array): Float64Array {
  out.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++) {
    for (let k = Math.max(0, dx); k < Math.min(SIDE, SIDE + dx); k++) out[y * SIDE + k] = x[(y - dy) * SIDE + k - dx]!;
  }
  return out;
}

function shuffle(order: Uint32Array, rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

function floatPredictions(p: Params, set: Digits): Uint8Array {
  const act = activations();
  return Uint8Array.from({ length: set.count }, (_, i) => forward(p, image(set, i), act));
}

function trainFloat(train: Digits, seed: number, log: (line: string) => void): Params {
  const rand = mulberry32(seed);
  const p = initialParams(rand);
  const grads = params();
  const m = new Float64Array(PARAM_COUNT);
  const v = new Float64Array(PARAM_COUNT);
  const act = activations();
  const s = scratch();
  const moved = new Float64Array(PIXELS);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const steps = EPOCHS * Math.ceil(train.count / BATCH);
  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    shuffle(order, rand);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < train.count; start += BATCH) {
      const end = Math.min(start + BATCH, train.count);
      grads.flat.fill(0);
      for (let k = start; k < end; k++) {
        const i = order[k]!;
        const x = shift(image(train, i), jitter(rand), jitter(rand), moved);
        if (forward(p, x, act) === train.labels[i]) correct++;
        loss += backward(p, act, train.labels[i]!, grads, s);
      }
      step++;
      const lr = LEARNING_RATE * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps));
      const c1 = 1 - ADAM.beta1 ** step;
      const c2 = 1 - ADAM.beta2 ** step;
      const n = end - start;
      for (let j = 0; j < PARAM_COUNT; j++) {
        const g = grads.flat[j]! / n;
        m[j] = ADAM.beta1 * m[j]! + (1 - ADAM.beta1) * g;
        v[j] = ADAM.beta2 * v[j]! + (1 - ADAM.beta2) * g * g;
        p.flat[j] = p.flat[j]! - (lr * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + ADAM.eps);
      }
    }
    log(`epoch ${String(epoch + 1).padStart(2)}/${EPOCHS}: loss ${(loss / train.count).toFixed(4)}, train accuracy ${pct(correct / train.count)}`);
  }
  return p;
}

const pct = (fraction: number) => `${(100 * fraction).toFixed(2)} %`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const { train, test } = loadDigits();
  console.log(`mnist package: ${train.count} training digits, ${test.count} test digits; seed ${SEED}, ${PARAM_COUNT} parameters`);
  const p = trainFloat(train, SEED, console.log);
  console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const bytes = buildEwm(p, train);
  const model = await loadModel(bytes, { name: 'digits.ewm' });
  const floatPred = floatPredictions(p, test);
  const int8Pred = int8Predictions(model, test);
  const floatAcc = accuracy(floatPred, test.labels);
  const int8Acc = accuracy(int8Pred, test.labels);
  console.log(`test accuracy: float ${pct(floatAcc)}, int8 ${pct(int8Acc)}; int8 and float agree on ${pct(accuracy(int8Pred, floatPred))} of ${test.count} digits`);
  if (int8Acc < MIN_INT8_ACCURACY || floatAcc - int8Acc > MAX_INT8_LOSS) {
    throw new Error(`int8 accuracy ${pct(int8Acc)} is below ${pct(MIN_INT8_ACCURACY)} or more than ${pct(MAX_INT8_LOSS)} under float; ${relative(process.cwd(), EWM_PATH)} left unchanged`);
  }
  writeFileSync(EWM_PATH, bytes);
  console.log(`wrote ${relative(process.cwd(), EWM_PATH)}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
  const onnxBytes = exportOnnx(p);
  writeFileSync(ONNX_PATH, onnxBytes);
  console.log(`wrote ${relative(process.cwd(), ONNX_PATH)}: ${onnxBytes.length} bytes (the float network, for the ONNX import path)`);
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
