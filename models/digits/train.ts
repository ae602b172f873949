// `npm run digits`: train the default digit classifier and rebuild models/digits/digits.ewm, and
// digits.onnx, the float network as ONNX (onnx.ts) for the ONNX import path.
// Float training (trainer.ts) on the training split (data.ts). Then quantize.ts builds the
// int8 graph, the converter writes the .ewm, and the runtime runs it on the test split: the file is
// written only if int8 reaches 96 % and stays within half a point of float, else exit 1.
// Reproducible: one seeded mulberry32 stream (the PRNG the golden data uses) draws the initial
// weights, the shuffles and the shifts, and every float operation runs in a fixed order on one
// thread, so two runs write byte-identical files (Math.exp/log/cos are V8's own, fdlibm-derived).

import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { loadModel } from '../../host/index.js';
import { loadDigits, EWM_PATH, ONNX_PATH } from './data.js';
import { exportOnnx } from './onnx.js';
import { PARAM_COUNT } from './net.js';
import { trainFloat, floatPredictions, DIGITS_TRAINING } from './trainer.js';
import { buildEwm } from './quantize.js';
import { int8Predictions, accuracy } from './evaluate.js';

const MIN_INT8_ACCURACY = 0.96;
const MAX_INT8_LOSS = 0.005; // accuracy int8 may lose against float

const pct = (fraction: number) => `${(100 * fraction).toFixed(2)} %`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const { train, test } = loadDigits();
  console.log(`mnist package: ${train.count} training digits, ${test.count} test digits; seed ${DIGITS_TRAINING.seed}, ${PARAM_COUNT} parameters`);
  const p = trainFloat(train, { ...DIGITS_TRAINING, log: console.log });
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
